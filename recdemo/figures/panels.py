"""Figures that compare runs or follow one through training: small multiples
of several strategies, their metrics as bars, and training curves."""

from __future__ import annotations

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from recdemo.figures.embedding import balanced_snapshots, picture_spurious
from recdemo.figures.groups import static_group_traces
from recdemo.figures.recommendations import (
    recommendation_axes,
    recommendation_positions,
    recommendation_styles,
)
from recdemo.figures.style import FONT, METRIC_LABELS, metric_label, run_label
from recdemo.metrics import METRICS
from recdemo.projection import project


def training_curves_figure(result, height: int = 330) -> go.Figure:
    """Training loss per epoch (left), and the four test metrics per epoch (right).

    Written as figure JSON with two x-axes side by side, as make_subplots
    would lay them out: this figure is drawn for every run a student trains,
    and make_subplots with its checks took ten times longer."""
    k = result.config.k
    epochs = list(range(len(result.metrics)))
    traces = [{"type": "scatter", "x": epochs[1:], "y": result.losses.tolist(), "name": "loss",
               "mode": "lines+markers", "line": {"color": "#444444"}}]
    for name, color in zip(METRICS, ("#D55E00", "#0072B2", "#009E73", "#CC79A7"), strict=True):
        traces.append({"type": "scatter", "xaxis": "x2", "yaxis": "y2", "x": epochs,
                       "y": [m[name] for m in result.metrics], "mode": "lines+markers",
                       "name": METRIC_LABELS[name].replace("@k", f"@{k}"),
                       "line": {"color": color}})
    layout = {
        "height": height, "font": FONT, "margin": {"l": 10, "r": 10, "t": 40, "b": 10},
        "xaxis": {"domain": [0.0, 0.45], "anchor": "y", "title": {"text": "epoch"}},
        "yaxis": {"anchor": "x"},
        "xaxis2": {"domain": [0.55, 1.0], "anchor": "y2", "title": {"text": "epoch"}},
        "yaxis2": {"anchor": "x2"},
        "annotations": [
            {"text": title, "x": x, "y": 1.0, "xref": "paper", "yref": "paper",
             "xanchor": "center", "yanchor": "bottom", "showarrow": False, "font": {"size": 16}}
            for title, x in (("training loss", 0.225), ("test metrics", 0.775))
        ],
    }
    return go.Figure({"data": traces, "layout": layout}, _validate=False)


def small_multiples_figure(dataset, results: dict, cols: int = 3,
                           height_per_row: int = 300) -> go.Figure:
    """The final state of several runs side by side: for each, its embeddings
    (a 2D PCA of its own, with how faithful that picture is) above what it
    recommends (exact)."""
    names = list(results)
    rows = -(-len(names) // cols)
    titles = [""] * (2 * rows * cols)
    for index, name in enumerate(names):
        result = results[name]
        k = result.config.k
        row, col = 2 * (index // cols), index % cols
        titles[row * cols + col] = (
            f"<b>{run_label(result.config)}</b>: "
            f"{metric_label('spurious_at_k', k)} = {result.final_metrics['spurious_at_k']:.2f}")
        titles[(row + 1) * cols + col] = f"what it recommends (top {k})"
    fig = make_subplots(rows=2 * rows, cols=cols, subplot_titles=titles,
                        horizontal_spacing=0.04, vertical_spacing=0.07)
    for index, name in enumerate(names):
        result = results[name]
        row, col = 2 * (index // cols) + 1, index % cols + 1
        queries, items = balanced_snapshots(result)
        projection = project(queries[-1:], items[-1:], 2)
        for trace in static_group_traces(dataset, projection, showlegend=index == 0, size=6):
            fig.add_trace(trace, row=row, col=col)
        drawn = picture_spurious(dataset, projection, 0, result.config.k)
        fig.update_xaxes(title_text=f"near in this picture: {drawn:.0%} other groups",
                         title_font_size=FONT["size"] - 2, row=row, col=col)
        positions = recommendation_positions(dataset, result.top_k_snapshots[-1])
        styles = recommendation_styles(dataset, result.config.k, size=3)
        for style, position in zip(styles, positions, strict=True):
            fig.add_trace(go.Scatter({**style, **position, "type": "scatter"}), row=row + 1,
                          col=col)
        x_layout, y_layout, blocks = recommendation_axes(dataset)
        fig.update_xaxes(x_layout | {"title": {"text": ""}}, row=row + 1, col=col)
        fig.update_yaxes(y_layout | {"title": {"text": ""}}, row=row + 1, col=col)
        for block in blocks:
            fig.add_shape(block, row=row + 1, col=col)
    for row in range(1, 2 * rows + 1, 2):
        fig.update_xaxes(showticklabels=False, zeroline=False, row=row)
        fig.update_yaxes(showticklabels=False, zeroline=False, row=row)
    # The legend (two entries per group) goes under the panels, in rows: beside
    # a single row of panels it would be taller than they are, and scroll.
    fig.update_layout(height=height_per_row * 2 * rows + 70, font=FONT,
                      margin={"l": 10, "r": 10, "t": 40, "b": 10},
                      legend={"orientation": "h", "yanchor": "top", "y": -0.02,
                              "xanchor": "left", "x": 0.0})
    return fig


def metrics_bar_figure(summaries: list[dict], height: int = 380) -> go.Figure:
    """One group of bars per metric, one bar per strategy."""
    k = summaries[0]["k"]
    fig = go.Figure()
    for row in summaries:
        fig.add_trace(go.Bar(
            x=[METRIC_LABELS[m].replace("@k", f"@{k}") for m in METRICS],
            y=[row[m] for m in METRICS], name=row["strategy"],
            text=[f"{row[m]:.2f}" for m in METRICS], textposition="outside",
        ))
    fig.update_layout(barmode="group", height=height, font=FONT, yaxis_range=[-0.2, 1.1],
                      margin={"l": 10, "r": 10, "t": 30, "b": 10})
    return fig


