"""Pictures of the data itself, before any model sees it, each with its
text alternative (``*_alt``)."""

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
from recdemo.figures.style import (
    FONT,
    PALETTE,
    group_color,
    group_label,
    group_label_position,
    group_name,
)
from recdemo.projection import Projection, project
from recdemo.wording import rest_and_share

# Training queries of each group the interaction matrix shows. One value for
# the figure and its text alternative, so that the alt describes the rows drawn.
MAX_QUERIES_PER_GROUP = 50


def interaction_matrix_figure(dataset, max_queries_per_group: int = MAX_QUERIES_PER_GROUP,
                              height: int = 520) -> go.Figure:
    """Training queries x items, both ordered by group: each interaction is
    drawn in its item's color. Colored blocks on the diagonal, and the leak
    as scattered dots off it; each block's group named on both axes."""
    train = dataset.train
    rows = _shown_queries(dataset, max_queries_per_group)
    z = np.full((len(rows), dataset.n_items), np.nan)
    positives = train.positives[rows]
    z[np.arange(len(rows))[:, None], positives] = dataset.item_groups[positives]
    G = dataset.n_groups
    scale = [[v, PALETTE[g]] for g in range(G) for v in (g / G, (g + 1) / G)]
    fig = go.Figure(go.Heatmap(
        z=z, colorscale=scale, zmin=0, zmax=G, showscale=False,
        hovertemplate="query %{y}, item %{x}<extra></extra>", y=rows,
    ))
    row_groups = train.groups[rows]
    fig.update_yaxes(autorange="reversed", title_text="training queries (by group)",
                     type="category", showgrid=False, ticks="",
                     **group_ticks(row_groups, values=rows))
    fig.update_xaxes(title_text="items (by group)", showgrid=False,
                     **group_ticks(dataset.item_groups))
    fig.update_layout(height=height, font=FONT, margin={"l": 10, "r": 10, "t": 10, "b": 10},
                      plot_bgcolor="#FFFFFF")
    return fig


def interaction_matrix_alt(dataset,
                           max_queries_per_group: int = MAX_QUERIES_PER_GROUP) -> str:
    """interaction_matrix_figure in words, for a screen reader: what it shows
    and how much of what it draws is the leak."""
    rows = _shown_queries(dataset, max_queries_per_group)
    leaked = _drawn_leak(dataset, rows)
    own, off = rest_and_share(leaked.mean())  # adding up to 100%, as the Groups page's
    where = (f"{own.capitalize()} of them fall in the blocks on the diagonal, the query's own "
             f"group; {off} are off it, the leak." if leaked.any() else
             "All of them fall in the blocks on the diagonal, the query's own group: none "
             "is off it, none leaks.")
    # The page's text and card give the leak of every training query; where the
    # picture shows fewer and reads otherwise, say both (a review's link,
    # /groups?positives=1&leak=0.5&seed=999: 52% off the diagonal beside 47.5%).
    whole = rest_and_share(dataset.measured_leak, decimals=1)[1]
    if len(rows) < len(dataset.train) and rest_and_share(dataset.measured_leak)[1] != off:
        where += (f" Of all {len(dataset.train):,} training queries' positives, {whole} leak, "
                  "the share the page gives.")
    return (f"Who interacts with what: {len(rows):,} training queries (up to "
            f"{max_queries_per_group} of each group) by {dataset.n_items} items, both ordered "
            f"by group ({dataset.n_groups} groups, named on both axes), a dot in the item's "
            f"color for each of the {leaked.size:,} interactions. {where}")


def interaction_matrix_caption(dataset,
                               max_queries_per_group: int = MAX_QUERIES_PER_GROUP) -> str:
    """How to read interaction_matrix_figure; the dots off the diagonal only
    where it draws some."""
    leaked = _drawn_leak(dataset, _shown_queries(dataset, max_queries_per_group))
    return ("Above, who interacts with what. Rows: training queries, columns: items, both "
            "ordered by group. Each interaction is colored by its item's group: the blocks on "
            "the diagonal are the groups"
            + (", the dots off the diagonal are the leak." if leaked.any() else
               "; no dot is off the diagonal: none of the interactions drawn leaks."))


def _drawn_leak(dataset, rows: np.ndarray) -> np.ndarray:
    """For each interaction of the training queries ``rows``: is its item of
    another group than the query's?"""
    positives = dataset.train.positives[rows]
    return dataset.item_groups[positives] != dataset.train.groups[rows][:, None]


def _shown_queries(dataset, max_queries_per_group: int) -> np.ndarray:
    """The training queries interaction_matrix_figure draws, group by group."""
    groups = dataset.train.groups
    return np.concatenate([np.flatnonzero(groups == g)[:max_queries_per_group]
                           for g in range(dataset.n_groups)])


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
    fig.update_xaxes(title_text="item (by group)", row=1, col=2,
                     **group_ticks(dataset.item_groups))
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


def group_sizes_alt(dataset) -> str:
    """group_sizes_figure in words: the counts per group and the spread of popularity."""
    def counts(groups) -> str:
        per_group = np.bincount(groups, minlength=dataset.n_groups)
        if per_group.min() == per_group.max():
            return f"{per_group[0]} in each group"
        return ", ".join(f"{group_name(g)} {n}" for g, n in enumerate(per_group))
    popularity = dataset.item_popularity
    return (f"First panel, bars per group ({dataset.n_groups} groups): items, "
            f"{counts(dataset.item_groups)}; training queries, {counts(dataset.train.groups)}. "
            f"Second panel, each item's popularity (how often it is a training positive), items "
            f"ordered by group: from {popularity.min()} to {popularity.max()}, median "
            f"{np.median(popularity):g}.")


def latent_figure(dataset, height: int = 450) -> go.Figure:
    """The hidden latent layout the data was generated from (PCA to 2D): the
    groups are far apart here. The model only sees features, not this."""
    traces = static_group_traces(dataset, _latent_projection(dataset), showlegend=True, size=7)
    fig = go.Figure(traces)
    # On a phone the legend goes under the picture, in rows: beside it, it
    # would take half the width.
    below, below_em = legend([trace.name for trace in traces if trace.showlegend], "",
                             NARROW_WRAP_EM)
    bottom = round((AXIS_EM + below_em) * FONT["size"])
    fig.update_layout(font=FONT, xaxis_title="latent PC1", yaxis_title="latent PC2",
                      **with_variants({"height": height, "margin": {
                          "l": 10, "r": 10, "t": 10, "b": 10}}, NARROW_EM, [{
                          "min_em": 0.0, "layout": {
                              "height": height + bottom, "margin": {"b": bottom},
                              "legend": below | {"x": 0.0, "xanchor": "left", "yanchor": "top",
                                                 "y": -AXIS_EM * FONT["size"] / (height - 20)}}}]))
    return fig


def latent_alt(dataset) -> str:
    """latent_figure in words, for a screen reader."""
    shares = ", ".join(f"{v:.0%}" for v in _latent_projection(dataset).explained_variance_ratio)
    return (f"The hidden latent vectors of {len(dataset.test)} held-out queries (squares) and "
            f"{dataset.n_items} items (circles), projected to 2D with PCA ({shares} of the "
            f"variance), one color per group ({dataset.n_groups} groups), each group's name at "
            "its items' center.")


def _latent_projection(dataset) -> Projection:
    return project(dataset.test.latent[None], dataset.item_latent[None], 2)


def static_group_traces(dataset, proj: Projection, showlegend: bool, size: int,
                        label_size: float = FONT["size"]):
    """A queries trace and an items trace per group, from a one-frame 2D
    projection (markers ``size``), then each group's name where its items are
    (style.group_label, type ``label_size``)."""
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
    items = proj.items[0]
    traces += [go.Scatter(group_label(g, size=label_size)
                          | group_label_position(items[dataset.item_groups == g], encode=False))
               for g in range(dataset.n_groups)]
    return traces


def group_ticks(groups: np.ndarray, values=None) -> dict:
    """An axis's ticks for points ordered by group (``groups``, one per
    position): each group's name under the middle of its run, in place of the
    positions' numbers, so the blocks are named without their colors.
    ``values``: the axis's value at each position (a category axis's), the
    position itself otherwise."""
    values = np.arange(len(groups)) if values is None else np.asarray(values)
    present = np.unique(groups)
    middles = [np.flatnonzero(groups == g)[(groups == g).sum() // 2] for g in present]
    return {"tickmode": "array", "tickvals": [values[i].item() for i in middles],
            "ticktext": [group_name(int(g)) for g in present]}
