"""What each kind of work the app gives a worker costs, in CPU-seconds on one
BLAS thread, from its sizes: a softmax run, a matrix factorization run, the
MF page's measurement, one cell of the Why sample? page's measurement, the
data's references (the oracle).

    seconds = mf_seconds(data, MFConfig(mf_dim=32))

The app's queue (backend/scheduler.py) orders runs and counts each client's budget
by these estimates, so a run must be priced by its size whatever its kind: a
fixed price puts the largest MF runs in the smallest size class, where the
budget never engages. Each estimate is a sum of terms (the work's loops,
counted from its sizes) times seconds per unit, fitted to measurements by
``python scripts/fit_work_cost.py`` (non-negative least squares on the
relative error; it prints these constants). tests/test_work_cost.py checks
each kind at the smallest, default and largest sizes against CPU-seconds
measured there, within a factor of 2.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.stats import binom

from recdemo.data import FEATURES, DataConfig
from recdemo.mf import SWEEPS, MFConfig
from recdemo.params import PARAMS
from recdemo.references import NEGLIGIBLE, QUADRATURE_NODES
from recdemo.samplers import HARD_POOL_SIZE
from recdemo.step_cost import CostConfig
from recdemo.train import TrainConfig

# Seconds per unit of each term, as `python scripts/fit_work_cost.py` fitted
# them (it prints how well they fit; docs/performance.md has the latest fit).
# A softmax run: per gradient step, per query through the tower, per scored
# item, per item a hard sampler scores, and the metrics after every epoch.
TRAIN_COEFFICIENTS = (2.7e-4, 1.1e-9, 1.9e-10, 2.9e-8, 1.8e-9)
# Matrix factorization, its measurement, a cost cell and the references: see
# their terms below. The worst fits are the smallest cells, where Python's
# own overhead varies most.
MF_COEFFICIENTS = (0.0086, 1.7e-10, 4.6e-10, 3.3e-09)
MF_COMPARISON_COEFFICIENTS = (0.013, 1e-08, 8.5e-09)
STEP_COST_COEFFICIENTS = (0.005, 1.3e-08, 2.2e-10, 1.3e-08, 1.7e-09, 0)
REFERENCES_COEFFICIENTS = (0.00017, 8.6e-09, 1.4e-08, 0)


def _sizes(data: DataConfig) -> tuple[int, int, int]:
    """Items, training queries and test queries of ``data``."""
    return (data.groups * data.items_per_group, data.groups * data.queries_per_group,
            data.groups * data.test_queries_per_group)


def _metrics_term(data: DataConfig, dim: int, frames: int) -> float:
    """The test metrics ``frames`` times: every test query scores and sorts every item."""
    items, _, test = _sizes(data)
    return frames * test * items * (dim + math.log2(items))


def train_terms(data: DataConfig, config: TrainConfig) -> np.ndarray:
    """A softmax run: its epochs, each with the strategy (and gravity) it
    trains with in that epoch (a run can switch mid-run)."""
    epochs = [(config.strategy_in_epoch(e), config.gravity_in_epoch(e))
              for e in range(1, config.epochs + 1)]
    terms = sum(_epoch_terms(data, config, strategy) for strategy, _ in epochs)
    return terms + np.array([0, 0, 0, 0, _metrics_term(data, config.dim, config.epochs + 1)])


def _epoch_terms(data: DataConfig, config: TrainConfig, strategy: str) -> np.ndarray:
    """One epoch of ``strategy``: its gradient steps, its queries through the
    tower, the items each query scores (in-batch: the distinct positives of
    the batch, shared by its queries; mixed: those and its own uniform draws),
    and the items a hard sampler scores."""
    items, train_queries, _ = _sizes(data)
    steps = -(-train_queries // config.batch_size)
    if strategy in ("full", "hard"):
        scored = items  # every item, for every query
    elif strategy in ("in-batch", "mixed"):
        scored = min(items, config.batch_size * data.positives)
        scored += config.negatives if strategy == "mixed" else 0
    else:
        scored = data.positives + (config.negatives if strategy != "positives-only" else 0)
    hard = train_queries * items if strategy == "hard" else 0
    return np.array([steps, train_queries * (FEATURES + config.dim) * config.hidden,
                     train_queries * scored * config.dim, hard, 0.0], dtype=float)


def mf_terms(data: DataConfig, config: MFConfig) -> np.ndarray:
    """A WALS run: SWEEPS sweeps of row solves (one d x d solve per query and
    item row, and the observed pairs' outer products), the cold start's
    fold-in solve at every frame, and the metrics at every frame."""
    items, train_queries, test = _sizes(data)
    d = config.mf_dim
    solves = SWEEPS * (train_queries + items) + (SWEEPS + 1) * test
    observed = SWEEPS * 2 * train_queries * data.positives + (SWEEPS + 1) * test * data.positives
    return np.array([1.0, solves * d**3, observed * d**2,
                     _metrics_term(data, d, SWEEPS + 1)], dtype=float)


def comparison_terms(data: DataConfig, mf: MFConfig) -> np.ndarray:
    """The MF page's measurement beyond training MF and uniform again: the
    softmax runs scored again, MF's candidates ranked, and serving timed on
    as many queries as there are test queries (each way of serving a fixed
    number of times)."""
    items, _, test = _sizes(data)
    return np.array([1.0, _metrics_term(data, PARAMS["dim"].high, 4),
                     test * items * mf.mf_dim], dtype=float)


def step_cost_terms(strategy: str, n_items: int, config: CostConfig) -> np.ndarray:
    """One cell of step_cost.measure: building the item table and its
    optimizer state, a random batch, then a warm-up step and ``repeats`` timed
    steps: the full softmax over every item, a sampled one over its
    candidates' rows (and hard negatives over their pool)."""
    steps = 1 + config.repeats
    candidates = config.batch_size * (PARAMS["positives"].default + config.negatives)
    full = strategy == "full"
    return np.array([1.0, config.batch_size * FEATURES + n_items * config.dim,
                     steps * config.batch_size * n_items * config.dim * full,
                     steps * candidates * config.dim * (not full),
                     steps * config.batch_size * min(n_items, HARD_POOL_SIZE) * config.dim
                     * (strategy == "hard"),
                     steps], dtype=float)


def references_terms(data: DataConfig) -> np.ndarray:
    """references.references: the oracle's chance of every (test query, item),
    in closed form for a group's first two slots and by the exponential-race
    integral (a count up to P over the group's items at every node) for each
    (query, group) likely to get three or more; then the ranking metrics."""
    items, _, test = _sizes(data)
    per_group, P = data.items_per_group, data.positives
    share = data.leak / max(data.groups - 1, 1)
    others_integrated = binom.sf(2, P, share) > NEGLIGIBLE  # the leaked groups too
    pairs = test * (1 + (data.groups - 1) * others_integrated) if P >= 3 else 0
    return np.array([1.0, test * items * math.log2(items),
                     pairs * QUADRATURE_NODES * per_group * P,
                     pairs * QUADRATURE_NODES * per_group * P * P], dtype=float)


def run_seconds(data: DataConfig, config: TrainConfig | MFConfig) -> float:
    """A run's cost, a softmax run or matrix factorization."""
    if isinstance(config, MFConfig):
        return mf_seconds(data, config)
    return train_seconds(data, config)


def train_seconds(data: DataConfig, config: TrainConfig) -> float:
    return float(train_terms(data, config) @ TRAIN_COEFFICIENTS)


def mf_seconds(data: DataConfig, config: MFConfig) -> float:
    return float(mf_terms(data, config) @ MF_COEFFICIENTS)


def mf_comparison_seconds(data: DataConfig, mf: MFConfig, uniform: TrainConfig) -> float:
    """mf_comparison.measure: MF and uniform trained again, then the rest."""
    return (mf_seconds(data, mf) + train_seconds(data, uniform)
            + float(comparison_terms(data, mf) @ MF_COMPARISON_COEFFICIENTS))


def step_cost_seconds(strategy: str, n_items: int, config: CostConfig) -> float:
    return float(step_cost_terms(strategy, n_items, config) @ STEP_COST_COEFFICIENTS)


def references_seconds(data: DataConfig) -> float:
    return float(references_terms(data) @ REFERENCES_COEFFICIENTS)
