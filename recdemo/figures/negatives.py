"""Where the negatives came from: the cause beside the effect.

Left, a groups x groups matrix: the share of each query group's negatives
that came from each item group (for the full softmax, whose negatives are
every other item, the share of the push: the softmax weight on them, the
gradient mass pushing items down). Right, every item: how often it was a
negative (or how hard it was pushed) against its popularity. One frame per
epoch, the totals up to it (recdemo/negatives.py), replayed like the
embedding picture.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.colors import sequential
from plotly.subplots import make_subplots

from recdemo.figures.embedding import Playback
from recdemo.figures.fit import (
    AXIS_EM,
    LINE_EM,
    NARROW_WRAP_EM,
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
from recdemo.figures.style import (
    FONT,
    AnimatedFigure,
    group_color,
    group_name,
    run_label,
    typed_array,
)
from recdemo.negatives import group_matrix, shares, up_to_each_frame
from recdemo.wording import fmt, percent, quantity

# Each group's items in a shape of their own, named in the legend: the groups'
# clouds overlap here (popularity, not the group, sets where an item lies),
# so a name at each cloud's center would pile up where shapes still tell the
# groups apart without their colors.
ITEM_SYMBOLS = ("circle", "square", "diamond", "triangle-up", "triangle-down", "star",
                "hexagon", "cross")

LEGEND_GAP_EM = 0.6  # between the axis titles and the legend under them
MATRICES_EM = 13.0  # a run's matrix of negatives, with its groups' names, at the narrowest

# Light for none, a medium blue for all, spelled out: plotly.js's own "Blues"
# (what an animated figure's frames get) runs the other way from plotly.py's.
# Blues stops at its sixth color: black text (SHARES_TEXT) reads on every
# cell at 6.2:1 or more. Darker, neither plotly's own text colors (#444 or
# white) reached 4.5:1 on the middle blues (a review: 3.5 to 4.0:1 on a
# diagonal of 50%), and black fails on the darkest.
LIGHT_BLUES = sequential.Blues[:6]
SHARES_SCALE = [[i / (len(LIGHT_BLUES) - 1), color] for i, color in enumerate(LIGHT_BLUES)]
SHARES_TEXT = {"color": "#000000"}
# What both pictures of the shares (one run's, every run's) draw them with.
SHARES_STYLE = {"zmin": 0.0, "zmax": 1.0, "colorscale": SHARES_SCALE, "texttemplate": "%{text}",
                "textfont": SHARES_TEXT, "showscale": False}


def what_it_counts(result) -> tuple[np.ndarray, str]:
    """The per-epoch table the figure shows, and its name in words: the
    negatives drawn, or for the full softmax the push on them."""
    if result.config.strategy == "full":
        return result.pushed_down, "push (softmax weight)"
    return result.negatives_seen, "negatives drawn"


def negatives_figure(dataset, result, height: int = 420) -> AnimatedFigure:
    """The groups x groups shares and the per-item totals, a frame per epoch."""
    table, counted = what_it_counts(result)
    frames = up_to_each_frame(table)  # (epochs + 1, G, n)
    share = shares(group_matrix(frames, dataset.item_groups))  # (frames, G, G)
    per_item = frames.sum(axis=1)  # (frames, n)
    G = dataset.n_groups
    names = [group_name(g) for g in range(G)]

    def data_at(frame: int) -> list[dict]:
        text = [["–" if np.isnan(v) else percent(v, short=True) for v in row]
                for row in share[frame]]
        matrix = {"type": "heatmap", "z": np.nan_to_num(share[frame]).tolist(), "text": text}
        return [matrix] + [{"type": "scatter", "y": typed_array(per_item[frame][
            dataset.item_groups == g])} for g in range(G)]

    matrix_style = {"type": "heatmap", "x": names, "y": names, **SHARES_STYLE,
                    "xaxis": "x", "yaxis": "y",
                    "hovertemplate": "queries of %{y}: %{text} of their "
                                     f"{counted} from %{{x}}<extra></extra>"}
    item_styles = [{"type": "scatter", "mode": "markers", "xaxis": "x2", "yaxis": "y2",
                    "name": names[g], "legendgroup": str(g),
                    "x": typed_array(dataset.item_popularity[dataset.item_groups == g]),
                    "marker": {"color": group_color(g), "size": 7, "symbol": ITEM_SYMBOLS[g],
                               "line": {"color": "#FFFFFF", "width": 0.5}},
                    "hovertemplate": f"an item of {names[g]}: %{{x}} training positives, "
                                     f"%{{y:.4g}} {counted}<extra></extra>"}
                   for g in range(G)]
    last = len(frames) - 1
    traces = [style | frame for style, frame in zip([matrix_style, *item_styles], data_at(last),
                                                     strict=True)]
    top = float(max(per_item[-1].max(), 1.0))
    headings = (f"Share of each query group's {counted}", f"Each item: {counted}, by popularity")
    popularity = "item popularity (training positives)"

    def layout(width_em: float, stacked: bool) -> dict:
        # The legend (each group's shape) under the panels, in rows, and under
        # the popularity axis's title, which a narrow panel wraps.
        legend_layout, legend_em = legend(names, "items of", width_em - 2)

        def shown_with(extra_em: float) -> dict:
            return pair_layout(headings, width_em, stacked, height, left_share=0.42,
                               labels_em=max(text_em(name) for name in names),
                               below_em=legend_em + 0.5 + extra_em)

        title = wrap(popularity, shown_with(0.0)["right_em"])
        # The axis title's lines past its first; side by side, the matrix's
        # group names, which plotly turns on a narrow panel, their gaps and
        # its axis title, past the room pair_layout keeps for an axis.
        labels_em = (0.0 if stacked else
                     max(text_em(name) for name in names) + LINE_EM + 1.0 - AXIS_EM)
        extra_em = max(lines_em(len(title) - 1), labels_em) + LEGEND_GAP_EM
        shown = shown_with(extra_em)
        below = shown.pop("below")  # under the axis title's first line
        inner = -AXIS_EM * FONT["size"] / below
        shown["legend"] = legend_layout | {
            "x": 0.0, "xanchor": "left", "yanchor": "top", "itemsizing": "constant",
            "y": below - extra_em * FONT["size"] / inner}
        shown.pop("right_em")
        shown["xaxis2"]["title"] = {"text": "<br>".join(title)}
        return shown

    spec = {
        "data": traces,
        "frames": [{"name": str(f), "data": data_at(f)} for f in range(len(frames))],
        "layout": merged({
            "font": FONT,
            "xaxis": {"title": {"text": "item group"}, "side": "bottom"},
            "yaxis": {"autorange": "reversed", "title": {"text": "query group"}},
            "yaxis2": {"range": [-0.03 * top, 1.05 * top], "title": {"text": counted}},
        }, pair_variants(layout)),
    }
    playback = Playback(tuple(str(f) for f in range(len(frames))), last, result.FRAME)
    return AnimatedFigure(spec, playback.as_dict())


def negatives_small_multiples(dataset, results: dict, cols: int = 4,
                              height_per_row: int = 260) -> go.Figure:
    """The groups x groups shares of every run's negatives over its whole
    training (``results``: label -> run), one small matrix per run; a run
    with no negatives (positives-only) has an empty one, and says so."""
    names = list(results)
    rows = -(-len(names) // cols)
    groups = [group_name(g) for g in range(dataset.n_groups)]
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=names, horizontal_spacing=0.06,
                        vertical_spacing=0.16)
    for index, name in enumerate(names):
        table, counted = what_it_counts(results[name])
        matrix = shares(group_matrix(table.sum(axis=0), dataset.item_groups))
        text = [["–" if np.isnan(v) else percent(v, short=True) for v in row] for row in matrix]
        fig.add_trace(go.Heatmap(z=np.nan_to_num(matrix), x=groups, y=groups, text=text,
                                 **SHARES_STYLE,
                                 hovertemplate=f"{name}: queries of %{{y}}, %{{text}} of their "
                                               f"{counted} from %{{x}}<extra></extra>"),
                      row=index // cols + 1, col=index % cols + 1)
    fig.update_yaxes(autorange="reversed")
    # Fewer matrices to a row on a narrower chart, one on a phone's (fit.py);
    # each about square, its groups' names at its left and under it.
    left_em = max(text_em(name) for name in groups) + 1.0

    def layout(width_em: float, columns: int) -> dict:
        side_px = min((width_em - columns * (left_em + 1)) / columns * FONT["size"],
                      height_per_row)
        shown = grid_layout(names, columns, width_em - left_em, side_px, left_em, 4.5)
        for index in range(len(names)):
            shown[f"yaxis{index + 1 if index else ''}"] |= {"automargin": True}
        return shown

    widths = [(columns, MATRICES_EM * columns) for columns in (cols, 2)]
    fig.update_layout(font=FONT, **with_variants(
        layout(widths[0][1], cols), widths[0][1],
        [{"min_em": width, "layout": layout(width, columns)} for columns, width in widths[1:]]
        + [{"min_em": 0.0, "layout": layout(NARROW_WRAP_EM, 1)}]))
    return fig


def negatives_alt(dataset, result) -> str:
    """negatives_figure in words, for a screen reader: what it shows and its
    main numbers, over the run's whole training (the last frame)."""
    table, _ = what_it_counts(result)
    noun, counted = (("push", "push (the softmax's weight on its negatives)")
                     if result.config.strategy == "full" else ("negatives", "negatives drawn"))
    total = table.sum(axis=0)  # (G, n)
    label, frames = run_label(result.config), quantity(len(table), result.FRAME)
    if not total.any():
        return f"{label} drew no negatives in {frames}: the figure is empty."
    own = np.diag(shares(group_matrix(total, dataset.item_groups)))
    low, high = int(np.nanargmin(own)), int(np.nanargmax(own))
    spread = (f"{percent(own[low])} for every group" if percent(own[low]) == percent(own[high])
              else f"{percent(own[low])} ({group_name(low)}) to {percent(own[high])} "
                   f"({group_name(high)})")  # not "100% (blue) to 100% (blue)"
    # A switch to or from positives-only: only some epochs drew any.
    drew = int(np.count_nonzero(table.reshape(len(table), -1).any(axis=1)))
    some = f", {drew} of which drew any" if drew < len(table) else ""
    return (f"Where the {noun} of {label} came from, over {frames} of training{some}. First "
            f"panel: for each of the {dataset.n_groups} query groups, the share of its "
            f"{counted} from each item group; from the query's own group, {spread}, "
            f"{1 / dataset.n_groups:.0%} if spread evenly. Second panel: each of the "
            f"{dataset.n_items} items' {noun} against its popularity, "
            + _correlation_text(dataset.item_popularity, total.sum(axis=0)) + ".")


def negatives_small_multiples_alt(dataset, results: dict) -> str:
    """negatives_small_multiples in words: for each run, the share of the
    negatives that came from the query's own group, over the groups."""
    said = []
    for name, result in results.items():
        table, _ = what_it_counts(result)
        total = table.sum(axis=0)
        own = np.diag(shares(group_matrix(total, dataset.item_groups)))
        said.append(f"{name}: {percent(np.nanmean(own))}" if total.any() else f"{name}: none")
    article = "an" if dataset.n_groups == 8 else "a"  # "an 8 by 8", "a 6 by 6"
    return (f"For each of {len(results)} runs, {article} {dataset.n_groups} by {dataset.n_groups} "
            "matrix: the share of each query group's negatives (for the full softmax, of its "
            "push) that came from each item group over the whole training. From the query's "
            f"own group, on average over the groups ({1 / dataset.n_groups:.0%} if spread "
            "evenly): " + "; ".join(said) + ".")


def _correlation_text(x: np.ndarray, y: np.ndarray) -> str:
    if np.ptp(x) == 0 or np.ptp(y) == 0:
        return "the same for every item" if np.ptp(y) == 0 else "every item equally popular"
    return f"correlation {fmt(np.corrcoef(x, y)[0, 1])}"  # 0.9998 is not 1.00
