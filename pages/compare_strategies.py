"""Compare: every strategy on the same data and seed, on one slide."""

import streamlit as st

import ui
from recdemo import figures
from recdemo.params import STRATEGIES

st.title("All strategies, same data, same seed")
ui.page_setup(training_controls=True)
data_config = ui.data_config()
data = ui.dataset(data_config)
results = {}
progress = st.progress(0.0, text="Training…")
for index, strategy in enumerate(STRATEGIES):
    result, _ = ui.train_or_explain(data_config, ui.train_config(strategy=strategy),
                                    slot=f"compare_{strategy}")
    if result is not None:
        results[strategy] = result
    progress.progress((index + 1) / len(STRATEGIES), text=f"Trained {strategy}")
progress.empty()
if not results:
    st.stop()

ui.chart(figures.small_multiples_figure(data, results), "small_multiples",
         "recdemo-compare", html_download=True)
summaries = [result.summary() for result in results.values()]
st.subheader("The numbers")
st.caption("Measured on held-out test queries. spurious@k: lower is better; the others: "
           "higher is better. Each picture above is its own PCA of the final embeddings.")
st.dataframe(summaries, hide_index=True)
ui.chart(figures.metrics_bar_figure(summaries), "metric_bars", "recdemo-compare-metrics")
