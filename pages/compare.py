"""Compare: every strategy on the same data and seed, on one slide."""

import streamlit as st

import ui
from recdemo import figures
from recdemo.metrics import METRICS, oracle_metrics, random_metrics
from recdemo.params import STRATEGIES

ui.run_through_navigation()  # first: see ui/navigation.py

st.title("All strategies, same data, same seed")
ui.page_setup(training_controls=True)
data_config = ui.data_config()
data = ui.dataset(data_config)
runs = ui.train_all(data_config, STRATEGIES, slot="compare")
if not runs:
    st.stop()

k = ui.train_config().k
configs = tuple(config for _, config in runs.values())
# On a projector each strategy's picture beside its matrix, not above it: two
# rows of strategies fit the screen then.
figure = ui.small_multiples(data_config, configs, cols=3, side_by_side=ui.presenting())
ui.chart(ui.for_projector(figure, ui.PRESENTER_PICTURE_HEIGHT), "small_multiples",
         f"recdemo-compare-seed{data_config.seed}",
         html_title=f"recdemo: every strategy, seed {data_config.seed}")

st.subheader("The numbers")
references = {"a perfect model": oracle_metrics(data, k),
              "a random ranking": random_metrics(data.n_groups, data_config.items_per_group, k)}
rows = [{"strategy": figures.run_label(config), **result.final_metrics,
         "seconds": result.train_seconds} for result, config in runs.values()]
rows += [{"strategy": who, **values} for who, values in references.items()]
st.dataframe(
    rows, hide_index=True, height="content", placeholder="–",
    column_config={
        "strategy": st.column_config.TextColumn("strategy"),
        **{name: st.column_config.NumberColumn(figures.metric_label(name, k), format="%.2f")
           for name in METRICS},
        "seconds": st.column_config.NumberColumn("trained in (s)", format="%.2f"),
    },
)
st.caption(
    f"Measured on {len(data.test)} held-out test queries. spurious@{k}: lower is better; "
    "the others: higher is better, up to what a perfect model (the data's own preferences) "
    "scores. The training losses are left out: positives-only's sigmoid loss and the "
    "softmax losses of the others measure different things."
)
summaries = [result.summary() for result, _ in runs.values()]
ui.chart(figures.metrics_bar_figure(summaries, references), "metric_bars",
         "recdemo-compare-metrics")
