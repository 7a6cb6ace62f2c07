"""Train: pick a strategy, watch the colors fold or separate."""

import dataclasses

import streamlit as st

import ui
from recdemo import claims, claims_lesson, claims_practice, export, figures, verdicts
from recdemo.metrics import recommendations, spurious_count
from recdemo.params import LOGQ_STRATEGIES, run_settings
from recdemo.where_it_holds import warnings

ui.run_through_navigation()  # first: see ui/navigation.py

ui.title("Train a softmax recommender", on_projector=False)
# Start this run and the positives-only baseline now: the workers train them
# while the page draws its controls.
data_config = ui.data_config()
shown = ui.train_config(with_switch=True)  # the run this page shows: it may switch mid-run
# Where logQ applies (before or after a switch), the same run without it (or
# with it) shows what it does.
flipped = (dataclasses.replace(shown, logq_correction=not shown.logq_correction)
           if set(shown.strategies()) & set(LOGQ_STRATEGIES) else None)
# A switched run is measured against the same run without its switch.
for config in (shown, ui.train_config(strategy="positives-only", gravity=0.0), flipped,
               shown.without_switch() if shown.switch_at else None):
    if config is not None:
        ui.request_run(data_config, config)

settings = ui.page_setup(training_controls=True, switch_controls=True)
# The switch's button beside the strategies where they leave room: here too, as in
# presenter view the sidebar's switch is out of reach.
strategy_row = st.container(horizontal=True, vertical_alignment="bottom")
ui.control("strategy", strategy_row, label="Which items does the loss see?",
           label_visibility="collapsed" if settings["present"] else "visible", width="content")
if shown.switch_at:
    strategy_row.button("Remove the switch", key="no_switch", icon=":material/close:",
                        help=f"Train without the switch ({shown.switch_text()}).",
                        on_click=ui.set_setting, args=("switch_at", 0))

wanted = verdicts.expected(shown)
# Where no run can fold or separate, the verdict says so: the sweep's counts say no more.
if wanted is not None and not claims.no_room(ui.references(data_config, shown.k)):
    for note in warnings({settings["strategy"]: wanted}, run_settings(data_config, shown)):
        st.warning(note, icon=":material/warning:")
last_good = ui.trained_or_explain(data_config, (shown,), slot="train")
if last_good is None:
    st.stop()
# The run shown may be the last that trained: the page is of its data.
data_config, (result,), (config,) = last_good
dataset = ui.dataset(data_config)
# The deltas compare with plain positives-only: no gravity, everything else alike.
plain = dataclasses.replace(config.without_switch(), strategy="positives-only", gravity=0.0)
baseline = None if config == plain else ui.trained_run_or_none(data_config, plain)
k = config.k
refs = ui.references(data_config, k)
this_run = run_settings(data_config, config)
caveats = claims.metric_caveats(k, data_config)

# The picture with its numbers (they follow the epoch on screen), then what
# the run did and how to read the numbers.
text, picture = ui.text_and_picture()
label = figures.run_label(config)
text.markdown(claims.verdict_claim(label, result, refs, this_run).text)
if config.switch_at:
    unswitched, why_not = ui.trained_run_or_why(data_config, config.without_switch())
    text.markdown(claims_practice.switch_claim(label, result, refs, unswitched, why_not).text)
# Gravity's sentence compares with the same run without it: a switched run
# differs from that in more than gravity (its switch says what it did).
if (baseline is not None and config.strategy == "positives-only" and config.gravity > 0
        and not config.switch_at):
    text.markdown(claims_lesson.gravity_claim(plain=baseline, with_gravity=result, refs=refs).text)
other = (ui.trained_run_or_none(data_config, dataclasses.replace(
    config, logq_correction=not config.logq_correction))
    if set(config.strategies()) & set(LOGQ_STRATEGIES) else None)
if other is not None and claims.recall_is_meaningful(k, data_config):
    corrected, uncorrected = (result, other) if config.logq_correction else (other, result)
    text.markdown(claims_practice.logq_claim(figures.run_label(corrected.config), corrected,
                                             uncorrected, refs).text)
reading = st.container()  # under the picture
beyond = claims.beyond_claim(label, result.final_metrics, refs)
epochs = len(result.metrics) - 1
reading.caption(
    (beyond.text + " " if beyond else "")
    + f"Measured on {len(dataset.test)} held-out test queries after epoch {epochs}. "
    + claims.references_text(refs)
)
for note in caveats:
    reading.caption(note)
hidden = ({} if claims.recall_is_meaningful(k, data_config)
          else {"within_group_recall_at_k": caveats[0]})
same_frames = baseline is not None and len(baseline.metrics) == len(result.metrics)
cards = figures.metric_cards(result, baseline if same_frames else None, hidden) | {
    "beside": ui.presenting()}

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

# In presenter view the picture as large as it can be, its panels filling
# the first screen under the strategy's radio buttons (the page's title is for
# screen readers there); its legends and captions below.
fig = ui.embedding_figure(data_config, config, components, inspected,
                          height=ui.figure_height(ui.PRESENTER_PICTURE_HEIGHT - 25),
                          projector=ui.presenting())
with picture:
    ui.chart(ui.for_projector(fig), "embedding_chart",
             export.file_name(data_config, config, "embeddings"),
             html_title=f"recdemo: {label}, seed {data_config.seed}",
             on_click=ui.clicked_query_inspector(dataset.n_groups, "embedding_chart"), cards=cards,
             alt=figures.embedding_alt(dataset, result, components), run=this_run)

picks = recommendations(result.query_embeddings[inspected], result.item_embeddings,
                        dataset.item_groups, dataset.test.groups[inspected], k)
inspected_group = figures.group_name(dataset.test.groups[inspected])
st.markdown(f"**Top {len(picks)}** of query {inspected} ({inspected_group}"  # k, or every item
            + (f"; every item: k = {k} is more than the {len(picks)} items" if len(picks) < k
               else "")
            + f") after training: **{spurious_count(picks)} spurious** (✗: another group)")
# A row per pick: four columns fit a phone's width, where ten did not.
st.dataframe(
    {"rank": [f"#{p['rank']}" for p in picks], "item": [str(p["item"]) for p in picks],
     "group": [figures.group_name(p["group"]) for p in picks],
     "spurious": ["✗" if p["spurious"] else "" for p in picks]},
    hide_index=True, height="content",
)

st.header("Where the negatives came from")
st.caption("Which groups' items each group's queries were pushed away from while it trained: "
           "the cause of what the picture shows. For the full softmax, whose negatives are all "
           "the other items, the share of the push, the softmax's weight on each.")
for claim in claims_practice.negatives_claims(label, result, dataset):
    st.markdown(claim.text)
if config.strategy != "positives-only" or config.switch_at:
    ui.chart(ui.negatives_figure(data_config, config), "negatives_chart",
             export.file_name(data_config, config, "negatives"),
             alt=figures.negatives_alt(dataset, result))

st.header("Training curves")
ui.chart(ui.training_curves(data_config, config), "curves",
         export.file_name(data_config, config, "curves"),
         alt=figures.training_curves_alt(result, claims.meaningful_metrics(k, data_config)))
ui.history_downloads(data_config, result)
