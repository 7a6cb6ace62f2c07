"""Why sample? The cost of one training step as the corpus grows, measured here."""

import streamlit as st

import ui
from recdemo import claims, figures, step_cost, wording
from recdemo.samplers import HARD_POOL_SIZE
from recdemo.step_cost import DEFAULT_CORPUS_SIZES, CostConfig

MODEL = CostConfig()  # the model every cell times

ui.run_through_navigation()  # first: see ui/navigation.py

st.title("Why sample? The cost of a training step")
settings = ui.page_setup(data_controls=False)
text, picture = ui.text_and_picture()  # the picture first
text.markdown(
    "The Lesson's full softmax takes its gradient $\\hat p - p$ over **all $n$ items** at "
    "every step. A sampled softmax takes it over the $P$ positives and $K$ sampled "
    "negatives only. Here one training step of each is timed on this server, at corpus "
    f"sizes far beyond the Lesson's data, with a model of its own, the defaults of "
    f"`python -m recdemo cost` (dimension {MODEL.dim}, {MODEL.batch_size} queries per batch, "
    f"{MODEL.negatives} negatives): a sampled step gathers its candidates' rows of "
    "the item table and updates only those (Adam's running means are kept per row, "
    "and a row the step does not touch is left alone), so nothing of size $n$ is read or "
    "written; the full step scores, normalizes and updates every item, in chunks."
)
text.caption("This page ignores the dim, batch_size and negatives of a link and of the other "
             "pages: it always times this model.")
largest = ui.control("largest_corpus", picture, label="Measure corpora up to",
                     format_func=ui.items_label)
config = CostConfig(corpus_sizes=tuple(n for n in DEFAULT_CORPUS_SIZES if n <= largest),
                    repeats=5)
with picture:  # its progress where the picture will be, on the first screen
    costs = ui.step_costs(config)
if costs is None:  # it said why
    st.stop()
with picture:  # under its control: less tall in presenter view
    ui.chart(ui.for_projector(figures.step_cost_figure(costs),
                              ui.PRESENTER_PICTURE_HEIGHT - 110),
             "step_costs", "recdemo-step-cost", alt=figures.step_cost_alt(costs))

uniform = {cost.n_items: cost.cpu_seconds for cost in costs if cost.strategy == "uniform"}
ui.sideways_hint()
rows = [{"strategy": cost.strategy, "items": f"{cost.n_items:,}",
         "CPU ms per step": 1e3 * cost.cpu_seconds,
         "spread": f"{wording.significant(1e3 * cost.cpu_low)} to "
                   f"{wording.significant(1e3 * cost.cpu_high)}",
         "× uniform": (cost.cpu_seconds / uniform[cost.n_items] if cost.n_items in uniform
                       else None),
         "GFLOP per step": cost.flops / 1e9,
         "kept MiB": cost.state_bytes / 2**20, "step MiB": cost.step_bytes / 2**20}
        for cost in costs]
formats = {"CPU ms per step": "%.2f", "× uniform": "%.1f", "GFLOP per step": "%.4f",
           "kept MiB": "%.1f", "step MiB": "%.1f"}
st.dataframe(
    wording.as_shown(rows, formats),
    hide_index=True, height="content", placeholder="–",  # every row, no scrolling
    # Pinned: on a phone the other columns scroll sideways beside them.
    column_config={"strategy": st.column_config.TextColumn(pinned=True),
                   "items": st.column_config.TextColumn(pinned=True),
                   **{name: st.column_config.NumberColumn(format=form)
                      for name, form in formats.items()}},
)
st.caption(
    f"CPU time of one step: the median of {config.repeats} timed steps after a warm-up, with "
    "the fastest and the slowest of them (spread), one cell at a time, on this server while "
    "it serves everyone else. " + step_cost.flops_text(config) + " " + step_cost.MEMORY_TEXT
)
st.markdown("Measured here, now:\n" + "".join(
    f"- {claim.text}\n" for claim in claims.step_cost_claims(costs)))
st.markdown(
    "What each step touches:\n"
    "- **full** scores, normalizes and updates every item: its work is proportional to $n$.\n"
    "- **uniform** and **popularity** touch $P + K$ candidates per query whatever $n$; "
    "their arithmetic does not depend on $n$, only which rows of the table they read does. "
    "Those rows lie in a larger table as $n$ grows, less often in the processor's cache, so "
    "their step can still take longer at a larger $n$: the times above say how much longer "
    "here.\n"
    f"- **hard** first scores a pool of up to {HARD_POOL_SIZE} items per query to find the "
    "ones the model likes best, then samples from them: more work than uniform, but bounded.\n"
    "- **in-batch** scores each query against the batch's distinct positives, the other "
    "queries' included: at most $BP$ items, and fewer where the corpus is smaller.\n"
    "- **Matrix factorization** (WALS) avoids the problem differently: the unobserved pairs "
    "enter each row's solve as one $d \\times d$ Gramian, so a sweep costs as many solves "
    "as rows and scales with the interactions, not with every (query, item) pair "
    "(the MF vs softmax page)."
)
