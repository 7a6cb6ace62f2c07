"""The lessons of in-batch negatives, at the default settings with 4, 6 and 8
groups, on seeds 0-7: in-batch and mixed separate by the verdict rule
(recdemo/verdicts.py), the logQ correction raises in-batch's within-group
recall at popularity skew 2, positives-only switched to uniform at half the
epochs comes apart, and sampled evaluation hides in-group's folding.

Every threshold comes from scripts/measure_lessons.py on other seeds (100 and
up): the docstrings say what it measured there. Slow: the runs are
tests/lesson_runs.py's, shared with test_phenomenon.py.
"""

from __future__ import annotations

import numpy as np
import pytest

from recdemo.params import STRATEGIES
from recdemo.verdicts import SEPARATES, verdict
from tests import lesson_runs

pytestmark = pytest.mark.slow

SEEDS = range(8)
GROUPS = (4, 6, 8)
CASES = [((), groups, seed, True) for groups in GROUPS for seed in SEEDS]
lesson_runs.register(CASES)


def seeds_of(groups: int) -> list[dict]:
    return [out for (_, g, _, _), out in lesson_runs.outputs(CASES).items() if g == groups]


@pytest.mark.parametrize("groups", GROUPS)
@pytest.mark.parametrize("strategy", ["in-batch", "mixed"])
def test_in_batch_and_mixed_separate(strategy, groups):
    """Measured by the verdict rule on seeds 100-239 (scripts/measure_lessons.py,
    2026-12-06): both separate on all 140 seeds at 4, 6 and 8 groups."""
    held = [verdict(out["metrics"][strategy], out["refs"]) == SEPARATES
            for out in seeds_of(groups)]
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


# Separated by the verdict rule on at least this many of the 8 seeds:
# measured on seeds 100-239 (scripts/measure_lessons.py, 2026-12-06), on 118
# of 140 at 4 groups, 130 at 6 and 138 at 8 (none folds); each count is one
# that 8 seeds at those rates miss with a chance of 2.5% or less.
SWITCH_SEPARATES_ON = {4: 5, 6: 6, 8: 7}


@pytest.mark.parametrize("groups", GROUPS)
def test_positives_only_switched_to_uniform_at_half_the_epochs_comes_apart(groups):
    """Every seed comes apart: cross-group AUC at least 0.15 above plain
    positives-only's and spurious@10 below 0.8 of its (measured: at least
    0.175 above on seeds 140-239, at most 0.77 of it on seeds 100-239). Most
    end separated, as the verdict rule says it (SWITCH_SEPARATES_ON)."""
    outs = seeds_of(groups)
    auc = np.array([out["switched"]["cross_group_auc"] for out in outs])
    spurious = np.array([out["switched"]["spurious_at_k"] for out in outs])
    plain_auc = np.array([out["metrics"]["positives-only"]["cross_group_auc"] for out in outs])
    plain = np.array([out["metrics"]["positives-only"]["spurious_at_k"] for out in outs])
    assert (auc >= plain_auc + 0.15).all(), auc - plain_auc
    assert (spurious < 0.8 * plain).all(), spurious / plain
    separated = [verdict(out["switched"], out["refs"]) == SEPARATES for out in outs]
    assert sum(separated) >= SWITCH_SEPARATES_ON[groups], (separated, auc)


def test_in_group_looks_as_good_as_the_best_against_samples_from_its_own_group():
    """Against 100 negatives from the query's own group, in-group's recall@10 is
    about the best strategy's (measured on seeds 100-109 at 4 to 8 groups: rank
    1 to 5 of 8, median 2; 0.067 below the best other strategy's to 0.038
    above), while at least 85% of its top 10 come from other groups (90% from 5
    groups up); against 100 from the whole corpus, and exactly, it is among the
    last two of eight."""
    gaps, ranks = [], []
    for (_, groups, _, _), out in lesson_runs.outputs(CASES).items():
        protocols = out["protocols"]
        own_group = {s: protocols[s]["own_group_sampled_recall_at_k"] for s in STRATEGIES}
        gaps.append(own_group["in-group"] - max(v for s, v in own_group.items() if s != "in-group"))
        ranks.append(1 + sum(value > own_group["in-group"] for value in own_group.values()))
        assert out["metrics"]["in-group"]["spurious_at_k"] > (0.9 if groups >= 5 else 0.85)
        for metric in ("sampled_recall_at_k", "recall_at_k"):
            below = sum(protocols[s][metric] < protocols["in-group"][metric] for s in STRATEGIES)
            assert below <= 1, (metric, below)  # only positives-only, if any
    assert min(gaps) >= -0.08 and np.median(gaps) >= -0.03, gaps
    assert max(ranks) <= 5 and np.median(ranks) <= 3, ranks
