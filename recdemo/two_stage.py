"""Two stages: matrix factorization retrieves candidates, a softmax model ranks them.

The source's conclusion: "it is usually acceptable for DNN models to fold,
since you mostly care about ranking a pre-filtered set of candidates assumed
to be relevant". Here MF (with a w0 that separates the groups) retrieves each
test query's top ``candidates`` items, and a folded softmax model (``in-group``:
good inside each group, blind across groups) ranks only those. Its final top-k
is measured with the same metrics as every model, on the positives the MF
cold start did not see (mf.cold_start_split).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from recdemo.data import Dataset
from recdemo.history import TrainHistory
from recdemo.metrics import ranking_metrics, top_k, top_length
from recdemo.mf import MFResult, cold_start_split

# The first stage retrieves this many times k items per query. The folded scorer ranks
# another group's item high, so every one in the candidates is likely to reach the top k:
# the candidates must be few enough to be clean (README, "Two stages").
CANDIDATES_PER_K = 3


@dataclass(frozen=True)
class TwoStageResult:
    retrieved: np.ndarray  # (m_test, candidates) item ids from the first stage, best first
    recommended: np.ndarray  # (m_test, k) the final top-k, best first: ranked by the scorer
    metrics: dict[str, float]  # the ranking metrics of the final ranking
    retrieved_spurious: float  # share of the candidates from another group than their query's


def two_stage(dataset: Dataset, retriever: MFResult, scorer: TrainHistory,
              candidates: int | None = None) -> TwoStageResult:
    """Retrieve ``candidates`` items per test query (CANDIDATES_PER_K x k, at
    most all items, if None) with ``retriever``'s final embeddings, rank them with ``scorer``'s,
    and keep the top k, k being the retriever's cut-off.

    The final ranking puts the retrieved items first, in the scorer's order,
    and every other item after them, all tied (the ranking metrics count a
    tie as a coin toss)."""
    k = retriever.config.k
    n = dataset.n_items
    candidates = min(CANDIDATES_PER_K * k, n) if candidates is None else candidates
    if not top_length(k, n) <= candidates <= n:
        raise ValueError(f"candidates must be an integer from k ({top_length(k, n)}) to the number "
                         f"of items ({n}); got {candidates!r}")
    retrieved = top_k(retriever.query_embeddings @ retriever.item_embeddings.T, candidates)
    scores = scorer.query_embeddings @ scorer.item_embeddings.T
    final = np.full(scores.shape, scores.min() - 1.0)  # not retrieved: below every retrieved item
    rows = np.arange(len(scores))[:, None]
    final[rows, retrieved] = scores[rows, retrieved]

    scored = cold_start_split(dataset).scored
    metrics = ranking_metrics(final, scored, dataset.item_groups, k)
    retrieved_spurious = float(
        (dataset.item_groups[retrieved] != scored.groups[:, None]).mean())
    return TwoStageResult(retrieved, top_k(final, k), metrics, retrieved_spurious)
