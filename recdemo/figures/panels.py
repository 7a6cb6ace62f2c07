"""Figures that compare runs or follow one through training: small multiples
of several strategies, their metrics as bars, and training curves; each
with its text alternative (``*_alt``)."""

from __future__ import annotations

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from recdemo.figures.embedding import balanced_snapshots, nearest_spurious
from recdemo.figures.fit import (
    NARROW_EM,
    NARROW_WRAP_EM,
    NBSP,
    grid_layout,
    legend,
    lines_em,
    merged,
    pair_layout,
    pair_variants,
    text_em,
    with_variants,
    wrap,
)
from recdemo.figures.groups import static_group_traces
from recdemo.figures.recommendations import (
    recommendation_axes,
    recommendation_positions,
    recommendation_styles,
)
from recdemo.figures.style import FONT, STRATEGY_COLORS, group_name, metric_label, run_label
from recdemo.metrics import METRICS, top_length
from recdemo.projection import project
from recdemo.wording import fmt, listed, percent, quantity

METRIC_COLORS = dict(zip(METRICS, ("#D55E00", "#0072B2", "#009E73", "#CC79A7"), strict=True))
# Each metric's line told apart without its color too: a dash and a marker of its own.
METRIC_LINES = dict(zip(METRICS, (("solid", "circle"), ("dash", "square"), ("dot", "diamond"),
                                  ("dashdot", "triangle-up")), strict=True))


def training_curves_figure(result, height: int = 380, metrics=METRICS) -> go.Figure:
    """Training loss per epoch (left), and the test metrics per epoch (right):
    ``metrics``, the four but one a page leaves out (claims.metric_caveats).

    Written as figure JSON with two x-axes side by side, as make_subplots
    would lay them out: this figure is drawn for every run a student trains,
    and make_subplots with its checks took ten times longer."""
    k, switch = result.config.k, getattr(result.config, "switch_at", 0)
    epochs = list(range(len(result.metrics)))
    losses = result.losses.tolist()
    # The loss is out of the legend, which stands beside the test metrics and
    # lists them: its own panel's title names it. A switch mid-run changes the
    # loss (another strategy's, or gravity's): its two parts are not joined.
    parts = [(1, losses[:switch]), (switch + 1, losses[switch:])] if switch else [(1, losses)]
    traces = [{"type": "scatter", "x": list(range(first, first + len(part))), "y": part,
               "name": "loss", "mode": "lines+markers", "line": {"color": "#444444"},
               "showlegend": False} for first, part in parts]
    for name in metrics:
        traces.append({"type": "scatter", "xaxis": "x2", "yaxis": "y2", "x": epochs,
                       "y": [m[name] for m in result.metrics], "mode": "lines+markers",
                       "name": metric_label(name, k),
                       "line": {"color": METRIC_COLORS[name], "dash": METRIC_LINES[name][0]},
                       "marker": {"symbol": METRIC_LINES[name][1], "size": 7}})
    names = ["loss", *(metric_label(name, k) for name in metrics)]

    def layout(width_em: float, stacked: bool) -> dict:
        # The legend under the panels, in rows.
        legend_layout, legend_em = legend(names, "", width_em - SIDE_EM)
        heading = (f"training loss: a new loss from {result.FRAME}{NBSP}{switch + 1}" if switch
                   else "training loss")
        shown = pair_layout((heading, "test metrics"), width_em, stacked, height,
                            left_share=0.5, panel_em=12.0, below_em=legend_em + 0.5)
        shown["legend"] = legend_layout | {"x": 0.0, "xanchor": "left", "yanchor": "top",
                                           "y": shown.pop("below")}
        shown.pop("right_em")
        return shown

    layout = pair_variants(layout)
    layout = merged({"font": FONT, "xaxis": {"title": {"text": result.FRAME}},
                     "xaxis2": {"title": {"text": result.FRAME}}}, layout)
    if switch:  # a dotted line in each panel where the run switched
        layout["shapes"] = [{"type": "line", "xref": x, "yref": f"{y} domain", "x0": switch + 0.5,
                             "x1": switch + 0.5, "y0": 0, "y1": 1,
                             "line": {"color": "#767676", "width": 1.5, "dash": "dot"}}
                            for x, y in (("x", "y"), ("x2", "y2"))]
    return go.Figure({"data": traces, "layout": layout}, _validate=False)


# The small multiples' geometry, in em of the figure's font: a run's column at
# the narrowest before the figure takes fewer columns (its panels above each
# other, or side by side), the gaps between panels and runs, and a panel's
# height where the figure's height is not given.
RUN_EM = {False: 14.0, True: 11.0}
GAP_EM = 1.2
PANEL_EM = 13.0
MIN_PANEL_EM = 6.5  # in a figure of a given height; shorter, it takes the height it needs
TITLE_SIZE = 1.0  # a run's title, against the figure's font; its second line
NOTE_SIZE = 0.85  # the picture's faithfulness, smaller
SIDE_EM = 1.4  # the figure's left and right margins together


def small_multiples_figure(dataset, results: dict, cols: int = 3, height: int | None = None,
                           side_by_side: bool = False) -> go.Figure:
    """The final state of several runs, ``cols`` runs to a row: for each, its
    embeddings (a 2D PCA of its own, with how faithful that picture is) above
    what it recommends (exact), or, ``side_by_side``, beside it (a wide screen
    fits more runs that way). ``height``: the figure's (a projector's first
    screen), else as its panels need. On a narrower chart it takes fewer
    columns, and on a phone's one run a row, its two panels side by side (fit.py)."""
    names = list(results)
    k = next(iter(results.values())).config.k
    top = top_length(k, dataset.n_items)
    balanced = {name: tuple(s[-1:] for s in balanced_snapshots(results[name])) for name in names}
    projections = {name: project(*balanced[name], 2) for name in names}
    titles = []
    for name in names:
        result = results[name]
        drawn, full = nearest_spurious(dataset, balanced[name], projections[name], 0, k)
        dim = balanced[name][1].shape[-1]
        in_full = f", {percent(full)} in {dim}D" if dim > 2 else " (all its dimensions)"
        titles.append((run_label(result.config),
                       f"{metric_label('spurious_at_k', k)} = "
                       f"{fmt(result.final_metrics['spurious_at_k'])}",
                       f"{top} nearest: {percent(drawn)} other groups in 2D{in_full}"))
    fig = go.Figure()
    for index, name in enumerate(names):
        result = results[name]
        picture, matrix = _axes(2 * index + 1), _axes(2 * index + 2)
        for trace in static_group_traces(dataset, projections[name], showlegend=index == 0,
                                         size=6, label_size=FONT["size"] - 2):
            # One legend entry per group: the legend's title says which shape is which.
            queries = trace.marker.symbol == "square"
            trace.update(xaxis=picture[0], yaxis=picture[1], showlegend=index == 0 and queries,
                         name=trace.name.split()[0] if queries else trace.name)
            fig.add_trace(trace)
        positions = recommendation_positions(dataset, result.top_k_snapshots[-1])
        styles = recommendation_styles(dataset, k, *matrix, size=3)
        for style, position in zip(styles, positions, strict=True):
            fig.add_trace(go.Scatter({**style, **position, "type": "scatter"}))
        x_layout, y_layout, blocks = recommendation_axes(dataset, *matrix)
        # No labels on these axes, and no margins for them (plotly's automargin).
        bare = {"title": {"text": ""}, "automargin": False}
        fig.layout[_layout_key(matrix[0])] = x_layout | bare | {"anchor": matrix[1]}
        fig.layout[_layout_key(matrix[1])] = y_layout | bare | {"anchor": matrix[0]}
        fig.layout[_layout_key(picture[0])] = bare | {"showticklabels": False, "zeroline": False,
                                                      "anchor": picture[1]}
        fig.layout[_layout_key(picture[1])] = bare | {"showticklabels": False, "zeroline": False,
                                                      "anchor": picture[0]}
        for block in blocks:
            fig.add_shape(block)
    runs = len(names)
    groups = [group_name(g) for g in range(dataset.n_groups)]

    def width_em(columns: int) -> float:  # the narrowest chart with this many runs a row
        return columns * RUN_EM[side_by_side] + (columns - 1) * GAP_EM + SIDE_EM

    # Each number of columns for a chart at least as wide as it needs, and the
    # most columns for one a third wider too, where titles take fewer lines.
    cols = min(cols, runs)
    widths = [(width_em(c) * wider, c) for c in range(cols, 1, -1)
              for wider in ((1.35, 1.0) if c == cols else (1.0,))]
    variants = [{"min_em": width, "layout": _runs_layout(groups, titles, top, c, side_by_side,
                                                         width, height)}
                for width, c in widths[1:]]
    variants.append({"min_em": 0, "layout": _runs_layout(groups, titles, top, 1, True,
                                                         NARROW_WRAP_EM, None)})
    width, _ = widths[0] if widths else (width_em(1), 1)
    layout = _runs_layout(groups, titles, top, cols, side_by_side, width, height)
    fig.update_layout(font=FONT, **with_variants(layout, width, variants))
    return fig


def _axes(number: int) -> tuple[str, str]:
    suffix = "" if number == 1 else str(number)
    return f"x{suffix}", f"y{suffix}"


def _layout_key(axis: str) -> str:
    return f"{axis[0]}axis{axis[1:]}"


def cell_px(height: int | None, title_px: list[float], panels_per_run: int, rows: int,
            gap_px: float) -> float:
    """The height of a run's cell in the last row (its title and panels), in px."""
    if height is None:
        return float("inf")
    panels = (height - 20 - sum(title_px) - gap_px * (rows - 1)
              - gap_px * (panels_per_run - 1) * rows)
    return title_px[-1] + panels / rows


def _runs_layout(names: list[str], titles: list[tuple[str, str, str]], top: int, cols: int,
                 side_by_side: bool, width_em: float, height: int | None) -> dict:
    """The layout of the runs' panels and titles, ``cols`` runs to a row, for
    a chart at least ``width_em`` wide (its titles wrapped to fit that);
    ``height`` px (at the figure's font), else as the panels need."""
    runs = len(titles)
    cols = min(cols, runs)
    rows = -(-runs // cols)
    font = FONT["size"]
    run_em = (width_em - SIDE_EM - (cols - 1) * GAP_EM) / cols
    texts, lines = [], []
    for label, spurious, nearest in titles:
        # The run and its spurious@k on one line where they fit.
        if text_em(f"{label}: {spurious}", TITLE_SIZE) <= run_em:
            heading = [f"<b>{label}</b>: {spurious}"]
        else:
            heading = [f"<b>{line}</b>" for line in wrap(label, run_em, TITLE_SIZE)] + [spurious]
        note_lines = wrap(nearest, run_em, NOTE_SIZE)
        texts.append("<br>".join(heading + [
            f"<span style='font-size:{NOTE_SIZE}em'>{line}</span>" for line in note_lines]))
        lines.append(lines_em(len(heading), TITLE_SIZE) + lines_em(len(note_lines), NOTE_SIZE))
    title_px = [max(lines[r * cols:(r + 1) * cols]) * font + 6 for r in range(rows)]
    gap_px = GAP_EM * font
    panels_per_run = 1 if side_by_side else 2
    # The legend: in the last row's free cells if it has some, else under the panels.
    legend_title = (f"squares: queries, circles: items; {'beside' if side_by_side else 'under'}"
                    f" each picture: what it recommends (top {top})")
    free = rows * cols - runs
    room = free * run_em + (free - 1) * GAP_EM
    legend_layout, legend_em = legend(names, legend_title, room, vertical=True)
    if not free or legend_em * font > cell_px(height, title_px, panels_per_run, rows, gap_px):
        free = 0
        legend_layout, legend_em = legend(names, legend_title, width_em - SIDE_EM)
    top = 10
    bottom = 10 if free else round(10 + gap_px + legend_em * font)
    fixed = sum(title_px) + gap_px * (rows - 1) + gap_px * (panels_per_run - 1) * rows
    if height is not None:
        panel_px = (height - top - bottom - fixed) / (panels_per_run * rows)
    if height is None or panel_px < MIN_PANEL_EM * font:
        panel_px = PANEL_EM * font if side_by_side else 0.85 * PANEL_EM * font
        height = round(fixed + panel_px * panels_per_run * rows + top + bottom)
    inner = height - top - bottom
    run_width = (1 - (cols - 1) * GAP_EM / width_em) / cols
    step = run_width + GAP_EM / width_em
    layout: dict = {"annotations": [], "height": height,
                    "margin": {"l": 10, "r": 10, "t": top, "b": bottom}}
    y = last_row_top = inner
    for row in range(rows):
        y -= title_px[row]
        row_top = last_row_top = y
        for col in range(cols):
            index = row * cols + col
            if index >= runs:
                break
            picture, matrix = _axes(2 * index + 1), _axes(2 * index + 2)
            x0 = col * step
            if side_by_side:
                half = (run_width - GAP_EM / width_em) / 2
                x_domains = ([x0, x0 + half], [x0 + run_width - half, x0 + run_width])
                y_domains = ([row_top - panel_px, row_top],) * 2
            else:
                x_domains = ([x0, x0 + run_width],) * 2
                y_domains = ([row_top - panel_px, row_top],
                             [row_top - 2 * panel_px - gap_px, row_top - panel_px - gap_px])
            for axes, xd, yd in zip((picture, matrix), x_domains, y_domains, strict=True):
                layout[_layout_key(axes[0])] = {"domain": [round(v, 4) for v in xd]}
                layout[_layout_key(axes[1])] = {"domain": [round(max(v, 0) / inner, 4)
                                                           for v in yd]}
            layout["annotations"].append({
                "text": texts[index], "x": x0 + run_width / 2, "y": row_top / inner,
                "xref": "paper", "yref": "paper", "xanchor": "center", "yanchor": "bottom",
                "showarrow": False, "font": {"size": font * TITLE_SIZE}})
        y = row_top - panel_px * panels_per_run - gap_px * (panels_per_run - 1) - gap_px
    if free:
        legend_layout |= {"x": (cols - free) * step, "xanchor": "left",
                          "y": last_row_top / inner, "yanchor": "top"}
    else:
        legend_layout |= {"x": 0, "xanchor": "left", "y": -gap_px / inner, "yanchor": "top"}
    layout["legend"] = legend_layout | {"itemsizing": "constant"}  # not the marks: 6 px
    return layout


def shown_metrics(summaries: list[dict]) -> list[str]:
    """The metrics the summaries have (a page leaves out one that means little)."""
    return [m for m in METRICS if any(row.get(m) is not None for row in summaries)]


def metrics_bar_figure(summaries: list[dict], references: dict[str, dict]) -> go.Figure:
    """One panel per metric, one horizontal bar per strategy (in its own color,
    never a group's), then one hatched bar per reference (e.g. the oracle,
    a random ranking) where it has a value."""
    k = summaries[0]["k"]
    metrics = shown_metrics(summaries)
    rows = [(row["strategy"], row, False) for row in summaries]
    rows += [(who, values, True) for who, values in references.items()]
    fig = make_subplots(rows=1, cols=len(metrics), shared_yaxes=True, horizontal_spacing=0.03,
                        subplot_titles=[metric_label(m, k) for m in metrics])
    for col, metric in enumerate(metrics, start=1):
        shown = [(name, row[metric], reference) for name, row, reference in rows
                 if row.get(metric) is not None]
        fig.add_trace(go.Bar(
            y=[name for name, _, _ in shown], x=[value for _, value, _ in shown],
            orientation="h", showlegend=False, cliponaxis=False,
            marker={"color": ["#FFFFFF" if reference else STRATEGY_COLORS.get(name, "#777777")
                              for name, _, reference in shown],
                    "line": {"color": "#111111", "width": [1 if r else 0 for _, _, r in shown]},
                    "pattern": {"shape": ["/" if r else "" for _, _, r in shown]}},
            text=[fmt(value, short=True) for _, value, _ in shown], textposition="outside",
            hovertemplate="%{y}: %{x:.2f}<extra></extra>"), row=1, col=col)
        # Room for a negative bar's number at its left, off the bars' names.
        low = min([0.0, *(value for _, value, _ in shown)])  # (none: a metric left out)
        fig.update_xaxes(range=[low - (0.3 if low < 0 else 0.05), 1.3], row=1, col=col,
                         showgrid=False,
                         zeroline=True, zerolinecolor="#888888", showticklabels=False)
    fig.update_yaxes(autorange="reversed")
    # Four panels in a row, or two rows of two on a narrower chart (fit.py); the
    # bars' names at the left of each row, in a margin as wide as they need.
    labels_em = max(text_em(name) for name, _, _ in rows) + 1.5
    titles = [metric_label(metric, k) for metric in metrics]

    def layout(width_em: float, cols: int) -> dict:
        shown = grid_layout(titles, cols, width_em - labels_em, BAR_PX * len(rows), 0.3, 0.5,
                            title_size=TITLE_SIZE_BARS)
        for index in range(len(metrics)):
            shown[f"yaxis{index + 1 if index else ''}"] |= {
                "automargin": True, "showticklabels": index % cols == 0}
        return shown

    fig.update_layout(font=FONT, bargap=0.25, **with_variants(
        layout(BARS_WIDE_EM, len(metrics)), BARS_WIDE_EM,
        [{"min_em": NARROW_EM, "layout": layout(NARROW_EM, 2)},
         {"min_em": 0.0, "layout": layout(NARROW_WRAP_EM, 1)}]))
    return fig


BARS_WIDE_EM = 45.0  # the metrics' four panels in a row from this width (in em) up,
# two rows of two from a tablet's width up, one under the other on a phone
BAR_PX = 24  # a bar's height, with the gap to the next
TITLE_SIZE_BARS = 16 / 15  # make_subplots' titles' type, against the figure's
def training_curves_alt(result, metrics=METRICS) -> str:
    """training_curves_figure in words, for a screen reader: its numbers at
    the first and the last epoch."""
    k, last = result.config.k, len(result.metrics) - 1
    switch = getattr(result.config, "switch_at", 0)
    metrics = "; ".join(
        f"{metric_label(name, k)} {fmt(result.metrics[0][name])} to {fmt(result.metrics[-1][name])}"
        for name in metrics)

    def loss(first: int, end: int) -> str:  # one epoch: once, not "and in epoch 1"
        return (f"{result.losses[first - 1]:.3g} in {result.FRAME} {first}"
                + (f" and {result.losses[end - 1]:.3g} in {result.FRAME} {end}"
                   if end > first else ""))

    losses = (f"{loss(1, switch)}, then, a new loss after the switch, {loss(switch + 1, last)}"
              if switch else loss(1, last))
    return (f"Training curves of {run_label(result.config)}. First panel: the training loss, "
            f"{losses}. Second panel: the test metrics after each {result.FRAME}, from "
            f"{result.FRAME} 0 to {last}: {metrics}.")


def small_multiples_alt(dataset, results) -> str:
    """small_multiples_figure in words, for a screen reader: what each panel
    shows and each run's numbers (``results``: the runs, in the figure's order)."""
    results = list(results)
    k = results[0].config.k
    runs = "; ".join(f"{run_label(r.config)}: {metric_label('spurious_at_k', k)} "
                     f"{fmt(r.final_metrics['spurious_at_k'])}, cross-group AUC "
                     f"{fmt(r.final_metrics['cross_group_auc'])}" for r in results)
    return (f"{len(results)} runs on the same data ({dataset.n_groups} groups, "
            f"{len(dataset.test)} held-out queries), each after training: its embeddings in a "
            "2D PCA of its own (squares queries, circles items, each group's name at its "
            f"items' center) and what it recommends, a mark for each query's top "
            f"{quantity(top_length(k, dataset.n_items), 'item')}. "
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
        low, high = min(value for _, value in shown), max(value for _, value in shown)
        refs = [f"{who} {fmt(values[metric])}" for who, values in references.items()
                if values.get(metric) is not None]
        scores = (f"every strategy {fmt(low)}" if fmt(low) == fmt(high) else
                  f"lowest {_scoring(shown, low)} {fmt(low)}, highest {_scoring(shown, high)} "
                  f"{fmt(high)}")
        said.append(f"{metric_label(metric, k)}: {scores}"
                    + (f" ({', '.join(refs)})" if refs else ""))
    names = list(references)
    hatched = listed(names)
    return (f"Bars of {len(shown_metrics(summaries))} metrics for {len(summaries)} strategies"
            + (f", and hatched bars for {hatched}" if names else "") + ". "
            + "; ".join(said) + ".")


def _scoring(shown: list[tuple[str, float]], value: float) -> str:
    """Every strategy of ``shown`` (name, value) whose score reads as ``value``
    does: ties, and scores two decimals cannot tell apart, named together (a
    review's /compare: "highest in-group 0.68" where three strategies read 0.68)."""
    return listed([name for name, v in shown if fmt(v) == fmt(value)])
