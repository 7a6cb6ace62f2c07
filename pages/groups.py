"""Groups: the synthetic data, before any model sees it."""

import streamlit as st

import ui
from recdemo import figures, wording

ui.run_through_navigation()  # first: see ui/navigation.py

st.title("The colored groups")
ui.page_setup()
dataset = ui.dataset(ui.data_config())
text, picture = ui.text_and_picture()  # the picture first
leak = dataset.measured_leak
own, leaking = wording.rest_and_share(leak, decimals=1)
text.markdown(
    f"**{dataset.n_groups} groups** (colors), **{dataset.n_items:,} items** and "
    f"**{len(dataset.train):,} training queries** (plus {len(dataset.test):,} held-out test "
    f"queries). Each query has "
    f"{wording.quantity(dataset.train.positives.shape[1], 'positive item')}: "
    f"{own} of the positives are from the query's own group, {leaking} leak to another "
    f"group (asked for: "
    f"{100 * dataset.config.leak:g}%). "
    + ("The Train and Compare pages use the same data." if ui.presenting() else
       "Change the data in the sidebar; the Train and Compare pages use the same data.")
)
text.caption(figures.groups.interaction_matrix_caption(dataset))
beside = ui.column_beside(picture)
if beside:  # the data's numbers beside its picture
    picture, numbers = beside
    numbers.metric("groups", dataset.n_groups)
    numbers.metric("items", f"{dataset.n_items:,}")
    numbers.metric("training queries", f"{len(dataset.train):,}")
    numbers.metric("positives leaking", leaking)
with picture:
    ui.chart(ui.for_projector(figures.interaction_matrix_figure(dataset),
                              ui.PRESENTER_PICTURE_HEIGHT),
             "interactions", "recdemo-interactions", alt=figures.interaction_matrix_alt(dataset))

st.header("Group sizes and popularity")
ui.chart(figures.group_sizes_figure(dataset), "sizes", "recdemo-group-sizes",
         alt=figures.group_sizes_alt(dataset))

st.header("The hidden layout")
st.caption("The latent vectors the data was generated from, projected with PCA. In the "
           "latent space every group is equally far from every other; two dimensions can "
           "show that for up to three groups, and only part of it for more, where groups "
           "may overlap in this picture. The model never "
           "sees these vectors: it only gets each query's features, a noisy random linear "
           "map of its latent vector.")
ui.chart(figures.latent_figure(dataset), "latent", "recdemo-latent",
         alt=figures.latent_alt(dataset))
