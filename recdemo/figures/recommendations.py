"""What it recommends: the held-out queries x the items, both ordered by group,
with a mark where the item is in the query's top-k, in the item's color.

No projection is involved: this picture is exact. Separated, the marks sit in
the blocks on the diagonal (each query's own group); folded, they fall in
other groups' columns. It is the same form as the Groups page's "who
interacts with what", so the two can be read side by side.
"""

from __future__ import annotations

import numpy as np

from recdemo.figures.style import group_color, group_name, typed_array
from recdemo.metrics import top_length

# The outline of a group's block on the diagonal (where a separated model's
# marks go): at least 3:1 against white, as every mark a reading relies on.
BLOCK_LINE = "#8C8C8C"


def recommendation_positions(dataset, picks: np.ndarray) -> list[dict]:
    """One position dict per item group: x = item id, y = test query id of each
    (query, item) with the item among the query's ``picks`` (m, k), its top-k.
    Items and test queries are stored group by group, so ids are positions."""
    queries = np.repeat(np.arange(len(picks)), picks.shape[1])
    items = picks.ravel()
    item_groups = dataset.item_groups[items]
    return [{"type": "scatter", "x": typed_array(items[item_groups == g], "i2"),
             "y": typed_array(queries[item_groups == g], "i2")}
            for g in range(dataset.n_groups)]


def recommendation_styles(dataset, k: int, xaxis: str = "x", yaxis: str = "y",
                          size: float = 4) -> list[dict]:
    """The traces' looks, one per item group (kept out of the legend: the
    embedding traces of the same legend group name the colors)."""
    k = top_length(k, dataset.n_items)
    return [{"type": "scatter", "mode": "markers", "xaxis": xaxis, "yaxis": yaxis,
             "name": f"{group_name(g)} items in a top {k}", "legendgroup": str(g),
             "showlegend": False,
             "marker": {"symbol": "square", "size": size, "color": group_color(g)},
             "hovertemplate": f"query %{{y}}: item %{{x}} ({group_name(g)}) is in its "
                              f"top {k}<extra></extra>"}
            for g in range(dataset.n_groups)]


def recommendation_axes(dataset, xaxis: str = "x", yaxis: str = "y") -> tuple[dict, dict, list]:
    """Layout of the two axes (items across, queries down) and one outlined
    block per group on the diagonal: where a separated model's marks go."""
    n, m, G = dataset.n_items, len(dataset.test), dataset.n_groups
    x_layout = {"range": [-0.5, n - 0.5], "autorange": False, "showgrid": False,
                "zeroline": False, "showticklabels": False,
                "title": {"text": "items"}}
    y_layout = {"range": [m - 0.5, -0.5], "autorange": False, "showgrid": False,
                "zeroline": False, "showticklabels": False,
                "title": {"text": "held-out queries"}}
    item_edges = np.flatnonzero(np.diff(dataset.item_groups, prepend=-1, append=G))
    query_edges = np.flatnonzero(np.diff(dataset.test.groups, prepend=-1, append=G))
    blocks = [{"type": "rect", "xref": xaxis, "yref": yaxis, "layer": "below",
               "x0": float(item_edges[g]) - 0.5, "x1": float(item_edges[g + 1]) - 0.5,
               "y0": float(query_edges[g]) - 0.5, "y1": float(query_edges[g + 1]) - 0.5,
               "line": {"color": BLOCK_LINE, "width": 1}, "fillcolor": "#F4F4F4"}
              for g in range(G)]
    return x_layout, y_layout, blocks
