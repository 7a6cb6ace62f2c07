"""Sampled and exact recall (recdemo/sampled_metrics.py): each held-out positive ranked
against 100 sampled negatives, from the whole corpus or the query's own group,
or against every other item, on hand-built scores whose answer is known."""

from types import SimpleNamespace

import numpy as np
import pytest

from recdemo.sampled_metrics import (
    PROTOCOL_METRICS,
    protocol_metrics,
    recall_at_k,
    sampled_recall_at_k,
)

GROUPS, ITEMS_PER_GROUP, QUERIES_PER_GROUP = 3, 5, 2
ITEM_GROUPS = np.repeat(np.arange(GROUPS), ITEMS_PER_GROUP)
QUERY_GROUPS = np.repeat(np.arange(GROUPS), QUERIES_PER_GROUP)
TWO_GROUPS = np.repeat([0, 1], 4)  # items 0-3 in group 0, 4-7 in group 1


def sampled(scores, query_groups, item_groups, positives, k, pool, **kwargs):
    queries = SimpleNamespace(groups=query_groups, positives=positives)
    return sampled_recall_at_k(scores, queries, item_groups, k, pool, **kwargs)


def test_a_model_that_ranks_other_groups_first_is_perfect_against_own_group_samples():
    """Its positive beats every own-group item and loses to every other-group
    item: all own-group draws are below it, and among 100 draws from the
    corpus (4 of its 7 other items from the other group) some are above."""
    scores = np.array([[5.0, 1, 1, 1, 9, 9, 9, 9]])  # query of group 0, positive item 0
    args = (scores, np.array([0]), TWO_GROUPS, np.array([[0]]))
    assert sampled(*args, k=1, pool="group") == 1.0
    assert sampled(*args, k=1, pool="corpus") == 0.0
    assert sampled(*args, k=100, pool="corpus") == 1.0  # fewer than 100 draws above: a hit


def test_the_querys_other_positives_are_never_drawn():
    """Both positives score 10 and the rest 0: drawn, the other positive would
    tie with the ranked one and halve its hit at k = 1."""
    scores = np.array([[10.0, 10, 0, 0, 0, 0, 0, 0]])
    for pool in ("group", "corpus"):
        assert sampled(scores, np.array([0]), TWO_GROUPS, np.array([[0, 1]]), 1, pool) == 1.0


def test_ties_share_the_places_left():
    """Every score equal: the positive and its 100 draws share 101 places, k of them hits."""
    scores = np.zeros((3, 8))
    positives = np.array([[0], [5], [6]])
    for k in (1, 10, 50):
        for pool in ("group", "corpus"):
            assert sampled(scores, np.array([0, 1, 1]), TWO_GROUPS, positives, k,
                           pool) == pytest.approx(k / 101, rel=1e-12)


def test_draws_are_uniform_over_the_pool_without_the_positives():
    """With one draw per positive and k = 1, a hit is a draw from below the
    positive: its rate is the share of the pool's other items below it."""
    m, n = 4000, 20  # one group of 20 items; positive 5 and 6 of every query
    scores = np.tile(-np.arange(n, dtype=float), (m, 1))  # item 0 best, 19 worst
    positives = np.tile([5, 6], (m, 1))
    hit = sampled(scores, np.zeros(m, dtype=int), np.zeros(n, dtype=int), positives, 1,
                  "group", negatives=1, seed=3)
    # Item 5 is above 13 of the 18 others (7-19), item 6 above the same 13.
    assert hit == pytest.approx(13 / 18, abs=4 * np.sqrt(13 / 18 * 5 / 18 / (2 * m)))


def test_sampled_recall_is_seeded_and_names_a_bad_pool():
    rng = np.random.default_rng(0)
    scores = rng.standard_normal((10, 8))
    args = (scores, rng.integers(0, 2, 10), TWO_GROUPS, rng.integers(0, 8, (10, 1)), 1, "corpus")
    assert sampled(*args, negatives=5, seed=1) == sampled(*args, negatives=5, seed=1)
    assert len({sampled(*args, negatives=5, seed=seed) for seed in range(10)}) > 1
    with pytest.raises(ValueError, match="pool must be one of corpus, group"):
        sampled(*args[:-1], "everything")


def test_exact_recall_ranks_each_positive_against_every_other_item():
    # Query 0, positives 0 and 2: item 0 is first; item 2 is below items 1 and
    # 3 (item 0, the other positive, does not count). Query 1, positives 4 and
    # 7: item 4 ties with items 5 and 6; item 7 is below those two only.
    scores = np.array([[9.0, 8, 7, 7.5, 0, 0, 0, 0],
                       [0.0, 0, 0, 0, 3, 3, 3, 1]])
    queries = SimpleNamespace(groups=np.array([0, 1]), positives=np.array([[0, 2], [4, 7]]))
    # k = 1: item 0, and item 4 with one place among three tied.
    assert recall_at_k(scores, queries, 1) == pytest.approx((1 + 0 + 1 / 3 + 0) / 4)
    assert recall_at_k(scores, queries, 2) == pytest.approx((1 + 0 + 2 / 3 + 0) / 4)
    assert recall_at_k(scores, queries, 3) == 1.0


def test_protocol_metrics_of_a_separated_model_and_of_random_ties():
    # Each group on its own axis, its items in id order: every query's first
    # own-group item beats every other item.
    strength = np.tile(1.0 - np.arange(ITEMS_PER_GROUP) / 10, GROUPS)
    V = np.eye(GROUPS)[ITEM_GROUPS] * strength[:, None]
    Q = np.eye(GROUPS)[QUERY_GROUPS]
    queries = SimpleNamespace(groups=QUERY_GROUPS,
                              positives=(QUERY_GROUPS * ITEMS_PER_GROUP)[:, None])
    perfect = protocol_metrics(Q, V, queries, ITEM_GROUPS, k=1)
    assert tuple(perfect) == PROTOCOL_METRICS
    assert perfect == {name: 1.0 for name in PROTOCOL_METRICS}
    ties = protocol_metrics(np.zeros_like(Q), V, queries, ITEM_GROUPS, k=10)
    assert ties["sampled_recall_at_k"] == pytest.approx(10 / 101, rel=1e-12)
    assert ties["own_group_sampled_recall_at_k"] == pytest.approx(10 / 101, rel=1e-12)
    assert ties["recall_at_k"] == pytest.approx(10 / 15, rel=1e-12)  # 14 others, ties


def test_a_query_whose_group_is_all_its_positives_has_no_own_group_negatives():
    """A review's link (/compare?items_per_group=10&positives=10): every item of
    the last group is a positive of its query. Nothing is left to draw from
    that group: the query is left out (it raised IndexError, and the other
    groups' such queries drew the next group's first item); with no query
    left, NaN."""
    scores = np.array([[1.0, 2, 3, 4, 5, 6, 7, 8], [8.0, 7, 6, 5, 4, 3, 2, 1]])
    everything = np.array([[4, 5, 6, 7], [0, 1, 2, 3]])  # each query's whole group
    assert np.isnan(sampled(scores, np.array([1, 0]), TWO_GROUPS, everything, 1, "group"))
    # One query with room: the result is that query's alone.
    some = np.array([[4, 5, 6, 7], [0, 1, 4, 5]])  # the second query: items 2, 3 left
    alone = sampled(scores[1:], np.array([0]), TWO_GROUPS, some[1:], 1, "group")
    assert sampled(scores, np.array([1, 0]), TWO_GROUPS, some, 1, "group") == alone
    assert sampled(scores, np.array([1, 0]), TWO_GROUPS, everything, 1, "corpus") >= 0
