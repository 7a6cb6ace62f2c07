"""Sampled evaluation: what many papers report, and how it hides folding.

Each held-out positive of a query is ranked against 100 items drawn at
random, from the whole corpus or from the query's own group, instead of
against every item as the metrics of metrics.py rank it. ``protocol_metrics``
sets the sampled two beside the exact two they estimate (the Compare page's
"Evaluation that hides folding").
"""

from __future__ import annotations

import numpy as np

from recdemo.metrics import within_group_recall_at_k

SAMPLED_NEGATIVES = 100  # the common "1 positive + 100 sampled negatives" protocol
SAMPLED_POOLS = ("corpus", "group")


def sampled_recall_at_k(scores, queries, item_groups, k: int, pool: str,
                        negatives: int = SAMPLED_NEGATIVES, seed: int = 0) -> float:
    """Recall@k under a sampled protocol: each held-out positive of each query
    is ranked against its own ``negatives`` items drawn uniformly, with
    replacement, from ``pool``: ``"corpus"`` (every item) or ``"group"`` (the
    query's own group only; a group may hold fewer items than are drawn),
    never one of the query's positives. A hit is a positive with fewer than k
    draws above it (ties share the places left: the expected hit when ties
    are broken at random); the result is the share of hits over all
    (query, positive) pairs. Random scores give k / (negatives + 1). A query
    whose pool holds nothing but its own positives has no negatives to draw
    and is left out; NaN if every query is (a group whose every item is a
    positive of each of its queries).

    Seeded and deterministic: the same ``seed`` draws the same negatives for
    every model, so models are compared on the same sample. The exact metrics
    above rank against every item instead: a model that folds can look
    excellent here, above all against negatives from the query's own group
    (Krichene & Rendle, KDD 2020: sampled metrics need not even keep the
    order of two models).
    """
    if pool not in SAMPLED_POOLS:
        raise ValueError(f"pool must be one of {', '.join(SAMPLED_POOLS)}; got {pool!r}")
    positives = queries.positives  # (m, P), distinct in each row
    m, P = positives.shape
    rng = np.random.default_rng(seed)
    if pool == "corpus":
        start, size = np.zeros(m, dtype=int), np.full(m, len(item_groups))
    else:
        group_size = np.bincount(item_groups)  # items are stored group by group
        group_start = np.concatenate([[0], np.cumsum(group_size)[:-1]])
        start, size = group_start[queries.groups], group_size[queries.groups]
    # Positions in the pool, the query's positives skipped: a uniform draw
    # among the others moves past each excluded position at or below it.
    excluded = np.sort(positives - start[:, None], axis=1)  # positions; outside: never skipped
    excluded = np.where((excluded >= 0) & (excluded < size[:, None]), excluded, np.iinfo(int).max)
    allowed = size - (excluded < np.iinfo(int).max).sum(axis=1)  # (m,)
    u = rng.random((m, P, negatives))  # drawn for every query: the same stream whatever is left out
    position = (u * allowed[:, None, None]).astype(int)
    for column in range(P):  # ascending: each skip can only meet larger exclusions
        position += position >= excluded[:, None, None, column]
    drawn = start[:, None, None] + position  # (m, P, negatives) item ids
    drawable = allowed > 0  # else every "draw" lands past the pool: left out below
    drawn[~drawable] = 0
    rows = np.arange(m)[:, None, None]
    negative_scores = scores[rows, drawn]
    positive_scores = scores[np.arange(m)[:, None], positives][:, :, None]
    above = (negative_scores > positive_scores).sum(axis=2)
    tied = (negative_scores == positive_scores).sum(axis=2)
    hit = np.clip((k - above) / (tied + 1), 0.0, 1.0)
    return float(hit[drawable].mean()) if drawable.any() else float("nan")


def recall_at_k(scores, queries, k: int) -> float:
    """The exact protocol the sampled ones estimate: each held-out positive of
    each query ranked against every item that is not one of the query's
    positives; a hit is a positive with fewer than k of them above it (ties
    share the places left). The share of hits over all (query, positive) pairs."""
    positives = queries.positives
    rows = np.arange(len(scores))[:, None]
    positive_scores = scores[rows, positives][:, :, None]  # (m, P, 1)
    is_positive = np.zeros(scores.shape, dtype=bool)
    is_positive[rows, positives] = True
    others = np.where(is_positive, -np.inf, scores)[:, None, :]  # (m, 1, n)
    above = (others > positive_scores).sum(axis=2)
    tied = (others == positive_scores).sum(axis=2)
    return float(np.clip((k - above) / (tied + 1), 0.0, 1.0).mean())


SAMPLED_METRICS = {"sampled_recall_at_k": "corpus", "own_group_sampled_recall_at_k": "group"}
PROTOCOL_METRICS = ("recall_at_k", *SAMPLED_METRICS, "within_group_recall_at_k")


def protocol_metrics(Q, V, queries, item_groups, k: int, seed: int = 0) -> dict[str, float]:
    """Each held-out positive of the test ``queries``, for the embeddings ``Q``
    and ``V``, ranked four ways: against every other item (``recall_at_k``),
    against 100 sampled from the whole corpus (``sampled_recall_at_k``) and
    from the query's own group (``own_group_sampled_recall_at_k``), and the
    exact metric the last one estimates, ``within_group_recall_at_k`` (every
    item of the own group). The sampled two against their exact two."""
    scores = Q @ V.T
    return {
        "recall_at_k": recall_at_k(scores, queries, k),
        **{name: sampled_recall_at_k(scores, queries, item_groups, k, pool, seed=seed)
           for name, pool in SAMPLED_METRICS.items()},
        "within_group_recall_at_k": within_group_recall_at_k(
            scores, queries.groups, item_groups, queries.positives, k),
    }
