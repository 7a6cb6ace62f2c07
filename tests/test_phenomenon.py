"""The lesson itself, across the region reliability.py promises: every group
count from 4 to 8, ten data seeds each, at the default data size and at a
smaller one, with the default training. What the pages say about each
strategy is checked here on the same runs.

Slow (about 700 runs, trained in parallel in worker processes, each (data,
strategy) once per session), and part of the README's test command.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from functools import cache

import numpy as np
import pytest

from recdemo.data import DataConfig, make_dataset
from recdemo.metrics import cross_group_overlap, length_score_correlation, mean_cosine
from recdemo.params import STRATEGIES
from recdemo.reliability import RELIABLE_GROUPS, RELIABLE_LEAK, SMALLEST_CHECKED_DATA
from recdemo.train import TrainConfig, one_blas_thread, train

pytestmark = pytest.mark.slow

SEEDS = range(10)
GROUPS = range(RELIABLE_GROUPS[0], RELIABLE_GROUPS[1] + 1)
SMALL = {"items_per_group": 30, "queries_per_group": 140}  # between smallest and default
SIZES = {"default": {}, "small": SMALL, "smallest": SMALLEST_CHECKED_DATA}
FOLDING = ("positives-only", "in-group")  # nothing pushes other groups' items down
SEPARATING = ("full", "uniform", "hard")
GRAVITIES = (0.01, 1.0, 10.0)


def case_data(groups: int, seed: int, size: str) -> DataConfig:
    return DataConfig(groups=groups, seed=seed, leak=RELIABLE_LEAK, **SIZES[size])


def run_case(args) -> dict:
    """Final metrics (and what positives-only learned) of every strategy, and of
    positives-only with a few gravities, on one dataset."""
    groups, seed, size = args
    data = make_dataset(case_data(groups, seed, size))
    out = {}
    for strategy in STRATEGIES:
        result = train(data, TrainConfig(strategy=strategy, seed=seed))
        Q, V = result.query_embeddings, result.item_embeddings
        out[strategy] = {**result.final_metrics, "mean_cosine": mean_cosine(V),
                         "length_score_correlation": length_score_correlation(Q, V),
                         "cross_group_overlap": cross_group_overlap(result.top_k_snapshots[-1],
                                                                    data.test.groups)}
    if size == "default":
        for gravity in GRAVITIES:
            config = TrainConfig(strategy="positives-only", seed=seed, gravity=gravity)
            out[f"gravity {gravity}"] = train(data, config).final_metrics
    return out


CASES = [(groups, seed, size) for size in ("default", "small") for groups in GROUPS
         for seed in SEEDS] + [(groups, seed, "smallest") for groups in GROUPS for seed in (0, 1)]


@cache
def results() -> dict:
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(max_workers=2, mp_context=context,
                             initializer=one_blas_thread) as pool:
        return dict(zip(CASES, pool.map(run_case, CASES), strict=True))


def cases(size=None):
    return {case: out for case, out in results().items() if size in (None, case[2])}


def folds_and_separates(out: dict) -> bool:
    """The fold rule: each folding strategy recommends at least 3 times the
    spurious share of the worst separating one and has cross-group AUC <= 0.75;
    each separating strategy has AUC >= 0.9."""
    worst = max(out[s]["spurious_at_k"] for s in SEPARATING)
    return (all(out[s]["spurious_at_k"] >= 3 * worst and out[s]["cross_group_auc"] <= 0.75
                for s in FOLDING)
            and all(out[s]["cross_group_auc"] >= 0.9 for s in SEPARATING))


@pytest.mark.parametrize("size", ["default", "small"])
@pytest.mark.parametrize("groups", GROUPS)
def test_the_lesson_holds_on_nine_seeds_in_ten(groups, size):
    held = [folds_and_separates(out) for (g, _, s), out in cases(size).items() if g == groups]
    assert len(held) == len(SEEDS)
    assert sum(held) >= 0.9 * len(held), f"{sum(held)} of {len(held)} seeds"


def test_the_lesson_holds_on_the_smallest_checked_data():
    held = [folds_and_separates(out) for out in cases("smallest").values()]
    assert sum(held) >= 0.9 * len(held), f"{sum(held)} of {len(held)}"


# What the Lesson says, on every case above -----------------------------------

def every(strategy, name):
    return np.array([out[strategy][name] for out in cases().values()])


def test_positives_only_has_the_lowest_within_group_recall_of_all_strategies():
    recall = {s: every(s, "within_group_recall_at_k") for s in STRATEGIES}
    others = np.min([recall[s] for s in STRATEGIES if s != "positives-only"], axis=0)
    assert (recall["positives-only"] < others).all()


def test_positives_only_points_everything_one_way_and_lets_length_decide():
    """Its item embeddings share one direction, an item's length decides its
    score for every query, and queries of different groups get much the same
    top-k; uniform's do none of that."""
    assert every("positives-only", "mean_cosine").min() > 0.3
    assert every("uniform", "mean_cosine").max() < 0.1
    assert every("positives-only", "length_score_correlation").min() > 0.5
    assert every("uniform", "length_score_correlation").max() < 0.3
    assert every("positives-only", "cross_group_overlap").min() > 0.2
    assert every("uniform", "cross_group_overlap").max() < 0.05


def test_in_group_is_good_inside_a_group_and_folds_across():
    """Within-group recall within 0.1 of full's, yet most of its top-k from other
    groups and an average own-group item below an average other-group item."""
    recall_gap = every("in-group", "within_group_recall_at_k") - every(
        "full", "within_group_recall_at_k")
    assert np.abs(recall_gap).max() <= 0.1
    assert every("in-group", "spurious_at_k").min() > 0.8
    assert every("in-group", "cross_group_auc").max() < 0.5


def test_silhouette_mostly_ranks_every_separating_strategy_above_both_folding_ones():
    """Mostly, not always: it measures the embeddings' shape, not what they
    recommend, and a partly folded positives-only can score as high as full
    (one case in 110 when this was written: 4 groups, seed 8)."""
    separated = np.min([every(s, "silhouette") for s in (*SEPARATING, "popularity")], axis=0)
    folded = np.max([every(s, "silhouette") for s in FOLDING], axis=0)
    assert (separated > folded).mean() >= 0.95


def test_gravity_from_001_to_1_at_least_halves_positives_only_spurious_and_10_is_too_much():
    default = cases("default").values()
    plain = np.array([out["positives-only"]["spurious_at_k"] for out in default])
    for gravity in (0.01, 1.0):
        spurious = np.array([out[f"gravity {gravity}"]["spurious_at_k"] for out in default])
        assert (spurious <= plain / 2).mean() >= 0.9, gravity
    too_much = np.array([out["gravity 10.0"]["cross_group_auc"] for out in default])
    assert np.median(too_much) < 0.85, "gravity 10 pulls every score to 0 and learns little"
