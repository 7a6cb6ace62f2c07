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
from plotly.subplots import make_subplots

from recdemo.figures.embedding import Playback
from recdemo.figures.fit import (
    NARROW_WRAP_EM,
    grid_layout,
    merged,
    pair_layout,
    pair_variants,
    text_em,
    with_variants,
    wrap,
)
from recdemo.figures.style import FONT, AnimatedFigure, group_color, group_name, typed_array
from recdemo.negatives import group_matrix, shares, up_to_each_frame


def what_it_counts(result) -> tuple[np.ndarray, str]:
    """The per-epoch table the figure shows, and its name in words: the
    negatives drawn, or for the full softmax the push on them."""
    if result.config.strategy == "full":
        return result.pushed_down, "the push (softmax weight)"
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
        text = [["–" if np.isnan(v) else f"{v:.0%}" for v in row] for row in share[frame]]
        matrix = {"type": "heatmap", "z": np.nan_to_num(share[frame]).tolist(), "text": text}
        return [matrix] + [{"type": "scatter", "y": typed_array(per_item[frame][
            dataset.item_groups == g])} for g in range(G)]

    matrix_style = {"type": "heatmap", "x": names, "y": names, "zmin": 0.0, "zmax": 1.0,
                    "colorscale": "Blues", "texttemplate": "%{text}", "showscale": False,
                    "xaxis": "x", "yaxis": "y",
                    "hovertemplate": "queries of %{y}: %{text} of their "
                                     f"{counted} from %{{x}}<extra></extra>"}
    item_styles = [{"type": "scatter", "mode": "markers", "xaxis": "x2", "yaxis": "y2",
                    "name": names[g], "legendgroup": str(g),
                    "x": typed_array(dataset.item_popularity[dataset.item_groups == g]),
                    "marker": {"color": group_color(g), "size": 6, "opacity": 0.8},
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
        shown = pair_layout(headings, width_em, stacked, height, left_share=0.42,
                            labels_em=max(text_em(name) for name in names))
        shown.pop("below")
        shown["xaxis2"]["title"] = {"text": "<br>".join(wrap(popularity, shown.pop("right_em")))}
        return shown

    spec = {
        "data": traces,
        "frames": [{"name": str(f), "data": data_at(f)} for f in range(len(frames))],
        "layout": merged({
            "font": FONT, "showlegend": False,
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
        text = [["–" if np.isnan(v) else f"{v:.0%}" for v in row] for row in matrix]
        fig.add_trace(go.Heatmap(z=np.nan_to_num(matrix), x=groups, y=groups, text=text,
                                 texttemplate="%{text}", zmin=0.0, zmax=1.0,
                                 colorscale="Blues", showscale=False,
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


MATRICES_EM = 13.0  # a run's matrix of negatives, with its groups' names, at the narrowest

