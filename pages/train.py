"""Train: pick a strategy, watch the colors fold or separate."""

import dataclasses

import streamlit as st

import ui
from recdemo import claims, export, figures, verdicts
from recdemo.metrics import METRICS, recommendations
from recdemo.where_it_holds import warnings

ui.run_through_navigation()  # first: see ui/navigation.py

st.title("Train a softmax recommender")
# Start this run and the positives-only baseline now: the workers train them
# while the page draws its controls.
data_config = ui.data_config()
shown = ui.train_config(with_switch=True)  # the run this page shows: it may switch mid-run
ui.request_run(data_config, shown)
ui.request_run(data_config, ui.train_config(strategy="positives-only", gravity=0.0))

settings = ui.page_setup(training_controls=True)
ui.control("strategy", st, label="Which items does the loss see?",
           label_visibility="collapsed" if settings["present"] else "visible")

wanted = verdicts.expected(shown)
if wanted is not None:
    for note in warnings({settings["strategy"]: wanted}, claims.run_settings(data_config, shown)):
        st.warning(note, icon=":material/warning:")
dataset = ui.dataset(data_config)
result, config = ui.trained_run_or_explain(data_config, shown, slot="train")
if result is None:
    st.stop()
# The deltas compare with plain positives-only: no gravity, everything else alike.
plain = dataclasses.replace(config.without_switch(), strategy="positives-only", gravity=0.0)
baseline = None if config == plain else ui.trained_run_or_none(data_config, plain)
k = config.k
refs = ui.references(data_config, k)
run_settings = claims.run_settings(data_config, config)
recall_means_something = claims.recall_is_meaningful(k, data_config.items_per_group)

# The text, the numbers, then the picture; in presenter view the picture with
# its numbers beside it on the first screen, and the text below.
text, picture = ui.text_and_picture()
beside = ui.column_beside(picture)
said = [claims.verdict_claim(figures.run_label(config), result, refs, run_settings),
        claims.beyond_claim(figures.run_label(config), result.final_metrics, refs)]
if baseline is not None and config.strategy == "positives-only" and config.gravity > 0:
    said.append(claims.gravity_claim(plain=baseline, with_gravity=result, refs=refs))
for claim in said:
    if claim is not None:
        text.markdown(claim.text)
if beside:
    picture, numbers = beside
    places = [numbers] * len(METRICS)
else:
    places = text.columns(len(METRICS))
epochs = len(result.metrics) - 1
for place, name in zip(places, METRICS, strict=True):
    value = result.final_metrics[name]
    if name == "within_group_recall_at_k" and not recall_means_something:
        place.metric(figures.metric_label(name, k), "–",
                     help=claims.metric_caveats(k, data_config.items_per_group)[0])
        continue
    place.metric(
        figures.metric_label(name, k), f"{value:.2f}",
        delta=(None if baseline is None
               else figures.delta_text(value - baseline.final_metrics[name])),
        delta_color="inverse" if name == "spurious_at_k" else "normal",
        help=f"after epoch {epochs}; the change is against plain positives-only "
             "(no gravity) on the same data and seed",
    )
text.caption(
    f"**{figures.run_label(config)}** after training (epoch {epochs}), on {len(dataset.test)} "
    f"held-out test queries. {claims.references_text(refs)} Press ▶ Play under the picture "
    "to replay training: the title and both panels follow the epoch."
)
for note in claims.metric_caveats(k, data_config.items_per_group):
    text.caption(note)

# The picture, with the inspected query highlighted, and that query's top-k.
components = settings["components"] if config.dim >= 3 else 2
view, inspect = text.columns([1, 2])
# Widget callbacks and format functions come from ui, never from this page:
# Streamlit keeps them while the tab is open, with every variable of the page
# that defines them (see ui/charts.py).
ui.control("components", view, label="Picture", format_func="{}D".format)
if settings["components"] == 3 and config.dim < 3:
    view.info("3D needs an embedding dimension of at least 3.")
inspected = ui.control("query", inspect, label="Inspect a query (or click a square)",
                       options=list(range(len(dataset.test))),
                       format_func=ui.query_label(dataset))

fig = ui.embedding_figure(data_config, config, components, inspected)
with picture:  # in presenter view under the strategy's radio buttons: less tall
    ui.chart(ui.for_projector(fig, ui.PRESENTER_PICTURE_HEIGHT - 70), "embedding_chart",
             export.file_name(data_config, config, "embeddings"),
             html_title=f"recdemo: {figures.run_label(config)}, seed {data_config.seed}",
             on_click=ui.clicked_query_inspector(dataset.n_groups, "embedding_chart"))

picks = recommendations(result.query_embeddings[inspected], result.item_embeddings,
                        dataset.item_groups, dataset.test.groups[inspected], k)
inspected_group = figures.group_name(dataset.test.groups[inspected])
st.markdown(f"**Top {k}** of query {inspected} ({inspected_group}) "
            f"after training: **{sum(p['spurious'] for p in picks)} spurious** (✗: another group)")
st.dataframe(
    {"": ["item", "group", "spurious"], **{
        f"#{p['rank']}": [str(p["item"]), figures.group_name(p["group"]),
                          "✗" if p["spurious"] else ""] for p in picks}},
    hide_index=True, height="content",
)

st.subheader("Training curves")
ui.chart(ui.training_curves(data_config, config), "curves",
         export.file_name(data_config, config, "curves"))
ui.history_downloads(data_config, result)
