"""Folding metrics, measured on held-out test queries.

The ranking metrics take the score matrix ``scores = Q @ V.T`` (m queries x
n items); ``silhouette`` takes embeddings. ``all_metrics`` computes the four
from a model's embeddings. The references every number is read against (the
oracle and a random ranking) are in references.py.
"""

from __future__ import annotations

import numpy as np

METRICS = ("spurious_at_k", "within_group_recall_at_k", "cross_group_auc", "silhouette")


def top_length(k: int, n_items: int) -> int:
    """How many items a top-k list holds: k, or every item where k is past the corpus."""
    return min(k, n_items)


def top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Item ids of each row's k highest scores, best first. (A partition finds
    the k, then only they are sorted: no full sort of every row.)"""
    if k >= scores.shape[1]:
        return _best_first(scores)
    highest = np.argpartition(scores, -k, axis=1)[:, -k:]  # the k best, in no order
    order = np.argsort(np.take_along_axis(scores, highest, axis=1), axis=1)[:, ::-1]
    return np.take_along_axis(highest, order, axis=1)


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
    belong to another group, averaged over queries. Random ranking: 1 - 1/G.

    Only which items are in a top-k counts, not their order: the k-th best
    score of each row (a partition of the values, several times faster than
    one of their ids) marks them, unless a tie there leaves the top k to how
    the tie is broken; then the ids of top_k decide, as always."""
    in_top = _in_top_k(scores, k)
    if in_top is None:
        return _spurious(_own_in_ranking(top_k(scores, k), query_groups, item_groups), k)
    own = item_groups[None, :] == query_groups[:, None]
    # The same count of own-group items over as many (query, rank) cells as
    # _spurious takes the mean of: the same number, to the bit.
    return float(1.0 - np.count_nonzero(own & in_top) / in_top.sum())


def _in_top_k(scores, k: int) -> np.ndarray | None:
    """(m, n) booleans: is the item among the row's k highest scores? None if
    in some row more than k items reach its k-th highest score (a tie at the
    cut-off, or a NaN)."""
    n = scores.shape[1]
    if k >= n:
        return np.ones(scores.shape, dtype=bool)
    kth = np.partition(scores, n - k, axis=1)[:, n - k, None]
    in_top = scores >= kth
    return in_top if (np.count_nonzero(in_top, axis=1) == k).all() else None


def _spurious(own_in_ranking, k):
    return float(1.0 - own_in_ranking[:, :k].mean())


def within_group_recall_at_k(scores, query_groups, item_groups, positives, k: int) -> float:
    """Share of a query's own-group positives found in its top-k when only its
    own group is ranked, averaged over the queries that have own-group positives.
    Items tied at the cut-off share its remaining places (the expected recall
    when ties are broken at random)."""
    return float(within_group_recall_per_query(scores, query_groups, item_groups, positives,
                                               k).mean())


def within_group_recall_per_query(scores, query_groups, item_groups, positives,
                                  k: int) -> np.ndarray:
    """The recall of each query that has own-group positives (their mean is
    within_group_recall_at_k): to tell a difference between two rankings
    from the noise of a finite test set."""
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
    return _recall_at_cut(scores, cut, wanted, above, at_cut, query_groups, item_groups,
                          positives)


def _recall_at_cut(scores, cut, wanted, above, at_cut, query_groups, item_groups, positives):
    """Each query's recall given its cut-off score ``cut`` (m, 1), the places
    ``wanted``, and how many own-group items are ``above`` and ``at_cut`` it:
    own positives above are found, those at it share the places left."""
    rows = np.arange(len(scores))
    own_positive = item_groups[positives] == query_groups[:, None]  # (m, P)
    positive_scores = scores[rows[:, None], positives]
    found = ((own_positive & (positive_scores > cut)).sum(axis=1)
             + (own_positive & (positive_scores == cut)).sum(axis=1) * (wanted - above) / at_cut)
    counts = own_positive.sum(axis=1)
    has = counts > 0
    return found[has] / counts[has]


def _within_group_recall_in_blocks(scores, query_groups, item_groups, positives, k, size):
    """_within_group_recall, to the bit, where the items are stored group by
    group in blocks of ``size`` (group_blocks; as data.py stores them): the
    cut-off is then the k-th highest of a query's ``size`` own-group scores
    (a partition of a few values, no ranking), and the counts above and at it
    are over its own block instead of all n items."""
    own_scores = scores.reshape(len(scores), -1, size)[np.arange(len(scores)), query_groups]
    wanted = min(k, size)
    cut = np.partition(own_scores, size - wanted, axis=1)[:, size - wanted, None]
    above = (own_scores > cut).sum(axis=1)
    at_cut = (own_scores == cut).sum(axis=1)
    return _recall_at_cut(scores, cut, wanted, above, at_cut, query_groups, item_groups,
                          positives)


def group_blocks(item_groups) -> int | None:
    """The size of each group's block if the items are stored group by group
    in blocks of one size (as data.py stores them), else None."""
    n_groups = int(item_groups.max()) + 1 if len(item_groups) else 0
    size, rest = divmod(len(item_groups), max(n_groups, 1))
    if rest or not size or not np.array_equal(item_groups, np.repeat(np.arange(n_groups), size)):
        return None
    return size


def cross_group_auc(scores, query_groups, item_groups) -> float:
    """Probability that a random own-group item outscores a random other-group
    item for the same query (ties count half), averaged over queries.
    1.0 = separated; 0.5 = chance; below 0.5 other groups' items rank ahead.

    Per query this is the Mann-Whitney U statistic: the rank sum of the
    own-group items minus its smallest possible value, over (own x other) pairs.
    """
    order = _best_first(scores)
    own = _own_in_ranking(order, query_groups, item_groups)
    return _cross_group_auc(scores, order, own, query_groups, item_groups)


def _cross_group_auc(scores, order, own_in_ranking, query_groups, item_groups,
                     ascending_scores=None):
    n = scores.shape[1]
    # Ties: two equal neighbours in a row's ranking (ascending, if it is at
    # hand: the same neighbours, faster to gather than in the reversed order).
    ranked = (np.take_along_axis(scores, order, axis=1) if ascending_scores is None
              else ascending_scores)
    if (ranked[:, 1:] == ranked[:, :-1]).any():  # two neighbours equal
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
    """Mean silhouette of the embeddings ``V`` by group, with cosine distance:
    near 1 when each color is a tight cluster far from the others, near 0 (or
    below) when the colors overlap. (``all_metrics`` passes the held-out
    queries and the items together.)

    Same definition as sklearn.metrics.silhouette_score(V, groups, metric="cosine")
    (tests check they agree), without its n x n distance matrix, because it
    runs after every epoch: the cosine distance 1 - u_i . u_j is linear in
    u_j, so the mean distance from a point to a group is one dot product
    with the sum of that group's unit vectors.
    """
    norms = np.linalg.norm(V, axis=1, keepdims=True)
    unit = V / np.where(norms > 0, norms, 1.0)  # a zero vector stays 0: distance 1 to all
    onehot = item_groups[:, None] == np.arange(item_groups.max() + 1)[None, :]
    sizes = onehot.sum(axis=0)
    rows = np.arange(len(V))
    own = onehot.argmax(axis=1)
    own_size = sizes[own]
    total_distance = sizes[None, :] - unit @ (onehot.T @ unit).T  # (n, G) sum of distances
    # A point's distance to itself (1 - |u_i|^2: 0, or 1 for a zero vector) is not counted.
    total_distance[rows, own] -= 1.0 - (unit * unit).sum(axis=1)
    a = total_distance[rows, own] / np.maximum(own_size - 1, 1)
    mean_to_group = total_distance / sizes
    mean_to_group[rows, own] = np.inf
    b = mean_to_group.min(axis=1)
    s = np.where(np.maximum(a, b) > 0, (b - a) / np.maximum(np.maximum(a, b), 1e-300), 0.0)
    s[own_size == 1] = 0.0  # sklearn's convention for a group of one
    return float(s.mean())


def nearest_spurious_at_k(query_points, item_points, query_groups, item_groups,
                          k: int) -> float:
    """The share of each query's k nearest items by Euclidean distance that
    belong to another group. On the points a picture draws it says what a
    reader who takes "near" for "recommended" reads off the picture; on the
    embeddings the picture projects, the same share without the projection."""
    # |q - v|^2 = |q|^2 - 2 q.v + |v|^2, and |q|^2 is the same for all of a
    # query's items: one matrix product, no (queries, items, components) array.
    sq_dist = (item_points ** 2).sum(axis=1)[None, :] - 2 * query_points @ item_points.T
    return spurious_at_k(-sq_dist, query_groups, item_groups, k)


def all_metrics(Q, V, queries, item_groups, k: int) -> dict[str, float]:
    """The four metrics for the test ``queries`` (a data.Queries) with query
    embeddings ``Q`` and item embeddings ``V``. The silhouette is that of the
    test queries and the items together, each by its group: the points the
    embedding picture shows."""
    return metrics_and_top_k(Q, V, queries, item_groups, k)[0]


def metrics_and_top_k(Q, V, queries, item_groups, k: int) -> tuple[dict[str, float],
                                                                   np.ndarray]:
    """all_metrics and top_k(Q @ V.T, k), sharing one sort of the scores:
    what a history keeps of each frame. The top-k is the head of the ranking
    the metrics sort, where a row's k + 1 best scores are distinct (then its
    k best and their order are the ones top_k finds); top_k's own if not."""
    scores = Q @ V.T
    ranked, ascending, ascending_scores = _ranking(scores, queries, item_groups, k)
    metrics = ranked | {"silhouette": silhouette(np.concatenate([Q, V]),
                                                 np.concatenate([queries.groups, item_groups]))}
    n = scores.shape[1]
    if k >= n:
        return metrics, ascending[:, ::-1]  # top_k's whole ranking: _best_first's
    head = ascending_scores[:, n - k - 1:]
    if (np.diff(head, axis=1) > 0).all():
        return metrics, ascending[:, :n - k - 1:-1]
    return metrics, top_k(scores, k)


def ranking_metrics(scores, queries, item_groups, k: int) -> dict[str, float]:
    """spurious@k, within-group recall@k and cross-group AUC of a score matrix
    (test queries x items), sharing one sort."""
    return _ranking(scores, queries, item_groups, k)[0]


def _ranking(scores, queries, item_groups, k: int):
    """ranking_metrics, and the ascending sort it made: each row's item ids
    and their scores, lowest first. The metrics read the reversed views (the
    best first): the own-group table is gathered in ascending order, and its
    reversed view holds what _own_in_ranking(_best_first(scores)) does,
    faster."""
    ascending = np.argsort(scores, axis=1)
    order = ascending[:, ::-1]  # _best_first(scores)
    own = (item_groups[ascending] == queries.groups[:, None])[:, ::-1]
    # The scores in that order: sorted values are the values the ids gather
    # (equal values are equal, and only comparisons read them), sorted faster.
    ascending_scores = np.sort(scores, axis=1)
    blocks = group_blocks(item_groups)
    ranked = {
        "spurious_at_k": _spurious(own, k),
        "within_group_recall_at_k": float((
            _within_group_recall(scores, order, own, queries.groups, item_groups,
                                 queries.positives, k) if blocks is None else
            _within_group_recall_in_blocks(scores, queries.groups, item_groups,
                                           queries.positives, k, blocks)).mean()),
        "cross_group_auc": _cross_group_auc(scores, order, own, queries.groups, item_groups,
                                            ascending_scores),
    }
    return ranked, ascending, ascending_scores


def recommendations(query_embedding, V, item_groups, query_group: int, k: int) -> list[dict]:
    """One query's top-k items over the whole corpus, best first, each with its
    group and whether it is spurious (from another group than the query's)."""
    scores = V @ query_embedding
    return [
        {"rank": rank, "item": int(item), "group": int(item_groups[item]),
         "score": float(scores[item]), "spurious": bool(item_groups[item] != query_group)}
        for rank, item in enumerate(top_k(scores[None, :], k)[0], start=1)
    ]


def spurious_count(picks: list[dict]) -> int:
    """How many of ``recommendations``' picks are spurious: that query's
    spurious@k times k."""
    return sum(pick["spurious"] for pick in picks)


# What a model learned, beyond the four metrics: the Lesson uses these to say
# how positives-only folds (one shared direction, lengths that drive scores).

def mean_cosine(V) -> float:
    """Mean cosine similarity over all pairs of rows of ``V``: near 1 when every
    embedding points the same way, near 0 when they spread out."""
    norms = np.linalg.norm(V, axis=1, keepdims=True)
    unit = V / np.where(norms > 0, norms, 1.0)
    n = len(V)
    total = unit.sum(axis=0)
    return float((total @ total - (unit * unit).sum()) / (n * (n - 1)))


def length_score_correlation(Q, V) -> float:
    """Correlation, over the items, between an item's length and its mean
    score over the queries ``Q``: near 1 when long items score high for
    everyone, whichever query asks."""
    return float(np.corrcoef(np.linalg.norm(V, axis=1), (Q @ V.T).mean(axis=0))[0, 1])


def cross_group_overlap(picks, query_groups) -> float:
    """Share of their top-k two queries of different groups have in common,
    averaged over all such pairs (``picks``: (m, k) item ids). Near 0 when
    each group gets its own items; high when everyone gets the same ones."""
    m, k = picks.shape
    chosen = np.zeros((m, picks.max() + 1))
    chosen[np.arange(m)[:, None], picks] = 1.0
    shared = chosen @ chosen.T / k  # (m, m) share of the top-k in common
    other = query_groups[:, None] != query_groups[None, :]
    return float(shared[other].mean())
