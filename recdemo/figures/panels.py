"""Figures that compare runs or follow one through training: small multiples
of several strategies, their metrics as bars, and training curves; each
with its text alternative (``*_alt``)."""

from __future__ import annotations

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from recdemo.figures.embedding import balanced_snapshots, nearest_spurious
from recdemo.figures.groups import static_group_traces
from recdemo.figures.recommendations import (
    recommendation_axes,
    recommendation_positions,
    recommendation_styles,
)
from recdemo.figures.style import FONT, STRATEGY_COLORS, metric_label, run_label
from recdemo.metrics import METRICS
from recdemo.projection import project


def training_curves_figure(result, height: int = 330) -> go.Figure:
    """Training loss per epoch (left), and the four test metrics per epoch (right).

    Written as figure JSON with two x-axes side by side, as make_subplots
    would lay them out: this figure is drawn for every run a student trains,
    and make_subplots with its checks took ten times longer."""
    k = result.config.k
    epochs = list(range(len(result.metrics)))
    # The loss is out of the legend, which stands beside the test metrics and
    # lists them: its own panel's title names it.
    traces = [{"type": "scatter", "x": epochs[1:], "y": result.losses.tolist(), "name": "loss",
               "mode": "lines+markers", "line": {"color": "#444444"}, "showlegend": False}]
    for name, color in zip(METRICS, ("#D55E00", "#0072B2", "#009E73", "#CC79A7"), strict=True):
        traces.append({"type": "scatter", "xaxis": "x2", "yaxis": "y2", "x": epochs,
                       "y": [m[name] for m in result.metrics], "mode": "lines+markers",
                       "name": metric_label(name, k),
                       "line": {"color": color}})
    layout = {
        "height": height, "font": FONT, "margin": {"l": 10, "r": 10, "t": 40, "b": 10},
        "xaxis": {"domain": [0.0, 0.45], "anchor": "y", "title": {"text": result.FRAME}},
        "yaxis": {"anchor": "x"},
        "xaxis2": {"domain": [0.55, 1.0], "anchor": "y2", "title": {"text": result.FRAME}},
        "yaxis2": {"anchor": "x2"},
        "annotations": [
            {"text": title, "x": x, "y": 1.0, "xref": "paper", "yref": "paper",
             "xanchor": "center", "yanchor": "bottom", "showarrow": False, "font": {"size": 16}}
            for title, x in (("training loss", 0.225), ("test metrics", 0.775))
        ],
    }
    return go.Figure({"data": traces, "layout": layout}, _validate=False)


def small_multiples_figure(dataset, results: dict, cols: int = 3,
                           height_per_row: int = 300, side_by_side: bool = False) -> go.Figure:
    """The final state of several runs, ``cols`` runs to a row: for each, its
    embeddings (a 2D PCA of its own, with how faithful that picture is) above
    what it recommends (exact), or, ``side_by_side``, beside it (a wide screen
    fits more runs that way)."""
    names = list(results)
    rows = -(-len(names) // cols)
    grid_rows, grid_cols = (rows, 2 * cols) if side_by_side else (2 * rows, cols)

    def cells(index: int) -> tuple[tuple[int, int], tuple[int, int]]:
        """The (row, col) of a run's picture and of its matrix, from 1."""
        row, col = index // cols, index % cols
        if side_by_side:
            return (row + 1, 2 * col + 1), (row + 1, 2 * col + 2)
        return (2 * row + 1, col + 1), (2 * row + 2, col + 1)

    balanced = {name: tuple(s[-1:] for s in balanced_snapshots(results[name])) for name in names}
    projections = {name: project(*balanced[name], 2) for name in names}
    titles = [""] * (grid_rows * grid_cols)
    for index, name in enumerate(names):
        result, k = results[name], results[name].config.k
        (row, col), (matrix_row, matrix_col) = cells(index)
        drawn, full = nearest_spurious(dataset, balanced[name], projections[name], 0, k)
        dims = balanced[name][1].shape[-1]
        # Short lines, so that narrow panels on a projector still hold them.
        titles[(row - 1) * grid_cols + col - 1] = (
            f"<b>{run_label(result.config)}</b><br>"
            f"{metric_label('spurious_at_k', k)} = {result.final_metrics['spurious_at_k']:.2f}"
            f"<br><span style='font-size:0.85em'>{k} nearest: {drawn:.0%} other groups in 2D, "
            f"{full:.0%} in {dims}D</span>")
        if not side_by_side:  # beside its picture, the legend's title names it
            titles[(matrix_row - 1) * grid_cols + matrix_col - 1] = (
                f"what it recommends (top {k})")
    # Between the rows of panels: room for the titles of the row below.
    fig = make_subplots(rows=grid_rows, cols=grid_cols, subplot_titles=titles,
                        horizontal_spacing=0.04, vertical_spacing=0.24 if side_by_side else 0.1)
    for index, name in enumerate(names):
        result = results[name]
        (row, col), (matrix_row, matrix_col) = cells(index)
        for trace in static_group_traces(dataset, projections[name], showlegend=index == 0,
                                         size=6, label_size=FONT["size"] - 2):
            fig.add_trace(trace, row=row, col=col)
        fig.update_xaxes(showticklabels=False, zeroline=False, row=row, col=col)
        fig.update_yaxes(showticklabels=False, zeroline=False, row=row, col=col)
        positions = recommendation_positions(dataset, result.top_k_snapshots[-1])
        styles = recommendation_styles(dataset, result.config.k, size=3)
        for style, position in zip(styles, positions, strict=True):
            fig.add_trace(go.Scatter({**style, **position, "type": "scatter"}), row=matrix_row,
                          col=matrix_col)
        x_layout, y_layout, blocks = recommendation_axes(dataset)
        fig.update_xaxes(x_layout | {"title": {"text": ""}}, row=matrix_row, col=matrix_col)
        fig.update_yaxes(y_layout | {"title": {"text": ""}}, row=matrix_row, col=matrix_col)
        for block in blocks:
            fig.add_shape(block, row=matrix_row, col=matrix_col)
    if side_by_side:  # a run's title over the middle of its two panels
        shift = (fig.layout.xaxis2.domain[1] - fig.layout.xaxis.domain[1]) / 2
        for title in fig.layout.annotations:
            title.x += shift
    # The legend (two entries per group) goes under the panels, in rows: beside
    # a single row of panels it would be taller than they are, and scroll.
    k = next(iter(results.values())).config.k
    fig.update_layout(height=height_per_row * grid_rows + 70,
                      font=FONT, margin={"l": 10, "r": 10, "t": 75, "b": 10},
                      legend={"orientation": "h", "yanchor": "top", "y": -0.02,
                              "xanchor": "left", "x": 0.0, "title": {
                                  "text": f"each run: its embeddings, then what it recommends "
                                          f"(top {k})" if side_by_side else "",
                                  "side": "top"}})
    return fig


def metrics_bar_figure(summaries: list[dict], references: dict[str, dict],
                       height: int = 360) -> go.Figure:
    """One panel per metric, one horizontal bar per strategy (in its own color,
    never a group's), then one hatched bar per reference (e.g. the oracle,
    a random ranking) where it has a value."""
    k = summaries[0]["k"]
    rows = [(row["strategy"], row, False) for row in summaries]
    rows += [(who, values, True) for who, values in references.items()]
    fig = make_subplots(rows=1, cols=len(METRICS), shared_yaxes=True, horizontal_spacing=0.03,
                        subplot_titles=[metric_label(m, k) for m in METRICS])
    for col, metric in enumerate(METRICS, start=1):
        shown = [(name, row[metric], reference) for name, row, reference in rows
                 if row.get(metric) is not None]
        fig.add_trace(go.Bar(
            y=[name for name, _, _ in shown], x=[value for _, value, _ in shown],
            orientation="h", showlegend=False, cliponaxis=False,
            marker={"color": ["#FFFFFF" if reference else STRATEGY_COLORS.get(name, "#777777")
                              for name, _, reference in shown],
                    "line": {"color": "#111111", "width": [1 if r else 0 for _, _, r in shown]},
                    "pattern": {"shape": ["/" if r else "" for _, _, r in shown]}},
            text=[f"{value:.2f}" for _, value, _ in shown], textposition="outside",
            hovertemplate="%{y}: %{x:.2f}<extra></extra>"), row=1, col=col)
        low = min(0.0, *(value for _, value, _ in shown))
        fig.update_xaxes(range=[low - 0.05, 1.3], row=1, col=col, showgrid=False,
                         zeroline=True, zerolinecolor="#888888", showticklabels=False)
    fig.update_yaxes(autorange="reversed")
    fig.update_layout(height=height, font=FONT, bargap=0.25,
                      margin={"l": 10, "r": 10, "t": 40, "b": 10})
    return fig


def training_curves_alt(result) -> str:
    """training_curves_figure in words, for a screen reader: its numbers at
    the first and the last epoch."""
    k, last = result.config.k, len(result.metrics) - 1
    metrics = "; ".join(
        f"{metric_label(name, k)} {result.metrics[0][name]:.2f} to {result.metrics[-1][name]:.2f}"
        for name in METRICS)
    return (f"Training curves of {run_label(result.config)}. Left: the training loss, "
            f"{result.losses[0]:.3g} in {result.FRAME} 1 and {result.losses[-1]:.3g} in "
            f"{result.FRAME} {last}. Right: the test metrics after each {result.FRAME}, from "
            f"{result.FRAME} 0 to {last}: {metrics}.")


def small_multiples_alt(dataset, results) -> str:
    """small_multiples_figure in words, for a screen reader: what each panel
    shows and each run's numbers (``results``: the runs, in the figure's order)."""
    results = list(results)
    k = results[0].config.k
    runs = "; ".join(f"{run_label(r.config)}: {metric_label('spurious_at_k', k)} "
                     f"{r.final_metrics['spurious_at_k']:.2f}, cross-group AUC "
                     f"{r.final_metrics['cross_group_auc']:.2f}" for r in results)
    return (f"{len(results)} runs on the same data ({dataset.n_groups} groups, "
            f"{len(dataset.test)} held-out queries), each after training: its embeddings in a "
            "2D PCA of its own (squares queries, circles items, each group's name at its "
            f"items' center) and what it recommends, a mark for each query's top {k} items. "
            f"{runs}.")


def metrics_bar_alt(summaries: list[dict], references: dict[str, dict]) -> str:
    """metrics_bar_figure in words: for each metric, the strategies that score
    lowest and highest, and the references' values."""
    k = summaries[0]["k"]
    said = []
    for metric in METRICS:
        shown = [(row["strategy"], row[metric]) for row in summaries if row.get(metric) is not None]
        if not shown:
            continue
        (low, low_value), (high, high_value) = min(shown, key=lambda s: s[1]), max(
            shown, key=lambda s: s[1])
        refs = [f"{who} {values[metric]:.2f}" for who, values in references.items()
                if values.get(metric) is not None]
        said.append(f"{metric_label(metric, k)}: lowest {low} {low_value:.2f}, highest {high} "
                    f"{high_value:.2f}" + (f" ({', '.join(refs)})" if refs else ""))
    names = list(references)
    hatched = " and ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names)
    return (f"Bars of {len(METRICS)} metrics for {len(summaries)} strategies"
            + (f", and hatched bars for {hatched}" if names else "") + ". "
            + "; ".join(said) + ".")
