"""Serving cost: the time to answer one query (its top k over all items) with each model.

- MF, a known query (a training query): its row was computed in training. Look
  it up, score every item, take the top k (``mf_lookup``); or look up its
  top-k list, computed ahead of time, and compute nothing (``mf_precomputed``).
- MF, a new query: fold it in from the items it brings (mf.cold_start_split),
  one d x d solve, then score and take the top k (``mf_fold_in``). The part
  of its system that is the same for every query, w0 V^T V + l2 I, is
  computed once, as a server would.
- The softmax model, any query: the query tower's forward pass on its
  features, then score and take the top k (``softmax``).

Queries are answered one at a time, as a server answers requests, so Python's
per-call overhead is in every figure alike. Timings are of this machine at
this moment: compare figures measured in the same run.
"""

from __future__ import annotations

import time

import numpy as np

from recdemo.data import Dataset
from recdemo.metrics import top_k, top_length
from recdemo.mf import L2, MFResult, cold_start_split
from recdemo.model import query_tower
from recdemo.train import TrainResult

REPEATS = 5  # the best of this many timed passes over the queries


def top_k_of_one(scores: np.ndarray, k: int) -> np.ndarray:
    """The ids of the k highest of one query's scores, best first, without
    sorting them all (what a server does)."""
    k = top_length(k, len(scores))
    best = np.argpartition(scores, -k)[-k:]
    return best[np.argsort(scores[best])[::-1]]


def answerers(dataset: Dataset, mf: MFResult, softmax: TrainResult, k: int) -> dict:
    """name -> answer(i), the top-k item ids of query i, for each way of serving
    above. The MF lookups take training query ids, the others test query ids."""
    U, V = mf.train_query_embeddings, mf.item_embeddings
    precomputed = top_k(U @ V.T, k)  # offline: every known query's list

    w0, d = mf.config.unobserved_weight, V.shape[1]
    # wals.solve_rows' system without the query's own items: the same for every query
    shared = w0 * (V.T @ V) + L2 * np.eye(d)
    known = cold_start_split(dataset).known

    def fold_in(i):
        items = V[known[i]]
        row = np.linalg.solve(shared + (1.0 - w0) * (items.T @ items), items.sum(axis=0))
        return top_k_of_one(V @ row, k)

    features, V_softmax = dataset.test.features, softmax.item_embeddings

    def softmax_answer(i):
        q, _ = query_tower(softmax.tower, features[i:i + 1])
        return top_k_of_one(V_softmax @ q[0], k)

    return {
        "mf_precomputed": lambda i: precomputed[i],
        "mf_lookup": lambda i: top_k_of_one(V @ U[i], k),
        "mf_fold_in": fold_in,
        "softmax": softmax_answer,
    }


def seconds_per_query(answer, queries: int, repeats: int = REPEATS) -> float:
    """The best, over ``repeats`` passes, of the mean time of ``answer(i)`` for
    i = 0 .. queries - 1."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        for i in range(queries):
            answer(i)
        best = min(best, (time.perf_counter() - start) / queries)
    return best


def serving_seconds(dataset: Dataset, mf: MFResult, softmax: TrainResult, k: int,
                    repeats: int = REPEATS) -> dict[str, float]:
    """Seconds per query of each way of serving, each timed on the same number
    of queries (as many as there are training or test queries, the fewer)."""
    queries = min(len(dataset.train), len(dataset.test))
    return {name: seconds_per_query(answer, queries, repeats)
            for name, answer in answerers(dataset, mf, softmax, k).items()}
