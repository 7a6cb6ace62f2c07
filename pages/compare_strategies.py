"""Compare: every strategy on the same data and seed, on one slide."""

import streamlit as st

import ui
from recdemo import figures
from recdemo.params import STRATEGIES

st.title("All strategies, same data, same seed")
ui.page_setup(training_controls=True)
data_config = ui.data_config()
runs = ui.train_all(data_config, STRATEGIES, slot="compare")
if not runs:
    st.stop()

configs = tuple(config for _, config in runs.values())
ui.chart(ui.small_multiples(data_config, configs, cols=3), "small_multiples",
         "recdemo-compare", html_download=True)
summaries = [result.summary() for result, _ in runs.values()]
st.subheader("The numbers")
st.caption("Measured on held-out test queries. spurious@k: lower is better; the others: "
           "higher is better. Each picture above is its own PCA of the final embeddings.")
st.dataframe(summaries, hide_index=True)
ui.chart(figures.metrics_bar_figure(summaries), "metric_bars", "recdemo-compare-metrics")
