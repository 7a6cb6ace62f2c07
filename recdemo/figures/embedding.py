"""The Train page's picture: the embeddings (PCA; squares are queries, circles
items) beside what the model recommends (exact), one animation frame per epoch.

Both panels, the title and the numbers in it follow the epoch, so what a
student sees at epoch N is all of epoch N. The animation is plotly's own
frames, one per epoch; the chart component (ui/plot.js) draws Play/Pause and
the epoch as controls a keyboard reaches (``Playback``), and playback runs in
the browser without asking the server for anything.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from recdemo.figures.embedding_layout import (
    MEDIUM_EM,
    WIDE_EM,
    WIDER_EM,
    picture_layout,
)
from recdemo.figures.fit import NBSP, merged, with_variants
from recdemo.figures.recommendations import (
    recommendation_axes,
    recommendation_positions,
    recommendation_styles,
)
from recdemo.figures.style import (
    FONT,
    MARK_COLOR,
    SPURIOUS_COLOR,
    AnimatedFigure,
    group_color,
    group_label,
    group_label_3d,
    group_label_position,
    group_name,
    metric_label,
    run_label,
    typed_array,
)
from recdemo.metrics import nearest_spurious_at_k, top_length
from recdemo.projection import Projection, project
from recdemo.wording import fmt, percent, quantity

FRAME_MS = 450  # one epoch per frame during playback


@dataclass(frozen=True)
class Playback:
    """How the chart component replays an animated figure: its frames' names
    in order, the one drawn first (the last), what a frame is ("epoch"), the
    time per frame, and how long 2D points glide between frames (3D cannot)."""

    frames: tuple[str, ...]
    active: int
    label: str
    frame_ms: int = FRAME_MS
    glide_ms: int = 0

    def as_dict(self) -> dict:
        return asdict(self)


def embedding_figure(dataset, result, components: int = 3, inspected_query: int | None = None,
                     height: int = 640, projector: bool = False) -> AnimatedFigure:
    """PCA of the test queries (squares) and items (circles), each group's
    name where its items are, with one animation frame per epoch, beside the
    "what it recommends" matrix. ``inspected_query`` (a test query id) is
    drawn large with its top-k items ringed; spurious picks are crossed out
    in red. The top-k is the run's own (its ``config.k``).

    Traces: each group's queries and items (0, 1, 2, 3...: a click on an
    even one inspects a query), the inspected query's top-k, its spurious
    picks, the query itself, in 2D each group's name (in 3D the names are
    the scene's annotations), then the matrix's.

    Built from numpy arrays, and each frame carries only positions and its
    texts: the figure is sent to every browser that shows it, so it is kept small.

    ``projector``: on a wide chart, the picture as large as it can be, its
    panels ``height`` px tall and its legends and captions below them (the
    presenter view's first screen); else the whole figure ``height`` px tall.
    Narrower charts get narrower layouts (fit.py).
    """
    balanced = balanced_snapshots(result)
    projection = project(*balanced, components)
    epochs, k = len(projection.queries), result.config.k
    members = _group_members(dataset)
    frames = [_positions_at(dataset, result, projection, members, epoch, inspected_query)
              + recommendation_positions(dataset, result.top_k_snapshots[epoch])
              for epoch in range(epochs)]
    parts = [_frame_parts(dataset, result, balanced, projection, epoch, k)
             for epoch in range(epochs)]
    scene_names = [_scene_names(projection, members, epoch) for epoch in range(epochs)]
    styles = (_trace_styles(dataset, components, inspected_query, k)
              + recommendation_styles(dataset, k, "x2", "y2"))
    hover = _hover_data(dataset, result, inspected_query)
    hover += [{}] * (len(styles) - len(hover))  # the names and the matrix: no ids
    traces = [style | position | extra
              for style, position, extra in zip(styles, frames[-1], hover, strict=True)]
    matrix_x, matrix_y, blocks = recommendation_axes(dataset, "x2", "y2")
    legends = ([group_name(g) for g in range(dataset.n_groups)],
               [style["name"] for style in styles[2 * dataset.n_groups:2 * dataset.n_groups + 3]])
    # The widest layout is the figure's own; the others are for narrower charts (fit.py).
    layouts = ([(WIDER_EM, "projector"), (WIDE_EM, "projector")] if projector else [
        (WIDER_EM, "side by side")]) + [(MEDIUM_EM, "side by side"), (0.0, "stacked")]
    widths = [width for width, _ in layouts]
    (wide, wide_frames), *narrower = [
        picture_layout(parts, legends, components, width, kind, height if width else None)
        for width, kind in layouts]
    spec = {
        "data": traces,
        "frames": [{"name": str(epoch), "data": data, "layout": text | names}
                   for epoch, (data, text, names)
                   in enumerate(zip(frames, wide_frames, scene_names, strict=True))],
        "layout": with_variants(merged({
            "font": FONT,
            "uirevision": "keep",  # keep zoom and camera when the figure is redrawn
            # The caption under the matrix names its rows and columns.
            # No labels, no margin for them: plotly would push the margins anyway.
            "xaxis2": matrix_x | {"anchor": "y2", "title": {"text": ""}, "automargin": False},
            "yaxis2": matrix_y | {"anchor": "x2", "title": {"text": ""}, "automargin": False},
            "shapes": blocks,
            **_picture_axes(projection),
        }, merged(wide, wide_frames[-1])), widths[0], [
            {"min_em": width, "layout": merged(layout, texts[-1]), "frames": texts}
            for width, (layout, texts) in zip(widths[1:], narrower, strict=True)]),
    }
    if components == 3:  # the scene's axes and the last frame's names
        spec["layout"]["scene"] |= scene_names[-1]["scene"]
    playback = Playback(tuple(str(epoch) for epoch in range(epochs)), epochs - 1, result.FRAME,
                        glide_ms=int(0.6 * FRAME_MS) if components == 2 else 0)
    return AnimatedFigure(spec, playback.as_dict())


def embedding_alt(dataset, result, components: int) -> str:
    """The picture in words, for a screen reader: what it shows and its main numbers."""
    final, k = result.final_metrics, top_length(result.config.k, dataset.n_items)
    epochs = quantity(len(result.metrics) - 1, result.FRAME)
    # A switched run's label ends "then uniform after epoch 7": its length is said apart.
    trained = (f"{run_label(result.config)}, {epochs} in all" if result.config.switch_at
               else f"{run_label(result.config)} after {epochs}")
    return (f"{trained}. First panel: the embeddings "
            f"projected to {components}D with PCA, "
            f"{len(dataset.test)} held-out queries as squares and {dataset.n_items} items as "
            f"circles, one color per group ({dataset.n_groups} groups), each group's name at "
            f"its items' center. Second panel: what it "
            f"recommends, a mark for each query's top {quantity(k, 'item')}; "
            f"{percent(final['spurious_at_k'])} of them come from other groups, and the "
            f"cross-group AUC is {fmt(final['cross_group_auc'])}.")


def balanced_snapshots(result):
    """Query and item snapshots with the queries scaled by one common factor
    so that, at the final epoch, their mean length equals the items'.

    Query embeddings are often much longer than item embeddings, and a joint
    PCA would then squeeze every item into a dot. Multiplying all query
    vectors by the same positive number changes no ranking (every score of
    every query scales alike), so the picture tells the same story, readably.
    """
    q_norm = np.linalg.norm(result.query_snapshots[-1], axis=1).mean()
    v_norm = np.linalg.norm(result.item_snapshots[-1], axis=1).mean()
    scale = v_norm / q_norm if q_norm > 0 else 1.0
    return result.query_snapshots * scale, result.item_snapshots


def nearest_spurious(dataset, balanced, projection: Projection, frame: int,
                     k: int) -> tuple[float, float]:
    """The share of a query's k nearest items that are from other groups, in
    the picture (at ``frame``) and in the full space of the embeddings it
    projects (``balanced``, as balanced_snapshots returns them): both by
    Euclidean distance, so the gap between the two is the projection's alone.
    Set beside the model's spurious@k, which ranks by score, not distance."""
    groups = dataset.test.groups, dataset.item_groups
    queries, items = balanced
    return (nearest_spurious_at_k(projection.queries[frame], projection.items[frame], *groups, k),
            nearest_spurious_at_k(queries[frame], items[frame], *groups, k))


def _scene_names(projection, members, epoch) -> dict:
    """In 3D, the groups' names, where their items are drawn at ``epoch`` (the
    scene's annotations; in 2D the names are traces)."""
    if projection.components != 3:
        return {}
    return {"scene": {"annotations": [
        group_label_3d(g, _in_picture(projection.items[epoch][item_ids], projection))
        for g, (_, item_ids) in enumerate(members)]}}


def _frame_parts(dataset, result, balanced, projection, epoch, k) -> dict:
    """The texts of one frame, unwrapped: the title (the run, the epoch, its
    numbers), and each panel's caption (the picture's with its measured
    faithfulness)."""
    metrics = result.metrics[epoch]
    drawn, full = nearest_spurious(dataset, balanced, projection, epoch, k)
    in_full = _in_full(full, balanced[1].shape[-1], projection)
    top = top_length(k, dataset.n_items)
    shares = ", ".join(f"{v:.0%}" for v in projection.explained_variance_ratio)
    return {
        "label": run_label(result.config),
        # A number kept on the line of its name.
        "title": (f"{run_label(result.config)}, {result.FRAME} {epoch} of "
                  f"{len(result.metrics) - 1}: {metric_label('spurious_at_k', k)}{NBSP}={NBSP}"
                  f"{fmt(metrics['spurious_at_k'])}, cross-group{NBSP}AUC{NBSP}={NBSP}"
                  f"{fmt(metrics['cross_group_auc'])}"),
        "picture": (f"Squares: queries, circles: items. PCA {projection.components}D "
                    f"({shares} of the variance). From other groups: {percent(drawn)} of a "
                    f"query's {quantity(top, 'nearest item')} here, {in_full}; "
                    f"{percent(metrics['spurious_at_k'])} of its top {top} by score"),
        "matrix": (f"What it recommends (exact): each held-out query's (a row) top "
                   f"{quantity(top, 'item')} (columns)"),
    }


def _in_full(full: float, dim: int, projection: Projection) -> str:
    """The nearest items' share in the embeddings' own space (which the
    picture may show whole: a 2D picture of 2D embeddings)."""
    if dim <= projection.components:
        return f"{percent(full)} in the embeddings themselves (the picture shows all {dim}D)"
    return f"{percent(full)} in all {dim}D"


def _trace_styles(dataset, components, inspected_query, k):
    """Everything about each trace that stays the same across frames."""
    kind = "scatter3d" if components == 3 else "scatter"
    shrink = 0.6 if components == 3 else 1.0

    def style(name, color, symbol, size, line_color=None, line_width=0, **extra):
        return {"type": kind, "name": name, "mode": "markers", **extra, "marker": {
            "color": color, "symbol": symbol, "size": size * shrink,
            "line": {"color": line_color or color, "width": line_width}}}

    styles = []
    for g in range(dataset.n_groups):
        name = group_name(g)
        styles.append(style(
            name, group_color(g), "square", 9, legendgroup=str(g),
            hovertemplate=f"query %{{customdata}} ({name})<br>top recommendation after "
                          "training: %{hovertext}<extra></extra>"))
        # Opaque (a see-through color is a paler one, below 3:1 on white), in
        # a white outline that keeps the squares under them in sight.
        styles.append(style(
            f"{name} items", group_color(g), "circle", 7, "#FFFFFF", 1, legendgroup=str(g),
            showlegend=False, hovertemplate=f"item %{{customdata}} ({name})<extra></extra>"))
    # The inspector's highlight: always present (maybe empty), so every frame has the same traces.
    selected_color = ("#FFFFFF" if inspected_query is None
                      else group_color(dataset.test.groups[inspected_query]))
    # The inspector's traces have a legend of their own (legend2): fit.py places it.
    styles.append(style(f"its top {top_length(k, dataset.n_items)}", MARK_COLOR, "circle-open", 17,
                        MARK_COLOR, 3, legend="legend2",
                        hovertemplate="recommended item %{customdata}<extra></extra>"))
    if components == 3:
        # A 3D scene draws its symbols as characters, and its "x" is the emoji
        # U+274C, which many machines lack (Chromium on Linux drew empty boxes:
        # red bars). The cross is a bold multiplication sign, in every font,
        # over an "x" marker too small to see, which is what the legend shows
        # (at a size of its own, itemsizing "constant"; at size 0 a dot).
        spurious = style("spurious pick (other group)", SPURIOUS_COLOR, "x", 1,
                         legend="legend2", hoverinfo="skip")
        styles.append(spurious | {
            "mode": "markers+text", "text": "×", "textposition": "middle center",
            "textfont": {"color": SPURIOUS_COLOR, "size": 24, "weight": "bold"}})
    else:
        styles.append(style("spurious pick (other group)", SPURIOUS_COLOR, "x-thin-open", 15,
                            SPURIOUS_COLOR, 4, legend="legend2", hoverinfo="skip"))
    styles.append(style("selected query", selected_color, "square", 20, MARK_COLOR, 3,
                        legend="legend2",
                        hovertemplate="selected query %{customdata}<extra></extra>"))
    if components == 3:  # the names are the scene's annotations (_scene_names)
        return styles
    # The groups' names last, over every point: the inspector's rings must not hide them.
    return styles + [group_label(g) for g in range(dataset.n_groups)]


def _inspected(dataset, picks, inspected_query):
    """The selected query (as a 0- or 1-element array), its top-k (from the
    run's ``picks`` of one epoch) and the spurious ones."""
    if inspected_query is None:
        none = np.array([], dtype=int)
        return none, none, none
    picks = picks[inspected_query]
    spurious = picks[dataset.item_groups[picks] != dataset.test.groups[inspected_query]]
    return np.array([inspected_query]), picks, spurious


def _group_members(dataset):
    """Each group's (test query ids, item ids), in group order."""
    return [(np.flatnonzero(dataset.test.groups == g), np.flatnonzero(dataset.item_groups == g))
            for g in range(dataset.n_groups)]


def _positions_at(dataset, result, projection, members, epoch, inspected_query):
    """Where every embedding trace's points are at one epoch, in trace order."""
    queries, items = projection.queries[epoch], projection.items[epoch]
    selected, picks, spurious = _inspected(dataset, result.top_k_snapshots[epoch],
                                           inspected_query)
    parts = []
    for query_ids, item_ids in members:
        parts.append(_positions(queries[query_ids]))
        parts.append(_positions(items[item_ids]))
    labels = ([group_label_position(_in_picture(items[item_ids], projection))
               for _, item_ids in members] if projection.components == 2 else [])
    return parts + [_positions(items[picks]), _positions(items[spurious]),
                    _positions(queries[selected])] + labels


def _hover_data(dataset, result, inspected_query):
    """Ids and top recommendations of the final model, for hovering and clicking.

    Each point's customdata is its id alone, a 1-D typed array: a click sends
    it back to the page as a plain number (2-D typed arrays come back as
    objects, and nested lists cost plotly a deep copy per point)."""
    top_item = result.top_k_snapshots[-1][:, 0]
    top_group = dataset.item_groups[top_item]
    selected, picks, _ = _inspected(dataset, result.top_k_snapshots[-1], inspected_query)
    hover = []
    for query_ids, item_ids in _group_members(dataset):
        hover.append({"customdata": typed_array(query_ids, "i4"), "hovertext": [
            f"item {top_item[q]} ({group_name(top_group[q])})" for q in query_ids]})
        hover.append({"customdata": typed_array(item_ids, "i4")})
    return hover + [{"customdata": typed_array(picks, "i4")}, {},
                    {"customdata": typed_array(selected, "i4")}]


def _positions(points):
    axes = ("x", "y", "z")[: points.shape[1]]
    kind = {"type": "scatter3d" if len(axes) == 3 else "scatter"}
    return kind | {axis: typed_array(points[:, i]) for i, axis in enumerate(axes)}


def plotly_controls(playback: dict, below: int = 20) -> dict:
    """plotly's own Play/Pause buttons and frame slider for ``playback``
    (Playback.as_dict()), for a chart outside the app (the HTML export), where
    no component draws them: layout keys "updatemenus" and "sliders", ``below``
    px under the plot area (under what the figure has there)."""
    def animate(duration, glide):
        return {"frame": {"duration": duration, "redraw": True}, "mode": "immediate",
                "transition": {"duration": glide, "easing": "cubic-in-out"},
                "fromcurrent": True}

    stop = {"frame": {"duration": 0, "redraw": False}, "mode": "immediate",
            "transition": {"duration": 0}}
    return {
        "updatemenus": [{
            "type": "buttons", "direction": "left", "x": 0.0, "y": 0.0, "xanchor": "left",
            "yanchor": "top", "pad": {"r": 10, "t": below}, "showactive": False,
            "buttons": [
                {"label": "▶ Play", "method": "animate",
                 "args": [None, animate(playback["frame_ms"], playback["glide_ms"])]},
                {"label": "❚❚ Pause", "method": "animate", "args": [[None], stop]}]}],
        "sliders": [{
            "active": playback["active"], "x": 0.2, "len": 0.8, "y": 0.0, "yanchor": "top",
            "pad": {"t": below},
            "currentvalue": {"prefix": f"{playback['label']} ", "xanchor": "right"},
            "steps": [{"label": name, "method": "animate", "args": [[name], animate(0, 0)]}
                      for name in playback["frames"]]}],
    }


def _picture_axes(projection: Projection) -> dict:
    """Layout of the picture's axes, fitted to the final epoch (the cloud fills
    the panel when training ends; points of earlier epochs outside it are cut
    off) and kept there through the animation."""
    low, high = _picture_ranges(projection)
    # No axis titles: the caption names the components and their shares (3D
    # axis titles crowd the scene's corners, and a 2D one runs into the caption).
    axes = {name: {"range": [float(lo), float(hi)], "autorange": False, "title": {"text": ""}}
            for name, lo, hi in zip(("xaxis", "yaxis", "zaxis"), low, high, strict=False)}
    for axis in axes.values():  # PCA coordinates have no units to read: no tick labels
        axis["showticklabels"] = False
        if projection.components == 2:
            axis["automargin"] = False
    if projection.components == 3:
        return {"scene": axes | {"aspectmode": "cube",
                                 "camera": {"eye": {"x": 1.0, "y": 1.0, "z": 0.62}}}}
    return {name: axis | {"zeroline": False} for name, axis in axes.items()}


def _picture_ranges(projection: Projection) -> tuple[np.ndarray, np.ndarray]:
    """The low and the high end of each of the picture's axes: the final
    epoch's points and a margin."""
    low, high = projection.final_bounds
    pad = 0.06 * (high - low) + 1e-9
    return low - pad, high + pad


def _in_picture(points: np.ndarray, projection: Projection) -> np.ndarray:
    """Those of ``points`` inside the picture's axes (all of them if none is):
    a group's name goes to the center of what is drawn of it, since a point
    of an early epoch outside the axes is cut off, and so is a name."""
    low, high = _picture_ranges(projection)
    inside = ((points >= low) & (points <= high)).all(axis=1)
    return points[inside] if inside.any() else points
