"""Train: pick a strategy, watch the colors fold or separate."""

import streamlit as st

import ui
from recdemo import figures
from recdemo.metrics import METRICS, recommendations

st.title("Train a softmax recommender")
# Start this run and the positives-only baseline now: the workers train them
# while the page draws its controls.
data_config = ui.data_config()
ui.training(data_config, ui.train_config())
ui.training(data_config, ui.train_config(strategy="positives-only"))

settings = ui.page_setup(training_controls=True)
ui.control("strategy", st, label="Which items does the loss see?")

data = ui.dataset(data_config)
result, config = ui.train_or_explain(data_config, ui.train_config(), slot="train")
if result is None:
    st.stop()
baseline = ui.trained_or_none(data_config,
                              ui.train_config(vars(config), strategy="positives-only"))
compare = baseline is not None and config.strategy != "positives-only"

# The four numbers, each against positives-only on the same data and seed.
for column, name in zip(st.columns(4), METRICS, strict=True):
    value = result.final_metrics[name]
    column.metric(
        figures.METRIC_LABELS[name].replace("@k", f"@{config.k}"), f"{value:.2f}",
        delta=f"{value - baseline.final_metrics[name]:+.2f}" if compare else None,
        delta_color="inverse" if name == "spurious_at_k" else "normal",
        help="change against positives-only on the same data and seed",
    )
st.caption(f"**{config.strategy}**, trained in {result.train_seconds:.2f} s; measured on "
           f"{len(data.test)} held-out test queries. Press ▶ Play under the picture to "
           "replay training, or drag the slider to step through the epochs.")

# The embedding picture, with the inspected query highlighted.
components = settings["components"] if config.dim >= 3 else 2
picture, inspector = st.columns([3, 1])

# Widget callbacks and format functions come from ui, never from this page:
# Streamlit keeps them while the tab is open, with every variable of the page
# that defines them (see ui/charts.py).
with inspector:
    ui.control("components", st, label="Picture", format_func="{}D".format)
    if settings["components"] == 3 and config.dim < 3:
        st.info("3D needs an embedding dimension of at least 3.")
    query = ui.control("query", st, label="Inspect a query (or click a square)",
                       options=list(range(len(data.test))),
                       format_func=ui.query_label(data))
    picks = recommendations(result.query_embeddings[query], result.item_embeddings,
                            data.item_groups, data.test.groups[query], config.k)
    spurious = sum(p["spurious"] for p in picks)
    st.markdown(f"**Top {config.k}** for query {query}: **{spurious} spurious**")
    st.dataframe(
        [{"#": p["rank"], "item": p["item"], "group": figures.group_name(p["group"]),
          "spurious": "✗" if p["spurious"] else ""} for p in picks],
        hide_index=True, height=38 + 35 * config.k,
    )


with picture:
    fig = ui.embedding_figure(data_config, config, components, query)
    ui.chart(fig, "embedding_chart", f"recdemo-{config.strategy}-embeddings", html_download=True,
             on_select=ui.clicked_query_inspector(data.n_groups, "embedding_chart"),
             selection_mode="points")

st.subheader("Training curves")
ui.chart(ui.training_curves(data_config, config), "curves", f"recdemo-{config.strategy}-curves")
ui.history_downloads(result)
