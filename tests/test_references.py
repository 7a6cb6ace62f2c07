"""The references: the oracle (the chance that an item is among a query's
positives under the generator) and a random ranking."""

from __future__ import annotations

import itertools
import math
from types import SimpleNamespace

import numpy as np
import pytest

from recdemo.data import DataConfig, make_dataset, slot_log_probability
from recdemo.metrics import METRICS, ranking_metrics, top_k
from recdemo.references import (
    NEGLIGIBLE,
    inclusion_probability,
    oracle_metrics,
    plackett_luce_inclusion,
    positive_probability,
    random_metrics,
)
from tests import lesson_runs
from tests.generator_draws import redrawn_frequencies


def enumerated_inclusion(weights, n):
    """P(item i among the first n of a Plackett-Luce order), by enumerating
    every ordered choice of n items."""
    out = np.zeros(len(weights))
    for first in itertools.permutations(range(len(weights)), n):
        chance, left = 1.0, 1.0
        for item in first:
            chance *= weights[item] / left
            left -= weights[item]
        out[list(first)] += chance
    return out


@pytest.mark.parametrize("spread", [0.3, 2.0, 6.0])
def test_plackett_luce_inclusion_is_the_enumerated_chance(spread):
    rng = np.random.default_rng(int(10 * spread))
    for _ in range(5):
        log_w = spread * rng.standard_normal(7)
        weights = np.exp(log_w - np.logaddexp.reduce(log_w))
        got = plackett_luce_inclusion(weights[None], 5)[0]
        for n in range(1, 6):
            np.testing.assert_allclose(got[:, n - 1], enumerated_inclusion(weights, n),
                                       atol=2e-6)


@pytest.mark.parametrize("positives", [1, 2, 3, 4])
def test_one_group_with_every_slot_is_the_enumerated_chance(positives):
    """share 1: the group gets all P slots, so the chance is PL(i, P) exactly,
    by the closed forms for P = 1 and 2 and the integral above."""
    log_w = np.log(np.array([0.5, 0.2, 0.15, 0.1, 0.05]))
    got = inclusion_probability(log_w[None, None], np.ones((1, 1)), positives)[0, 0]
    np.testing.assert_allclose(got, enumerated_inclusion(np.exp(log_w), positives), atol=2e-6)


def test_slots_split_between_groups_by_the_binomial():
    """Two groups, 3 slots, each to group 0 with probability 0.7: an item's
    chance is sum_n Binomial(n; 3, share) PL(i, n)."""
    log_w = np.log(np.array([[[0.6, 0.3, 0.1], [0.4, 0.4, 0.2]]]))
    share = np.array([[0.7, 0.3]])
    got = inclusion_probability(log_w, share, 3)[0]
    for g in range(2):
        expected = sum(math.comb(3, n) * share[0, g] ** n * (1 - share[0, g]) ** (3 - n)
                       * enumerated_inclusion(np.exp(log_w[0, g]), n) for n in range(1, 4))
        np.testing.assert_allclose(got[g], expected, atol=2e-6)


def test_a_hand_built_case_where_the_oracle_ranks_unlike_the_per_slot_chance():
    """The query's own group has one item that nearly every slot would pick
    first, and a small item j; another group has a middling item i. Per slot,
    i (0.3 x 0.05) beats j (0.7 x 0.01). But the own group gets about 3.5 of
    the 5 slots, and once the big item is taken j is one in ten: j is among
    the positives far more often than i, which needs a leaked slot."""
    own = np.array([0.9] + [0.01] * 10)
    other = np.array([0.05] * 20)
    log_w = np.log(np.stack([np.pad(own, (0, 9), constant_values=1e-300),
                             np.pad(other, (0, 0))]))[None]
    share = np.array([[0.7, 0.3]])
    per_slot = np.log(share)[:, :, None] + log_w
    chance = inclusion_probability(log_w, share, 5)
    j, i = (0, 0, 1), (0, 1, 0)
    assert per_slot[i] > per_slot[j]
    assert chance[j] > 2 * chance[i]


def test_the_oracle_chance_is_how_often_the_generator_draws_each_item():
    """Redraw one query's positives 40,000 times with the generator itself:
    each item's frequency matches the chance, within 4.5 standard errors."""
    data = make_dataset(DataConfig(groups=3, items_per_group=10, positives=4, leak=0.3,
                                   popularity_skew=1.0))
    copies = 40_000
    observed = redrawn_frequencies(data, copies, seed=7)
    expected = positive_probability(data, data.test)[0]
    tolerance = 4.5 * np.sqrt(expected * (1 - expected) / copies) + 1e-4
    assert (np.abs(observed - expected) <= tolerance).all(), (observed, expected)


@pytest.mark.parametrize("config", [DataConfig(), DataConfig(leak=0.3, positives=8),
                                    DataConfig(groups=2, items_per_group=10, positives=10,
                                               leak=0.5)])
def test_each_query_expects_its_number_of_positives(config):
    data = make_dataset(config)
    sums = positive_probability(data, data.test).sum(axis=1)
    np.testing.assert_allclose(sums, config.positives,
                               atol=config.positives * config.groups * NEGLIGIBLE)


def test_inside_a_group_the_oracle_orders_items_as_the_per_slot_chance_does():
    data = make_dataset(DataConfig(leak=0.2, popularity_skew=1.5))
    chance = positive_probability(data, data.test)
    per_slot = slot_log_probability(data, data.test)
    for g in range(data.n_groups):
        items = data.item_groups == g
        np.testing.assert_array_equal(np.argsort(-chance[:, items], axis=1, kind="stable"),
                                      np.argsort(-per_slot[:, items], axis=1, kind="stable"))


@pytest.mark.slow
def test_the_oracle_recommends_more_of_the_held_out_positives_than_the_per_slot_ranking():
    """Ranking by the chance of being a positive maximizes the expected number
    of positives in a top-k; on one dataset the per-slot ranking can be lucky,
    so the held-out positives are counted over 20 datasets with a leak."""
    found = {"oracle": 0, "per slot": 0}
    for seed in range(20):
        data = make_dataset(DataConfig(leak=0.3, seed=seed))
        for name, scores in (("oracle", positive_probability(data, data.test)),
                             ("per slot", slot_log_probability(data, data.test))):
            picks = top_k(scores, 10)
            found[name] += (picks[:, :, None] == data.test.positives[:, None, :]).any(axis=1).sum()
    assert found["oracle"] > found["per slot"], found


@pytest.mark.parametrize("groups, items_per_group, k", [(3, 5, 2), (4, 10, 10), (2, 6, 8)])
def test_random_metrics_are_what_random_scores_give_on_average(groups, items_per_group, k):
    rng = np.random.default_rng(0)
    item_groups = np.repeat(np.arange(groups), items_per_group)
    query_groups = rng.integers(0, groups, 4000)
    positives = (query_groups[:, None] * items_per_group
                 + rng.integers(0, items_per_group, (4000, 1)))
    queries = SimpleNamespace(groups=query_groups, positives=positives)
    measured = ranking_metrics(rng.random((4000, len(item_groups))), queries, item_groups, k)
    expected = random_metrics(groups, items_per_group, k)
    assert measured.keys() == expected.keys()
    for name in expected:
        assert measured[name] == pytest.approx(expected[name], abs=0.02), name


def test_oracle_without_leak_is_perfect_and_with_leak_is_not():
    clean = oracle_metrics(make_dataset(DataConfig(groups=4, leak=0.0)), k=10)
    assert clean["spurious_at_k"] == 0.0 and clean["cross_group_auc"] == 1.0
    leaky = oracle_metrics(make_dataset(DataConfig(groups=4, leak=0.3)), k=10)
    assert leaky["spurious_at_k"] > 0.02 and leaky["cross_group_auc"] < 0.9
    assert tuple(leaky) == tuple(name for name in METRICS if name != "silhouette")


# No trained model beats the oracle's within-group recall, beyond the luck of
# a finite test set: every strategy on 60 datasets, small groups, popularity
# and a large leak among them (k below the items of a group: else recall is 1).

BEATEN_CASES = [(settings, groups, seed, settings == ()) for settings in (
    (), (("items_per_group", 15),), (("items_per_group", 10), ("k", 5)),
    (("popularity_skew", 2.0),), (("leak", 0.3),)) for groups in (4, 6, 8) for seed in range(4)]
lesson_runs.register(BEATEN_CASES)


@pytest.mark.slow
def test_no_model_beats_the_oracle_on_within_group_recall():
    """Per query, a model's recall minus the oracle's: its mean is never
    above zero by more than 3 standard errors, on any run of any case."""
    outs = lesson_runs.outputs(BEATEN_CASES)
    gaps = []
    for out in outs.values():
        for label, diff in out["recall_minus_oracle"].items():
            error = diff.std(ddof=1) / np.sqrt(len(diff))
            assert diff.mean() <= 3 * error, (label, diff.mean(), error)
            gaps.append(diff.mean())
    assert len(outs) == 60 and len(gaps) >= 6 * 60
