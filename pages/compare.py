"""Compare: every strategy on the same data and seed, on one slide."""

import numpy as np
import streamlit as st

import ui
from recdemo import claims, claims_practice, figures, verdicts, wording
from recdemo.metrics import METRICS
from recdemo.params import STRATEGIES, run_settings
from recdemo.sampled_metrics import SAMPLED_NEGATIVES

ui.run_through_navigation()  # first: see ui/navigation.py

st.title("All strategies, same data, same seed")
ui.page_setup(training_controls=True)
data_config = ui.data_config()
dataset = ui.dataset(data_config)
runs = ui.trained_runs(data_config, STRATEGIES, slot="compare")
if not runs:
    st.stop()

k = ui.train_config().k
if switch := ui.train_config(with_switch=True).switch_text():  # the link's, not these runs'
    st.caption(f"Every strategy here trains without the link's switch ({switch}); the Train "
               "page shows the switched run.")
refs = ui.references(data_config, k)
configs = tuple(config for _, config in runs.values())
# On a projector each strategy's picture beside its matrix, not above it: two
# rows of four strategies fit the screen then.
figure = ui.small_multiples(data_config, configs, cols=4 if ui.presenting() else 3,
                            side_by_side=ui.presenting(),
                            height=ui.figure_height(ui.PRESENTER_PICTURE_HEIGHT))
ui.chart(ui.for_projector(figure), "small_multiples",
         f"recdemo-compare-seed{data_config.seed}",
         html_title=f"recdemo: every strategy, seed {data_config.seed}",
         alt=figures.small_multiples_alt(dataset, [result for result, _ in runs.values()]))

st.header("The numbers")
shown = claims.meaningful_metrics(k, data_config)
references = {"the oracle": refs.oracle, "a random ranking": refs.random}
# On a projector the table must fit without scrolling: no training times there.
timed = not ui.presenting()
no_verdict = claims.no_room(refs)  # then the sentences below say "no verdict", and why
rows = [{"strategy": figures.run_label(config),
         "verdict": None if no_verdict else verdicts.verdict(result.final_metrics, refs),
         **{name: result.final_metrics[name] for name in shown},
         **({"cpu_seconds": result.cpu_seconds} if timed else {})}
        for result, config in runs.values()]
rows += [{"strategy": who, **{name: values[name] for name in shown if name in values}}
         for who, values in references.items()]
# Each column's decimals: no share between 0 and 1 shown as 0.00 or 1.00.
formats = {name: wording.table_format(row.get(name) for row in rows) for name in shown} | {
    "cpu_seconds": "%.2f"}
ui.sideways_hint()
st.dataframe(  # the strategy pinned: on a phone the numbers scroll sideways beside it
    wording.as_shown(rows, formats), hide_index=True, height="content", placeholder="–",
    column_config={
        "strategy": st.column_config.TextColumn("strategy", pinned=True),
        "verdict": st.column_config.TextColumn("verdict", help="recdemo/verdicts.py: folds, "
                                               "separates or neither, against the oracle and "
                                               "a random ranking on the same data"),
        **{name: st.column_config.NumberColumn(figures.metric_label(name, k),
                                               format=formats[name])  # 0.001, not 0.00
           for name in shown},
        "cpu_seconds": st.column_config.NumberColumn(
            "CPU s to train", format=formats["cpu_seconds"],
            help="CPU time of the worker process that trained it (wall-clock time would "
                 "count the other students' runs on the same machine)"),
    },
)
recall_note = ("; within-group recall: higher is better, and no model can beat the oracle's "
               "but by the luck of a finite test set" if "within_group_recall_at_k" in shown
               else "")
st.caption(
    f"Measured on {len(dataset.test)} held-out test queries. spurious@{k}: lower is better"
    f"{recall_note}. " + claims.losses_left_out([config.strategy for _, config in runs.values()])
)
said = [claims.verdict_claim(figures.run_label(config), result, refs,
                             run_settings(data_config, config))
        for result, config in runs.values()]
said.append(claims.beyond_summary({figures.run_label(config): result.final_metrics
                                   for result, config in runs.values()}, refs))
for claim in said:
    if claim is not None and (not claim.holds or claim is said[-1]):
        st.markdown(claim.text)  # what the lesson does not expect, and going past the data
st.markdown(claims.references_text(refs))
for note in claims.metric_caveats(k, data_config):
    st.caption(note)
# The metrics as measured (summary() rounds them to 4 decimals: 0.015000001
# would show as 0.01 here and 0.02 in the table).
summaries = [{**result.summary(), **result.final_metrics,
              **({} if "within_group_recall_at_k" in shown
                 else {"within_group_recall_at_k": None})}
             for result, _ in runs.values()]
bar_references = {who: {name: values.get(name) for name in shown}
                  for who, values in references.items()}
ui.chart(figures.metrics_bar_figure(summaries, bar_references), "metric_bars",
         "recdemo-compare-metrics", alt=figures.metrics_bar_alt(summaries, bar_references))

st.header("Where the negatives came from")
st.caption("For each strategy, the share of each query group's negatives (rows) that came from "
           "each item group (columns), over its whole training; for the full softmax, the "
           "share of the push, the softmax's weight on the other items.")
results = {figures.run_label(config): result for result, config in runs.values()}
ui.chart(figures.negatives_small_multiples(dataset, results), "negatives_multiples",
         f"recdemo-compare-negatives-seed{data_config.seed}",
         alt=figures.negatives_small_multiples_alt(dataset, results))

st.header("Evaluation that hides folding")
st.markdown(
    f"A common shortcut scores each held-out positive against **100 sampled negatives** "
    f"(drawn with replacement) instead of every item (recall@{k} out of 101). Sampled from "
    "the whole corpus, or worse, from the query's own group, it can reward a model that "
    "folds: the exact metrics above rank every item."
    + (f" Here the whole corpus holds only {others} items that are not a query's positives, "
       "fewer than the 100 drawn from it."
       if (others := dataset.n_items - data_config.positives) < SAMPLED_NEGATIVES else "")
)

# Within-group recall left out where the table above leaves it out; NaN (no
# negatives to draw from a group) shows as "–".
protocols = {config: {name: value for name, value in ui.protocols(data_config, config).items()
                      if name in shown or name not in METRICS} for _, config in runs.values()}
measured = {figures.run_label(config): values for config, values in protocols.items()}
protocol_rows = [{"strategy": label, **values,
                  "spurious_at_k": results[label].final_metrics["spurious_at_k"]}
                 for label, values in measured.items()]
# Each column's decimals: no share between 0 and 1 shown as 0.00 or 1.00.
cells = {name: wording.table_format(row.get(name) for row in protocol_rows)
         for name in protocol_rows[0] if name != "strategy"}
ui.sideways_hint()
st.dataframe(
    wording.as_shown(protocol_rows, cells), hide_index=True, height="content", placeholder="–",
    column_config={
        "strategy": st.column_config.TextColumn("strategy", pinned=True),
        "recall_at_k": st.column_config.NumberColumn(f"recall@{k} exact",
                                                     format=cells["recall_at_k"]),
        "sampled_recall_at_k": st.column_config.NumberColumn(
            "of 101, sampled", format=cells["sampled_recall_at_k"],
            help=f"recall@{k} against 100 negatives sampled from the whole corpus"),
        "own_group_sampled_recall_at_k": st.column_config.NumberColumn(
            "of 101, own group", format=cells["own_group_sampled_recall_at_k"],
            help=f"recall@{k} against 100 negatives from the query's own group"),
        "within_group_recall_at_k": st.column_config.NumberColumn(
            figures.metric_label("within_group_recall_at_k", k),
            format=cells.get("within_group_recall_at_k")),
        "spurious_at_k": st.column_config.NumberColumn(
            figures.metric_label("spurious_at_k", k), format=cells["spurious_at_k"]),
    },
)
if all(np.isnan(values["own_group_sampled_recall_at_k"]) for values in measured.values()):
    st.caption("–: no test query's group has an item that is not one of its positives, so "
               "there are no own-group negatives to draw.")
for claim in claims_practice.protocol_claims(
        {config.strategy: values for config, values in protocols.items()},
        {config.strategy: result.final_metrics for result, config in runs.values()}, refs):
    st.markdown(claim.text)
