"""The cost of one training step as the corpus grows (recdemo/step_cost.py)."""

from __future__ import annotations

import plotly.graph_objects as go

from recdemo.claims import step_cost_claims
from recdemo.figures.style import COST_LINES, FONT, STRATEGY_COLORS
from recdemo.wording import significant


def step_cost_figure(costs, height: int = 420) -> go.Figure:
    """CPU milliseconds per step against the number of items, log-log, one line
    per strategy (a StepCost per point: the median, with a bar from the fastest
    to the slowest of its repeats). A cost that grows with n climbs; one that
    does not stays flat."""
    fig = go.Figure()
    for strategy in dict.fromkeys(cost.strategy for cost in costs):
        dash, symbol = COST_LINES.get(strategy, ("solid", "circle"))
        mine = sorted((c for c in costs if c.strategy == strategy), key=lambda c: c.n_items)
        fig.add_trace(go.Scatter(
            x=[c.n_items for c in mine], y=[1e3 * c.cpu_seconds for c in mine],
            error_y={"type": "data", "symmetric": False,
                     "array": [1e3 * (c.cpu_high - c.cpu_seconds) for c in mine],
                     "arrayminus": [1e3 * (c.cpu_seconds - c.cpu_low) for c in mine]},
            mode="lines+markers", name=strategy,
            line={"color": STRATEGY_COLORS.get(strategy, "#777777"), "width": 3,
                  "dash": dash},
            marker={"size": 10, "symbol": symbol},
            hovertemplate=f"{strategy}, %{{x:,}} items: %{{y:.2f}} CPU ms per step "
                          "(median)<extra></extra>"))
    # A tick at each power of ten only: log axes label every digit otherwise.
    fig.update_xaxes(type="log", dtick=1, title_text="items in the corpus (n)", tickformat=",")
    fig.update_yaxes(type="log", dtick=1, title_text="CPU milliseconds per training step",
                     tickformat="~g")
    fig.update_layout(height=height, font=FONT, margin={"l": 10, "r": 10, "t": 20, "b": 10},
                      legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0.0})
    return fig


def step_cost_alt(costs) -> str:
    """step_cost_figure in words, for a screen reader: what the page's
    sentences say of each strategy (claims.step_cost_claims: a change within
    the spread of the repeats is no change), or its one time where it was
    measured at one corpus size."""
    said = []
    for strategy in dict.fromkeys(cost.strategy for cost in costs):
        mine = [c for c in costs if c.strategy == strategy]
        growth = step_cost_claims(mine)  # one claim, of this strategy alone
        said.append(growth[0].text.replace("**", "") if growth else
                    f"{strategy}: {significant(1e3 * mine[0].cpu_seconds)} ms at "
                    f"{mine[0].n_items:,} items.")
    return ("CPU milliseconds per training step (the median of its repeats, with bars from the "
            "fastest to the slowest) against the number of items, both on log scales, one line "
            "per strategy. " + " ".join(said))
