"""Plotly figures: queries are squares, items are circles, one color per group.

Figures are built from library results only (Dataset, TrainResult,
Projection); they compute nothing a metric would. The training animation is
plotly's own (frames, a slider and play/pause), so playback runs in the
browser without asking the server for anything.
"""

from __future__ import annotations

import base64

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from recdemo.metrics import METRICS, top_k
from recdemo.projection import Projection, project

# Okabe & Ito's colorblind-safe palette (yellow darkened to read on white).
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#B8A400",
           "#000000")
COLOR_NAMES = ("blue", "orange", "green", "red", "sky", "pink", "yellow", "black")
METRIC_LABELS = {
    "spurious_at_k": "spurious@k",
    "within_group_recall_at_k": "within-group recall@k",
    "cross_group_auc": "cross-group AUC",
    "silhouette": "silhouette",
}
FRAME_MS = 450  # one epoch per frame during playback
FONT = {"size": 15}


def group_name(group: int) -> str:
    return COLOR_NAMES[group]


def group_color(group: int) -> str:
    return PALETTE[group]


def embedding_figure(dataset, result, components: int = 2, selected_query: int | None = None,
                     k: int = 10, height: int = 620) -> go.Figure:
    """PCA scatter of the test queries (squares) and items (circles), with one
    animation frame per epoch. ``selected_query`` (a test query id) is drawn
    large with its top-k items ringed; spurious picks are crossed out in red.

    Built from numpy arrays, and each frame carries only positions: the
    figure is sent to every browser that shows it, so it is kept small.
    """
    projection = project(*balanced_snapshots(result), components)
    epochs = len(projection.queries)
    members = _group_members(dataset)
    frames = [_positions_at(dataset, result, projection, members, epoch, selected_query, k)
              for epoch in range(epochs)]
    hover = _hover_data(dataset, result, selected_query, k)
    styles = _trace_styles(dataset, components, selected_query, k)
    traces = [style | position | extra
              for style, position, extra in zip(styles, frames[-1], hover, strict=True)]
    spec = {
        "data": traces,
        "frames": [{"name": str(epoch), "data": data} for epoch, data in enumerate(frames)],
        "layout": {
            "height": height, "font": FONT, "margin": {"l": 10, "r": 10, "t": 40, "b": 110},
            "legend": {"itemsizing": "constant", "tracegroupgap": 4,
                       "title": {"text": "squares: queries<br>circles: items"}},
            "uirevision": "keep",  # keep zoom and camera when the figure is redrawn
            "updatemenus": [_play_pause(components)],
            "sliders": [_epoch_slider(epochs, epochs - 1, components)],
            "title": {"text": f"{result.config.strategy}: embeddings, PCA of the final epoch"},
            **_fixed_axes(projection),
        },
    }
    return AnimatedFigure(spec)


class AnimatedFigure(go.Figure):
    """A plotly Figure whose animation frames are kept as finished JSON.

    go.Figure turns every trace of every frame into a checked Scatter object;
    for the hundreds of frame traces of an embedding figure that took longer
    than the rest of a page run. Here the frames stay plain dicts of typed
    arrays (tests/test_figures.py checks that they pass plotly's validation),
    and ``to_dict()``, which st.plotly_chart, the HTML export and plotly.io
    call, puts them back. ``fig.frames`` itself is empty.

    ``to_dict()`` shares the figure's JSON instead of deep-copying it as
    plotly does: one cached figure is sent to every browser that shows it,
    and its readers (plotly.io, Streamlit) only read it. The copy took longer
    than all the rest of sending the figure.
    """

    def __init__(self, spec: dict):
        super().__init__({key: spec[key] for key in ("data", "layout")}, _validate=False)
        self._animation_frames = spec["frames"]

    def to_dict(self) -> dict:
        # _data and _layout are plotly's own JSON of the traces and the layout,
        # the same that BaseFigure.to_dict() copies; they follow every update.
        return {"data": self._data, "layout": self._layout, "frames": self._animation_frames}


def with_font_size(fig: go.Figure, size: int) -> go.Figure:
    """A copy of ``fig`` whose text is ``size`` points and whose height grows
    alike, so its legend still fits (a presenter's projector wants larger type);
    ``fig`` itself, maybe cached and shared, is left as it is."""
    spec = fig.to_dict()
    layout = spec["layout"] | {"font": spec["layout"].get("font", {}) | {"size": size}}
    if "height" in layout:
        layout["height"] = round(layout["height"] * size / FONT["size"])
    if isinstance(fig, AnimatedFigure):
        return AnimatedFigure(spec | {"layout": layout})
    return go.Figure(spec | {"layout": layout}, _validate=False)


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


def _trace_styles(dataset, components, selected_query, k):
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
            f"{name} queries", group_color(g), "square", 9, legendgroup=str(g),
            hovertemplate=f"query %{{customdata}} ({name})<br>top recommendation after "
                          "training: %{hovertext}<extra></extra>"))
        styles.append(style(
            f"{name} items", group_color(g), "circle", 7, legendgroup=str(g), opacity=0.75,
            hovertemplate=f"item %{{customdata}} ({name})<extra></extra>"))
    # The inspector's highlight: always present (maybe empty), so every frame has the same traces.
    selected_color = ("#FFFFFF" if selected_query is None
                      else group_color(dataset.test.groups[selected_query]))
    styles.append(style(f"its top {k}", "#111111", "circle-open", 17, "#111111", 3,
                        hovertemplate="recommended item %{customdata}<extra></extra>"))
    cross = "x" if components == 3 else "x-thin-open"  # 3D scenes have fewer symbols
    styles.append(style("spurious pick (other group)", "#D00000", cross, 15,
                        "#D00000", 4, hoverinfo="skip"))
    styles.append(style("selected query", selected_color, "square", 20, "#111111", 3,
                        hovertemplate="selected query %{customdata}<extra></extra>"))
    return styles


def _inspected(dataset, Q, V, selected_query, k):
    """The selected query (as a 0- or 1-element array), its top-k by the
    embeddings Q and V, and the spurious ones."""
    if selected_query is None:
        none = np.array([], dtype=int)
        return none, none, none
    picks = top_k(Q[[selected_query]] @ V.T, k)[0]
    spurious = picks[dataset.item_groups[picks] != dataset.test.groups[selected_query]]
    return np.array([selected_query]), picks, spurious


def _group_members(dataset):
    """Each group's (test query ids, item ids), in group order."""
    return [(np.flatnonzero(dataset.test.groups == g), np.flatnonzero(dataset.item_groups == g))
            for g in range(dataset.n_groups)]


def _positions_at(dataset, result, projection, members, epoch, selected_query, k):
    """Where every trace's points are at one epoch, in trace order."""
    queries, items = projection.queries[epoch], projection.items[epoch]
    selected, picks, spurious = _inspected(
        dataset, result.query_snapshots[epoch], result.item_snapshots[epoch], selected_query, k)
    parts = []
    for query_ids, item_ids in members:
        parts.append(_positions(queries[query_ids]))
        parts.append(_positions(items[item_ids]))
    return parts + [_positions(items[picks]), _positions(items[spurious]),
                    _positions(queries[selected])]


def _hover_data(dataset, result, selected_query, k):
    """Ids and top recommendations of the final model, for hovering and clicking.

    Each point's customdata is its id alone, a 1-D typed array: a click sends
    it back to the page as a plain number (2-D typed arrays come back as
    objects, and nested lists cost plotly a deep copy per point)."""
    scores = result.query_embeddings @ result.item_embeddings.T
    top_item = top_k(scores, 1)[:, 0]
    top_group = dataset.item_groups[top_item]
    selected, picks, _ = _inspected(dataset, result.query_embeddings, result.item_embeddings,
                                    selected_query, k)
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


def typed_array(values, dtype: str = "f4") -> dict:
    """A 1-D array in plotly.js's typed-array form: its bytes in base64, as
    float32 ("f4", plenty for a picture and half of what float64 would send)
    or int32 ("i4", for ids).

    Encoding here, once per cached figure, spares plotly from checking and
    converting each of the hundreds of frame arrays again for every browser
    that is sent the figure (that took longer than the rest of a page run)."""
    data = np.ascontiguousarray(values, dtype="<" + dtype)
    return {"dtype": dtype, "bdata": base64.b64encode(data.tobytes()).decode("ascii")}


def array_values(value) -> list:
    """A figure JSON array as a plain list, whether plotly wrote it as a list
    or in typed-array form (as plotly does for numpy arrays and typed_array here)."""
    if isinstance(value, dict) and "bdata" in value:
        flat = np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
        shape = [int(n) for n in str(value.get("shape", len(flat))).split(",")]
        return flat.reshape(shape).tolist()
    return list(value)


def _animation_args(components, duration):
    # 3D scenes must redraw; 2D scatters can glide from frame to frame.
    return {"frame": {"duration": duration, "redraw": components == 3}, "mode": "immediate",
            "transition": {"duration": duration * 0.6, "easing": "cubic-in-out"},
            "fromcurrent": True}


def _play_pause(components):
    return {
        "type": "buttons", "direction": "left", "x": 0.0, "y": -0.08, "xanchor": "left",
        "yanchor": "top", "pad": {"r": 10, "t": 30}, "showactive": False,
        "buttons": [
            {"label": "▶ Play", "method": "animate",
             "args": [None, _animation_args(components, FRAME_MS)]},
            {"label": "❚❚ Pause", "method": "animate",
             "args": [[None], {"frame": {"duration": 0, "redraw": False}, "mode": "immediate",
                               "transition": {"duration": 0}}]},
        ],
    }


def _epoch_slider(n_frames, active, components):
    return {
        "active": active, "x": 0.2, "len": 0.8, "y": -0.08, "yanchor": "top",
        "pad": {"t": 30},
        "currentvalue": {"prefix": "epoch ", "font": {"size": 16}, "xanchor": "right"},
        "steps": [
            {"label": str(epoch), "method": "animate",
             "args": [[str(epoch)], _animation_args(components, 0)]}
            for epoch in range(n_frames)
        ],
    }


def _fixed_axes(projection: Projection) -> dict:
    """Layout of axes that stay put through the animation, titled with their
    share of the variance."""
    bounds = projection.bounds()
    pad = 0.08 * (bounds[:, 1] - bounds[:, 0]) + 1e-9
    names = ("xaxis", "yaxis", "zaxis")[: projection.components]
    titles = [f"PC{i + 1} ({100 * v:.0f}% of variance)"
              for i, v in enumerate(projection.explained_variance_ratio)]
    axes = {name: {"range": [float(lo - p), float(hi + p)], "autorange": False,
                   "title": {"text": title}}
            for name, (lo, hi), p, title in zip(names, bounds, pad, titles, strict=True)}
    if projection.components == 3:
        return {"scene": axes}
    return {name: axis | {"zeroline": False} for name, axis in axes.items()}


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


def small_multiples_figure(dataset, results: dict, cols: int = 3, height_per_row: int = 330):
    """Final embeddings of several strategies side by side (each its own PCA)."""
    names = list(results)
    rows = -(-len(names) // cols)
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=[
        f"{name}: spurious@{r.config.k} = {r.final_metrics['spurious_at_k']:.2f}"
        for name, r in results.items()
    ], horizontal_spacing=0.04, vertical_spacing=0.12)
    for index, name in enumerate(names):
        result = results[name]
        queries, items = balanced_snapshots(result)
        proj = project(queries[-1:], items[-1:], 2)
        row, col = index // cols + 1, index % cols + 1
        for trace in _static_group_traces(dataset, proj, showlegend=index == 0, size=6):
            fig.add_trace(trace, row=row, col=col)
    fig.update_xaxes(showticklabels=False, zeroline=False)
    fig.update_yaxes(showticklabels=False, zeroline=False)
    # The legend (two entries per group) goes under the panels, in rows: beside
    # a single row of panels it would be taller than they are, and scroll.
    fig.update_layout(height=height_per_row * rows + 70, font=FONT,
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


def interaction_matrix_figure(dataset, max_queries_per_group: int = 50,
                              height: int = 520) -> go.Figure:
    """Training queries x items, both ordered by group: each interaction is
    drawn in its item's color. Colored blocks on the diagonal, and the leak
    as scattered dots off it."""
    train = dataset.train
    rows = np.concatenate([
        np.flatnonzero(train.groups == g)[:max_queries_per_group] for g in range(dataset.n_groups)
    ])
    z = np.full((len(rows), dataset.n_items), np.nan)
    positives = train.positives[rows]
    z[np.arange(len(rows))[:, None], positives] = dataset.item_groups[positives]
    G = dataset.n_groups
    scale = [[v, PALETTE[g]] for g in range(G) for v in (g / G, (g + 1) / G)]
    fig = go.Figure(go.Heatmap(
        z=z, colorscale=scale, zmin=0, zmax=G, showscale=False,
        hovertemplate="query %{y}, item %{x}<extra></extra>", y=rows,
    ))
    fig.update_yaxes(autorange="reversed", title_text="training queries (by group)",
                     type="category", showticklabels=False, showgrid=False)
    fig.update_xaxes(title_text="items (by group)", showgrid=False)
    fig.update_layout(height=height, font=FONT, margin={"l": 10, "r": 10, "t": 10, "b": 10},
                      plot_bgcolor="#FFFFFF")
    return fig


def group_sizes_figure(dataset, height: int = 300) -> go.Figure:
    """Items and training queries per group, and how often each group's items are positives."""
    G = dataset.n_groups
    names = [group_name(g) for g in range(G)]
    fig = make_subplots(rows=1, cols=2, subplot_titles=(
        "items (solid) and training queries (hatched) per group",
        "item popularity (training positives)"))
    counts = [("items", np.bincount(dataset.item_groups, minlength=G)),
              ("queries", np.bincount(dataset.train.groups, minlength=G))]
    for label, values in counts:
        fig.add_trace(go.Bar(x=names, y=values, name=label, marker_color=list(PALETTE[:G]),
                             marker_pattern_shape="" if label == "items" else "/",
                             showlegend=False, hovertemplate=f"%{{y}} {label}<extra></extra>"),
                      row=1, col=1)
    fig.add_trace(go.Scatter(
        x=np.arange(dataset.n_items), y=dataset.item_popularity, mode="markers",
        marker={"color": [PALETTE[g] for g in dataset.item_groups], "size": 5},
        showlegend=False, hovertemplate="item %{x}: %{y} positives<extra></extra>",
    ), row=1, col=2)
    fig.update_layout(barmode="group", height=height, font=FONT,
                      margin={"l": 10, "r": 10, "t": 40, "b": 10})
    return fig


def latent_figure(dataset, height: int = 450) -> go.Figure:
    """The hidden latent layout the data was generated from (PCA to 2D): the
    groups are far apart here. The model only sees features, not this."""
    proj = project(dataset.test.latent[None], dataset.item_latent[None], 2)
    fig = go.Figure(_static_group_traces(dataset, proj, showlegend=True, size=7))
    fig.update_layout(height=height, font=FONT, margin={"l": 10, "r": 10, "t": 10, "b": 10},
                      xaxis_title="latent PC1", yaxis_title="latent PC2")
    return fig


def _static_group_traces(dataset, proj: Projection, showlegend: bool, size: int):
    """A queries trace and an items trace per group, from a one-frame 2D projection."""
    traces = []
    for g in range(dataset.n_groups):
        for points, symbol, label in (
            (proj.queries[0][dataset.test.groups == g], "square", "queries"),
            (proj.items[0][dataset.item_groups == g], "circle", "items"),
        ):
            traces.append(go.Scatter(
                x=points[:, 0], y=points[:, 1], mode="markers", legendgroup=str(g),
                name=f"{group_name(g)} {label}", showlegend=showlegend, hoverinfo="skip",
                marker={"color": group_color(g), "symbol": symbol, "size": size},
            ))
    return traces
