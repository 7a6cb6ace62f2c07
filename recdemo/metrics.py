"""Folding metrics, measured on held-out test queries.

The ranking metrics take the score matrix ``scores = Q @ V.T`` (m queries x
n items); ``silhouette`` takes the item embeddings. ``all_metrics`` computes
the four from embeddings.
"""

from __future__ import annotations

import numpy as np

METRICS = ("spurious_at_k", "within_group_recall_at_k", "cross_group_auc", "silhouette")


def top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Item ids of each row's k highest scores, best first."""
    return _best_first(scores)[:, :k]


def _best_first(scores: np.ndarray) -> np.ndarray:
    """Each row's item ids from the highest score to the lowest (a reversed
    view of the ascending sort: sorting -scores would first copy them all)."""
    return np.argsort(scores, axis=1)[:, ::-1]


def _own_in_ranking(order, query_groups, item_groups) -> np.ndarray:
    """(m, n) booleans: is the query's j-th best item from its own group? One
    sort and this table serve all three ranking metrics, after every epoch."""
    return item_groups[order] == query_groups[:, None]


def spurious_at_k(scores, query_groups, item_groups, k: int) -> float:
    """Share of each query's top-k items (ranked over the whole corpus) that
    belong to another group, averaged over queries. Random ranking: 1 - 1/G."""
    return _spurious(_own_in_ranking(_best_first(scores), query_groups, item_groups), k)


def _spurious(own_in_ranking, k):
    return float(1.0 - own_in_ranking[:, :k].mean())


def within_group_recall_at_k(scores, query_groups, item_groups, positives, k: int) -> float:
    """Share of a query's own-group positives found in its top-k when only its
    own group is ranked, averaged over the queries that have own-group positives.
    Items tied at the cut-off share its remaining places (the expected recall
    when ties are broken at random)."""
    order = _best_first(scores)
    own = _own_in_ranking(order, query_groups, item_groups)
    return _within_group_recall(scores, order, own, query_groups, item_groups, positives, k)


def _within_group_recall(scores, order, own_in_ranking, query_groups, item_groups,
                         positives, k):
    # The cut-off: the score of each query's k-th best own-group item (or of
    # its last one, when the group has fewer than k items).
    own_count = np.cumsum(own_in_ranking, axis=1)
    wanted = np.minimum(k, own_count[:, -1])
    position = (own_count < wanted[:, None]).sum(axis=1)
    rows = np.arange(len(scores))
    cut = scores[rows, order[rows, position]][:, None]
    # Own items above the cut are in; those at it share the places left.
    own = item_groups[None, :] == query_groups[:, None]
    above = (own & (scores > cut)).sum(axis=1)
    at_cut = (own & (scores == cut)).sum(axis=1)
    own_positive = item_groups[positives] == query_groups[:, None]  # (m, P)
    positive_scores = scores[rows[:, None], positives]
    found = ((own_positive & (positive_scores > cut)).sum(axis=1)
             + (own_positive & (positive_scores == cut)).sum(axis=1) * (wanted - above) / at_cut)
    counts = own_positive.sum(axis=1)
    has = counts > 0
    return float((found[has] / counts[has]).mean())


def cross_group_auc(scores, query_groups, item_groups) -> float:
    """Probability that a random own-group item outscores a random other-group
    item for the same query (ties count half), averaged over queries.
    0.5 = fully folded, 1.0 = separated.

    Per query this is the Mann-Whitney U statistic: the rank sum of the
    own-group items minus its smallest possible value, over (own x other) pairs.
    """
    order = _best_first(scores)
    own = _own_in_ranking(order, query_groups, item_groups)
    return _cross_group_auc(scores, order, own, query_groups, item_groups)


def _cross_group_auc(scores, order, own_in_ranking, query_groups, item_groups):
    n = scores.shape[1]
    if (np.diff(np.take_along_axis(scores, order, axis=1), axis=1) == 0).any():
        from scipy.stats import rankdata  # slow to import, and only needed for ties

        # Tied scores share their average rank (1 = lowest).
        own = item_groups[None, :] == query_groups[:, None]
        rank_sum = (rankdata(scores, axis=1) * own).sum(axis=1)
    else:  # the j-th best of n items has rank n - j
        rank_sum = own_in_ranking @ np.arange(n, 0.0, -1.0)
    n_own = own_in_ranking.sum(axis=1)
    u = rank_sum - n_own * (n_own + 1) / 2
    return float((u / (n_own * (n - n_own))).mean())


def silhouette(V, item_groups) -> float:
    """Mean silhouette of the item embeddings by group, with cosine distance:
    near 1 when each color is a tight cluster far from the others, near 0 (or
    below) when the colors overlap.

    Same definition as sklearn.metrics.silhouette_score(V, groups, metric="cosine")
    (tests check they agree), written with one n x n matrix product because it
    runs after every epoch and sklearn's general version is ~20x slower here.
    """
    norms = np.linalg.norm(V, axis=1, keepdims=True)
    unit = V / np.where(norms > 0, norms, 1.0)
    distance = np.clip(1.0 - unit @ unit.T, 0.0, 2.0)
    np.fill_diagonal(distance, 0.0)
    onehot = item_groups[:, None] == np.arange(item_groups.max() + 1)[None, :]
    sizes = onehot.sum(axis=0)
    mean_to_group = distance @ onehot / sizes  # (n, G) mean distance to each group
    own = onehot.argmax(axis=1)
    own_size = sizes[own]
    a = mean_to_group[np.arange(len(V)), own] * own_size / np.maximum(own_size - 1, 1)
    mean_to_group[np.arange(len(V)), own] = np.inf
    b = mean_to_group.min(axis=1)
    s = np.where(np.maximum(a, b) > 0, (b - a) / np.maximum(np.maximum(a, b), 1e-300), 0.0)
    s[own_size == 1] = 0.0  # sklearn's convention for a group of one
    return float(s.mean())


def all_metrics(Q, V, queries, item_groups, k: int) -> dict[str, float]:
    """The four metrics for the test ``queries`` (a data.Queries) with query
    embeddings ``Q`` and item embeddings ``V``."""
    scores = Q @ V.T
    order = _best_first(scores)
    own = _own_in_ranking(order, queries.groups, item_groups)
    return {
        "spurious_at_k": _spurious(own, k),
        "within_group_recall_at_k": _within_group_recall(
            scores, order, own, queries.groups, item_groups, queries.positives, k
        ),
        "cross_group_auc": _cross_group_auc(scores, order, own, queries.groups, item_groups),
        "silhouette": silhouette(V, item_groups),
    }


def recommendations(query_embedding, V, item_groups, query_group: int, k: int) -> list[dict]:
    """One query's top-k items over the whole corpus, best first, each with its
    group and whether it is spurious (from another group than the query's)."""
    scores = V @ query_embedding
    return [
        {"rank": rank, "item": int(item), "group": int(item_groups[item]),
         "score": float(scores[item]), "spurious": bool(item_groups[item] != query_group)}
        for rank, item in enumerate(top_k(scores[None, :], k)[0], start=1)
    ]
