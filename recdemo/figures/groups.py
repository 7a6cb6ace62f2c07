"""Pictures of the data itself, before any model sees it."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from recdemo.figures.fit import (
    AXIS_EM,
    NARROW_EM,
    NARROW_WRAP_EM,
    legend,
    pair_layout,
    pair_variants,
    text_em,
    with_variants,
)
from recdemo.figures.style import FONT, PALETTE, group_color, group_name
from recdemo.projection import Projection, project


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
    fig.update_xaxes(title_text="group", row=1, col=1)
    fig.update_xaxes(title_text="item (by group)", row=1, col=2)
    # Room above the tallest bar, under the panel's title.
    fig.update_yaxes(title_text="count", range=[0, 1.15 * max(max(v) for _, v in counts)],
                     row=1, col=1)
    fig.update_yaxes(title_text="training positives", rangemode="tozero", row=1, col=2)
    headings = ("items (solid) and training queries (hatched) per group",
                "item popularity (training positives)")

    def layout(width_em: float, stacked: bool) -> dict:
        shown = pair_layout(headings, width_em, stacked, height, left_share=0.5, panel_em=12.0,
                            labels_em=max(text_em(name) for name in names))
        shown.pop("below"), shown.pop("right_em")
        return shown

    fig.update_layout(barmode="group", font=FONT, **pair_variants(layout))
    return fig


def latent_figure(dataset, height: int = 450) -> go.Figure:
    """The hidden latent layout the data was generated from (PCA to 2D): the
    groups are far apart here. The model only sees features, not this."""
    proj = project(dataset.test.latent[None], dataset.item_latent[None], 2)
    traces = static_group_traces(dataset, proj, showlegend=True, size=7)
    fig = go.Figure(traces)
    # On a phone the legend goes under the picture, in rows: beside it, it
    # would take half the width.
    below, below_em = legend([trace.name for trace in traces], "", NARROW_WRAP_EM)
    bottom = round((AXIS_EM + below_em) * FONT["size"])
    fig.update_layout(font=FONT, xaxis_title="latent PC1", yaxis_title="latent PC2",
                      **with_variants({"height": height, "margin": {
                          "l": 10, "r": 10, "t": 10, "b": 10}}, NARROW_EM, [{
                          "min_em": 0.0, "layout": {
                              "height": height + bottom, "margin": {"b": bottom},
                              "legend": below | {"x": 0.0, "xanchor": "left", "yanchor": "top",
                                                 "y": -AXIS_EM * FONT["size"] / (height - 20)}}}]))
    return fig


def static_group_traces(dataset, proj: Projection, showlegend: bool, size: int):
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
