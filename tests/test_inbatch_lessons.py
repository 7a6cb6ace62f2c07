"""The lessons of in-batch negatives, at the default settings with 4, 6 and 8
groups, on seeds 0-7: in-batch and mixed separate by the fold rule of
test_phenomenon.py, the logQ correction raises in-batch's within-group recall
at popularity skew 2, positives-only switched to uniform at half the epochs
comes apart, and sampled evaluation hides in-group's folding.

Every threshold comes from scripts/measure_lessons.py on other seeds (100 and
up): the docstrings say what it measured there. Slow (24 datasets, eleven
runs each, in worker processes, once per session), and part of the README's
test command.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import sys
import types
from concurrent.futures import ProcessPoolExecutor
from functools import cache

import numpy as np
import pytest

from recdemo.data import DataConfig, make_dataset
from recdemo.metrics import protocol_metrics
from recdemo.params import STRATEGIES
from recdemo.train import TrainConfig, one_blas_thread, train

pytestmark = pytest.mark.slow

SEEDS = range(8)
GROUPS = (4, 6, 8)
FOLDING = ("positives-only", "in-group")
SEPARATING = ("full", "uniform", "hard", "in-batch", "mixed")
SKEW = 2.0  # the popularity skew of the logQ lesson
HALF = TrainConfig().epochs // 2  # positives-only switches to uniform after this epoch


def run_case(case) -> dict:
    """Final metrics of every strategy (and how each ranks the held-out
    positives under the sampled and exact protocols), of positives-only
    switched to uniform at half the epochs, and of in-batch with and without
    logQ at popularity skew 2, on one dataset."""
    groups, seed = case
    data = make_dataset(DataConfig(groups=groups, seed=seed))
    out = {}
    for strategy in STRATEGIES:
        result = train(data, TrainConfig(strategy=strategy, seed=seed))
        out[strategy] = {**result.final_metrics,
                         **protocol_metrics(result.query_embeddings, result.item_embeddings,
                                            data.test, data.item_groups, result.config.k)}
    switched = TrainConfig(strategy="positives-only", seed=seed, switch_at=HALF,
                           switch_to="uniform")
    out["switched"] = train(data, switched).final_metrics
    skewed = make_dataset(dataclasses.replace(data.config, popularity_skew=SKEW))
    for logq in (True, False):
        config = TrainConfig(strategy="in-batch", seed=seed, logq_correction=logq)
        out[f"in-batch skewed, logq {logq}"] = train(skewed, config).final_metrics
    return out


CASES = [(groups, seed) for groups in GROUPS for seed in SEEDS]


@cache
def results() -> dict:
    # A new process first runs the parent's __main__ module, which after an
    # AppTest is the script it ran (a page, or a temporary file another test
    # wrote): a stand-in keeps the workers to the library, as ui/workers.py does.
    context = multiprocessing.get_context("forkserver")
    main, sys.modules["__main__"] = sys.modules["__main__"], types.ModuleType("__main__")
    try:
        with ProcessPoolExecutor(max_workers=2, mp_context=context,
                                 initializer=one_blas_thread) as pool:
            return dict(zip(CASES, pool.map(run_case, CASES), strict=True))
    finally:
        sys.modules["__main__"] = main


def seeds_of(groups: int) -> list[dict]:
    return [out for (g, _), out in results().items() if g == groups]


def folds_and_separates(out: dict) -> bool:
    """test_phenomenon.py's rule, with in-batch and mixed among the separating
    strategies: each folding strategy recommends at least 3 times the spurious
    share of the worst separating one and has cross-group AUC <= 0.75; each
    separating strategy has AUC >= 0.9."""
    worst = max(out[s]["spurious_at_k"] for s in SEPARATING)
    return (all(out[s]["spurious_at_k"] >= 3 * worst and out[s]["cross_group_auc"] <= 0.75
                for s in FOLDING)
            and all(out[s]["cross_group_auc"] >= 0.9 for s in SEPARATING))


@pytest.mark.parametrize("groups", GROUPS)
def test_in_batch_and_mixed_separate_as_the_separating_strategies_do(groups):
    """Measured: the rule held on 49 of 50 cases of seeds 100-109 at 4 to 8
    groups (mixed's AUC 0.899 once), and on 40 of 40 at a smaller data size."""
    held = [folds_and_separates(out) for out in seeds_of(groups)]
    assert sum(held) >= 7, f"{sum(held)} of {len(held)} seeds"


@pytest.mark.parametrize("groups", GROUPS)
def test_logq_raises_in_batch_within_group_recall_at_popularity_skew_2(groups):
    """Without the correction, popular items are pushed down as often as they
    are in batches. Measured on seeds 100-139: higher with it in all 200 cases
    (4 to 8 groups), by 0.03 to 0.16, median 0.08."""
    gain = np.array([out["in-batch skewed, logq True"]["within_group_recall_at_k"]
                     - out["in-batch skewed, logq False"]["within_group_recall_at_k"]
                     for out in seeds_of(groups)])
    assert (gain > 0).all(), gain
    assert np.median(gain) >= 0.04, gain


# Separated (AUC >= 0.9) on at least this many of the 8 seeds: measured on
# seeds 100-239, on 86% of them at 4 groups, 94% at 6 and all at 8.
SWITCH_SEPARATES_ON = {4: 5, 6: 6, 8: 8}


@pytest.mark.parametrize("groups", GROUPS)
def test_positives_only_switched_to_uniform_at_half_the_epochs_comes_apart(groups):
    """Every seed comes apart: cross-group AUC at least 0.15 above plain
    positives-only's and spurious@10 below 0.8 of its (measured: at least
    0.175 above on seeds 140-239, at most 0.77 of it on seeds 100-239). Most
    end separated, but not 7 of 8 at 4 and 6 groups (SWITCH_SEPARATES_ON)."""
    outs = seeds_of(groups)
    auc = np.array([out["switched"]["cross_group_auc"] for out in outs])
    spurious = np.array([out["switched"]["spurious_at_k"] for out in outs])
    plain_auc = np.array([out["positives-only"]["cross_group_auc"] for out in outs])
    plain = np.array([out["positives-only"]["spurious_at_k"] for out in outs])
    assert (auc >= plain_auc + 0.15).all(), auc - plain_auc
    assert (spurious < 0.8 * plain).all(), spurious / plain
    assert (auc >= 0.9).sum() >= SWITCH_SEPARATES_ON[groups], auc


def test_in_group_looks_as_good_as_the_best_against_samples_from_its_own_group():
    """Against 100 negatives from the query's own group, in-group's recall@10 is
    about the best strategy's (measured on seeds 100-109 at 4 to 8 groups: rank
    1 to 5 of 8, median 2; 0.067 below the best other strategy's to 0.038
    above), while at least 85% of its top 10 come from other groups (90% from 5
    groups up); against 100 from the whole corpus, and exactly, it is among the
    last two of eight."""
    gaps, ranks = [], []
    for (groups, _), out in results().items():
        own_group = {s: out[s]["own_group_sampled_recall_at_k"] for s in STRATEGIES}
        gaps.append(own_group["in-group"] - max(v for s, v in own_group.items() if s != "in-group"))
        ranks.append(1 + sum(value > own_group["in-group"] for value in own_group.values()))
        assert out["in-group"]["spurious_at_k"] > (0.9 if groups >= 5 else 0.85)
        for metric in ("sampled_recall_at_k", "recall_at_k"):
            below = sum(out[s][metric] < out["in-group"][metric] for s in STRATEGIES)
            assert below <= 1, (metric, below)  # only positives-only, if any
    assert min(gaps) >= -0.08 and np.median(gaps) >= -0.03, gaps
    assert max(ranks) <= 5 and np.median(ranks) <= 3, ranks
