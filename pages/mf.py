"""Matrix factorization vs softmax: the end of the source page, measured on this data."""

import dataclasses

import streamlit as st

import ui
from recdemo import claims, figures, mf_comparison
from recdemo.mf import cold_start_split
from recdemo.params import run_settings

ui.run_through_navigation()  # first: see ui/navigation.py

st.title("Matrix factorization vs softmax")
data_config = ui.data_config()
mf_config = ui.mf_config()
observed_only = dataclasses.replace(mf_config, unobserved_weight=0.0)
# The gravity control is positives-only's: uniform and in-group train without it.
softmax = {"positives-only": ui.train_config(strategy="positives-only"),
           "uniform": ui.train_config(strategy="uniform", gravity=0.0),
           "in-group": ui.train_config(strategy="in-group", gravity=0.0)}
for config in (mf_config, observed_only, *softmax.values()):  # the workers start at once
    ui.request_run(data_config, config)

ui.page_setup()
# The controls above the picture, in a row (in presenter view beside it; above
# it again on a tablet, where a column beside it is too narrow), the picture,
# then the text. Above the picture, why it is not of these settings, if it is not.
controls, notice = st.container(), st.container()
text, picture = ui.text_and_picture()
text.markdown(
    "**Matrix factorization** (WALS) learns one row per training query and one per "
    "item from the interaction matrix alone. Its squared loss has weight 1 on the "
    "observed pairs and the **unobserved weight** $w_0$ on every other pair: in each "
    "row's closed-form solve that is one $d \\times d$ Gramian, $w_0 V^\\top V$, the "
    "push apart that negatives give the softmax model. Move $w_0$ and the dimension, and "
    "watch the colors: at $w_0 = 0$ no term of the loss pushes the groups apart (whether "
    "they fold then depends on the dimension $d$ and on the data: the verdicts below "
    "say)."
)
beside = ui.column_beside(picture, controls=True)
if beside:
    picture, column = beside
    places = (column,) * 4
else:
    places = controls.columns(4)
ui.control("unobserved_weight", places[0], label="MF: unobserved weight w0")
ui.control("mf_dim", places[1], label="MF: dimension d")
ui.control("cold_start", places[2], label="MF: new queries by")
ui.control("gravity", places[3], label="softmax: gravity")
places[3].caption("Gravity (positives-only softmax) pulls every score toward 0, as w0 pulls "
                  "every unobserved pair.")

# Where a run does not train, the page shows the last pair that did: all of it,
# references and tables too, of their own data and settings.
with notice:
    shown = ui.trained_or_explain(data_config, (mf_config, softmax["positives-only"]),
                                  slot="mf", last_shown="Everything below is of the last runs "
                                  "that trained.")
if shown is None:
    st.stop()
data_config, (mf, positives), (mf_config, positives_config) = shown
observed_only = dataclasses.replace(mf_config, unobserved_weight=0.0)
dataset = ui.dataset(data_config)
refs = ui.references(data_config, mf_config.k, held_out_by_mf=True)
observed = ui.trained_run_or_none(data_config, observed_only)
runs = {mf_config: mf, observed_only: observed, positives_config: positives}
for config, run in runs.items():  # MF at w0 = 0 is the observed-only run: said once
    if run is not None:
        text.markdown(claims.verdict_claim(figures.run_label(config), run, refs,
                                           run_settings(data_config, config)).text)
with picture:
    figure = ui.small_multiples(data_config, (mf_config, positives_config), cols=2,
                                height=ui.figure_height(ui.PRESENTER_PICTURE_HEIGHT))
    ui.chart(ui.for_projector(figure), "mf_side_by_side",
             f"recdemo-mf-seed{data_config.seed}",
             html_title=f"recdemo: matrix factorization vs softmax, seed {data_config.seed}",
             alt=figures.small_multiples_alt(dataset, [mf, positives]),
             run={name: value for name, value in run_settings(data_config, positives_config)
                  .items() if name != "strategy"} | dataclasses.asdict(mf_config))
picture.caption(mf_comparison.picture_caption(len(dataset.test), mf_config.cold_start,
                                              positives_config.strategy))

st.header("The source's table, measured")
# uniform and in-group: positives-only's settings without its gravity
uniform, in_group = (dataclasses.replace(positives_config, strategy=strategy, gravity=0.0)
                     for strategy in ("uniform", "in-group"))
measured = ui.mf_comparison(data_config, mf=mf_config, observed_only=observed_only,
                            positives_only=positives_config, uniform=uniform, in_group=in_group)
if measured is None:  # it said why
    st.stop()
# The tables may be the last ones measured: what is said of them is of their own data.
tables_data, tables_mf, comparison = measured
st.caption(mf_comparison.scored_caption(cold_start_split(ui.dataset(tables_data)).known.shape[1],
                                         tables_data.positives, tables_mf.cold_start)
           + " Times are this server's, measured now.")
st.table([{"compared on": row.topic, "matrix factorization": row.mf, "softmax DNN": row.softmax}
          for row in comparison.table])
for note in claims.metric_caveats(tables_mf.k, tables_data):
    st.caption(note)  # they hold for both tables

st.header("Is folding fine for a scorer of pre-filtered candidates?")
st.markdown(
    "The source ends: *it is usually acceptable for DNN models to fold, since you mostly "
    "care about ranking a pre-filtered set of candidates assumed to be relevant.* Here "
    "the **in-group** model, trained with negatives from the query's own group only (the "
    "Lesson's section 4), ranks only the candidates matrix factorization (as set above) "
    "retrieves for each query. "
    + mf_comparison.two_stage_claim(comparison.pipeline, comparison.scored, ui.references(
        tables_data, tables_mf.k, held_out_by_mf=True)).text
)
st.table([{"pipeline": row.topic, "first stage": row.mf, "final top-k": row.softmax}
          for row in comparison.two_stages])
st.markdown(
    "The source concludes that matrix factorization is usually the better choice for large "
    "corpora (easier to scale, cheaper to query, less prone to folding), and that the softmax "
    "model can use query features and handles new queries without a solve: the table above "
    "measures each of these on this data."
)
