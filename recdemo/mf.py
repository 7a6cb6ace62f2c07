"""Matrix factorization (WALS) as a recommender, measured like the softmax models.

    result = train_mf(make_dataset(), MFConfig(unobserved_weight=0.05))

The result has the softmax model's interface (history.TrainHistory: a frame per
sweep, sweep 0 = the random start, the test metrics of every frame) under the
strategy name ``wals``, so the same figures, projection and exports draw it.

New queries (cold start). MF has a row for each training query only, and the
held-out test queries are new to it. Two ways to give one a row:

- ``fold-in``: solve its row from its interactions, as training would have
  (wals.solve_rows, with the same w0 and l2). The interactions it
  brings are a share of its positives: each test query's positives are split
  at random, seeded by the data, into ``P // 2`` that it brings as its history
  and the rest, which every model is scored on (``cold_start_split``). Scoring
  the positives it folded in would grade MF on the answers it was given.
- ``average``: the source's heuristic, the mean row of the training queries
  most similar to it, similar by query features (cosine): before it interacts,
  its features are all a new query has.

The softmax model needs neither: its tower embeds a new query from its features.

New items. An item that no training query interacted with has an empty
column: its row solve has a zero right-hand side, so it gets the zero row,
whatever w0. It scores 0 for every query: below every item a query's row
points toward, above those it points away from, never learned.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, fields
from typing import ClassVar

import numpy as np

from recdemo.data import Dataset, Queries
from recdemo.history import Frames, TrainHistory
from recdemo.metrics import all_metrics, top_k
from recdemo.params import COLD_START_METHODS, PARAMS
from recdemo.references import references
from recdemo.wals import init_factors, interaction_matrix, objective, solve_rows, sweep

# At the default w0 and dimension the objective has all but settled by the 10th
# sweep (what the last sweeps still gain: docs/performance.md). Observed-only MF
# never settles: nothing pins its unobserved scores, and they drift.
SWEEPS = 10
# The objective's l2 (wals.py). Not a control, but it matters at w0 = 0 (scripts/mf_folding.py,
# dimension 4): at 0.01 observed-only MF folds hard and stays folded; at 0.1 it folds, and
# unfolds slowly with more sweeps; at 1 it hardly folds at first, then collapses onto one
# direction shared by every row (every query gets about the same top items).
# At 0.1 random starts keep the groups apart at 12 dimensions or more (the source's "by
# chance"). With w0 = 0.05 all three separate the groups.
L2 = 0.1
AVERAGE_NEIGHBORS = 10  # training queries whose rows the "average" cold start averages


@dataclass(frozen=True)
class MFConfig:
    unobserved_weight: float = PARAMS["unobserved_weight"].default
    mf_dim: int = PARAMS["mf_dim"].default
    cold_start: str = PARAMS["cold_start"].default
    k: int = PARAMS["k"].default
    seed: int = PARAMS["seed"].default
    strategy: ClassVar[str] = "wals"  # its name beside the softmax strategies

    def __post_init__(self):
        for f in fields(self):
            PARAMS[f.name].check(getattr(self, f.name))


@dataclass(frozen=True)
class MFResult(TrainHistory):
    FRAME: ClassVar[str] = "sweep"

    config: MFConfig
    train_query_embeddings: np.ndarray  # (m_train, d) training query rows after the last sweep
    cold_start_metrics: dict[str, dict[str, float]]  # final test metrics by cold-start method


@dataclass(frozen=True)
class ColdStartSplit:
    known: np.ndarray  # (m_test, P // 2) item ids each test query brings: what fold-in sees
    scored: Queries  # the test queries with their other positives: what every model is scored on


def cold_start_split(dataset: Dataset) -> ColdStartSplit:
    """Split each test query's positives at random into the ones it brings
    (``P // 2``, none when P = 1) and the ones it is scored on. The same data
    gives the same split, whatever the model."""
    test = dataset.test
    m, P = test.positives.shape
    rng = np.random.default_rng([dataset.config.seed, 2])  # its own stream, apart from the data's
    shuffled = np.take_along_axis(test.positives, rng.random((m, P)).argsort(axis=1), axis=1)
    known, held_out = shuffled[:, :P // 2], shuffled[:, P // 2:]
    weights = np.full(held_out.shape, 1.0 / held_out.shape[1])
    scored = Queries(test.features, held_out, weights, test.groups, test.latent)
    return ColdStartSplit(known, scored)


def similar_training_queries(dataset: Dataset, count: int = AVERAGE_NEIGHBORS) -> np.ndarray:
    """(m_test, count) ids of the training queries whose features are the most
    similar (cosine) to each test query's, most similar first."""
    def unit(x):
        return x / np.linalg.norm(x, axis=1, keepdims=True)

    return top_k(unit(dataset.test.features) @ unit(dataset.train.features).T, count)


def train_mf(dataset: Dataset, config: MFConfig | None = None, on_sweep=None) -> MFResult:
    """WALS on the training queries' interactions, measured on the test queries
    (new to MF: embedded by ``config.cold_start``) at the start and after each
    sweep. ``on_sweep(sweep, sweeps)`` is called after each sweep (for a progress bar).
    Raises ValueError if the test queries bring nothing to fold in (one
    positive each, kept for scoring) and ``config.cold_start`` is fold-in."""
    config = config or MFConfig()
    start, cpu_start = time.perf_counter(), time.process_time()
    A = interaction_matrix(dataset.train.positives, dataset.n_items)
    split = cold_start_split(dataset)
    if config.cold_start == "fold-in" and not split.known.shape[1]:
        raise ValueError("With 1 positive per query a new query brings nothing to fold in: "
                         "cold_start fold-in needs positives of at least 2 (a new query brings "
                         "half of them and is scored on the rest). Raise positives, or set "
                         "cold_start to average.")
    known = interaction_matrix(split.known, dataset.n_items)
    neighbors = similar_training_queries(dataset)

    def test_query_rows(method, U, V):
        if method == "fold-in":
            return solve_rows(known, V, config.unobserved_weight, L2)
        return U[neighbors].mean(axis=1)

    def measure(Q, V):
        return all_metrics(Q, V, split.scored, dataset.item_groups, config.k)

    rng = np.random.default_rng([config.seed, 1])  # its own stream, apart from the data's
    U, V = init_factors(len(dataset.train), dataset.n_items, config.mf_dim, rng)
    frames, losses = Frames(split.scored, dataset.item_groups, config.k), []

    def snapshot():
        frames.add(test_query_rows(config.cold_start, U, V), V)

    snapshot()
    for number in range(1, SWEEPS + 1):
        U, V = sweep(A, U, V, config.unobserved_weight, L2)
        # per training query
        losses.append(objective(A, U, V, config.unobserved_weight, L2) / len(U))
        snapshot()
        if on_sweep is not None:
            on_sweep(number, SWEEPS)
    train_seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu_start

    return MFResult(
        config=config,
        losses=np.array(losses),
        **frames.arrays(),
        train_seconds=train_seconds,
        cpu_seconds=cpu_seconds,
        train_query_embeddings=U,
        cold_start_metrics={method: measure(test_query_rows(method, U, V), V)
                            for method in COLD_START_METHODS},
    )


def rescored(result: TrainHistory, queries: Queries, item_groups: np.ndarray) -> TrainHistory:
    """A copy of ``result`` whose metrics, every frame, are measured on
    ``queries`` (the same test queries with other positives): to score a
    softmax model on the positives MF's fold-in leaves out."""
    metrics = [all_metrics(Q, V, queries, item_groups, result.config.k)
               for Q, V in zip(result.query_snapshots, result.item_snapshots, strict=True)]
    return dataclasses.replace(result, metrics=metrics)


def items_without_interactions(dataset: Dataset) -> np.ndarray:
    """Ids of the items no training query interacted with: MF gives them the zero row."""
    return np.flatnonzero(dataset.item_popularity == 0)


def mf_references(dataset: Dataset, k: int):
    """The references (references.references) on the positives MF's fold-in
    does not see: what every model on the MF page is scored on."""
    return references(dataset, k, cold_start_split(dataset).scored)
