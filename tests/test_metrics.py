"""The folding metrics on hand-built scores and embeddings whose answer is known."""

from types import SimpleNamespace

import numpy as np
import pytest
from sklearn.metrics import silhouette_score

from recdemo.metrics import (
    METRICS,
    all_metrics,
    cross_group_auc,
    cross_group_overlap,
    length_score_correlation,
    mean_cosine,
    nearest_spurious_at_k,
    recommendations,
    silhouette,
    spurious_at_k,
    spurious_count,
    top_k,
    top_length,
    within_group_recall_at_k,
)

GROUPS, ITEMS_PER_GROUP, QUERIES_PER_GROUP = 3, 5, 2
ITEM_GROUPS = np.repeat(np.arange(GROUPS), ITEMS_PER_GROUP)
QUERY_GROUPS = np.repeat(np.arange(GROUPS), QUERIES_PER_GROUP)
# Item i of a group has strength 1 - i/10: inside a group, items rank in id order.
STRENGTH = np.tile(1.0 - np.arange(ITEMS_PER_GROUP) / 10, GROUPS)


def separated():
    """Each group on its own axis; a query is its group's axis, so it scores
    its own group's items > 0 and every other item 0."""
    V = np.eye(GROUPS)[ITEM_GROUPS] * STRENGTH[:, None]
    Q = np.eye(GROUPS)[QUERY_GROUPS]
    return Q, V


def top_own_group_items(count):
    """For each query, its own group's ``count`` strongest items."""
    return QUERY_GROUPS[:, None] * ITEMS_PER_GROUP + np.arange(count)[None, :]


def test_top_k_returns_the_highest_scores_best_first():
    scores = np.array([[0.1, 0.7, 0.3, 0.9, 0.5],
                       [5.0, -1.0, 4.0, 0.0, 3.0]])
    np.testing.assert_array_equal(top_k(scores, 3), [[3, 1, 4], [0, 2, 4]])


def test_top_k_with_k_beyond_the_corpus_ranks_everything():
    scores = np.array([[0.2, 0.8, 0.5]])
    np.testing.assert_array_equal(top_k(scores, 10), [[1, 2, 0]])


def test_perfect_separation():
    Q, V = separated()
    scores = Q @ V.T
    positives = top_own_group_items(2)
    assert spurious_at_k(scores, QUERY_GROUPS, ITEM_GROUPS, k=ITEMS_PER_GROUP) == 0.0
    assert cross_group_auc(scores, QUERY_GROUPS, ITEM_GROUPS) == 1.0
    assert within_group_recall_at_k(scores, QUERY_GROUPS, ITEM_GROUPS, positives, k=2) == 1.0
    assert silhouette(V, ITEM_GROUPS) == pytest.approx(1.0)


def test_worst_case_every_other_group_ranks_above_the_own_group():
    Q, V = separated()
    scores = -Q @ V.T  # own group < 0, other groups 0
    assert spurious_at_k(scores, QUERY_GROUPS, ITEM_GROUPS, k=ITEMS_PER_GROUP) == 1.0
    assert cross_group_auc(scores, QUERY_GROUPS, ITEM_GROUPS) == 0.0


def test_identical_embeddings_are_fully_folded():
    V = np.tile([1.0, 0.0, 0.0], (len(ITEM_GROUPS), 1))
    query_groups = np.array([0, 0, 1])  # lopsided, so errors cannot cancel between groups
    Q = np.tile([1.0, 0.0, 0.0], (len(query_groups), 1))
    assert cross_group_auc(Q @ V.T, query_groups, ITEM_GROUPS) == 0.5  # every pair ties
    assert silhouette(V, ITEM_GROUPS) == 0.0


# Two queries (groups 0 and 1), four items (groups 0, 0, 1, 1).
#   query 0 scores [0.9, 0.1, 0.5, 0.3]: top-2 = items 0, 2 -> 1 of 2 spurious
#   query 1 scores [0.1, 0.2, 0.6, 0.9]: top-2 = items 3, 2 -> 0 of 2 spurious
#   spurious_at_2 = (1/2 + 0) / 2 = 0.25
#   AUC, query 0: own {0.9, 0.1} vs other {0.5, 0.3}: 0.9 wins twice, 0.1 never -> 2/4
#        query 1: own {0.6, 0.9} vs other {0.1, 0.2}: all 4 pairs won -> 4/4
#   cross_group_auc = (0.5 + 1) / 2 = 0.75
#   within-group recall at 1, positives query 0: [1, 2], query 1: [3, 0]
#        query 0: own-group positive {1}; its own group's top-1 is item 0 -> 0
#        query 1: own-group positive {3}; its own group's top-1 is item 3 -> 1
#   within_group_recall_at_1 = (0 + 1) / 2 = 0.5
SMALL_SCORES = np.array([[0.9, 0.1, 0.5, 0.3],
                         [0.1, 0.2, 0.6, 0.9]])
SMALL_QUERY_GROUPS = np.array([0, 1])
SMALL_ITEM_GROUPS = np.array([0, 0, 1, 1])
SMALL_POSITIVES = np.array([[1, 2], [3, 0]])


def test_small_case_computed_by_hand():
    assert spurious_at_k(SMALL_SCORES, SMALL_QUERY_GROUPS, SMALL_ITEM_GROUPS, k=2) == 0.25
    assert cross_group_auc(SMALL_SCORES, SMALL_QUERY_GROUPS, SMALL_ITEM_GROUPS) == 0.75
    recall = within_group_recall_at_k(SMALL_SCORES, SMALL_QUERY_GROUPS, SMALL_ITEM_GROUPS,
                                      SMALL_POSITIVES, k=1)
    assert recall == 0.5


def test_auc_counts_a_tie_as_half():
    # One query of group 0. Own {1, 0} vs other {1, -1}: tie 1/2, win, loss, win -> 2.5 / 4.
    scores = np.array([[1.0, 0.0, 1.0, -1.0]])
    assert cross_group_auc(scores, np.array([0]), SMALL_ITEM_GROUPS) == 0.625


def test_within_group_recall_skips_queries_without_own_group_positives():
    # Query 0's positives are both in group 1: it has nothing to recall and is
    # left out (counting it as 0 would give 0.5). Query 1 finds its item 3.
    positives = np.array([[2, 3], [3, 0]])
    recall = within_group_recall_at_k(SMALL_SCORES, SMALL_QUERY_GROUPS, SMALL_ITEM_GROUPS,
                                      positives, k=1)
    assert recall == 1.0


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("group_sizes", [(3, 7, 12, 5), (1, 4, 9), (20, 2)])
def test_silhouette_agrees_with_sklearn(seed, group_sizes):
    rng = np.random.default_rng(seed)
    groups = rng.permutation(np.repeat(np.arange(len(group_sizes)), group_sizes))
    centers = rng.standard_normal((len(group_sizes), 6))
    V = centers[groups] + rng.standard_normal((len(groups), 6))
    expected = silhouette_score(V, groups, metric="cosine")
    assert silhouette(V, groups) == pytest.approx(expected, abs=1e-10)


def test_all_metrics_reports_the_four_metrics_from_embeddings():
    Q, V = separated()
    queries = SimpleNamespace(groups=QUERY_GROUPS, positives=top_own_group_items(2))
    metrics = all_metrics(Q, V, queries, ITEM_GROUPS, k=2)
    assert tuple(metrics) == METRICS
    assert metrics == {"spurious_at_k": 0.0, "within_group_recall_at_k": 1.0,
                       "cross_group_auc": 1.0, "silhouette": pytest.approx(1.0)}


@pytest.mark.parametrize("seed", range(3))
def test_all_metrics_match_their_definitions_query_by_query(seed):
    """all_metrics shares one ranking between the metrics; here each metric is
    computed the slow, literal way, one query at a time, on random embeddings."""
    rng = np.random.default_rng(seed)
    item_groups = rng.permutation(np.repeat(np.arange(4), 9))
    query_groups = rng.integers(0, 4, 12)
    positives = np.stack([rng.choice(36, 3, replace=False) for _ in range(12)])
    Q, V = rng.standard_normal((12, 5)), rng.standard_normal((36, 5))
    scores, k = Q @ V.T, 4
    spurious, recalls, aucs = [], [], []
    for s, g, pos in zip(scores, query_groups, positives, strict=True):
        best = sorted(range(36), key=lambda i: -s[i])
        spurious.append(np.mean([item_groups[i] != g for i in best[:k]]))
        own_best = [i for i in best if item_groups[i] == g][:k]
        own_pos = [p for p in pos if item_groups[p] == g]
        if own_pos:
            recalls.append(np.mean([p in own_best for p in own_pos]))
        own, other = s[item_groups == g], s[item_groups != g]
        aucs.append(np.mean([(a > b) + 0.5 * (a == b) for a in own for b in other]))
    queries = SimpleNamespace(groups=query_groups, positives=positives)
    metrics = all_metrics(Q, V, queries, item_groups, k)
    assert metrics["spurious_at_k"] == pytest.approx(np.mean(spurious))
    assert metrics["within_group_recall_at_k"] == pytest.approx(np.mean(recalls))
    assert metrics["cross_group_auc"] == pytest.approx(np.mean(aucs))
    assert metrics["spurious_at_k"] == spurious_at_k(scores, query_groups, item_groups, k)


def test_within_group_recall_shares_the_places_of_items_tied_at_the_cut_off():
    """Six own-group items, all tied; three are positives; k = 2: a random
    tie-break puts each positive in the top 2 with probability 2/6."""
    item_groups = np.array([0] * 6 + [1] * 2)
    scores = np.array([[1.0] * 6 + [5.0, 0.0]])
    positives = np.array([[0, 2, 4]])
    recall = within_group_recall_at_k(scores, np.array([0]), item_groups, positives, k=2)
    assert recall == pytest.approx(1 / 3)
    # one positive above the tie takes one place: it is found, the other two share one of four
    scores[0, 4] = 2.0
    recall = within_group_recall_at_k(scores, np.array([0]), item_groups, positives, k=2)
    assert recall == pytest.approx((1 + 2 * 1 / 5) / 3)


def test_all_metrics_silhouette_is_that_of_the_queries_and_items_together():
    """Items perfectly separated, but every query on group 0's axis: the items
    alone would score 1; with the queries the picture's points overlap."""
    Q, V = separated()
    Q = np.tile(np.eye(GROUPS)[0], (len(QUERY_GROUPS), 1))
    queries = SimpleNamespace(groups=QUERY_GROUPS, positives=top_own_group_items(2))
    metrics = all_metrics(Q, V, queries, ITEM_GROUPS, k=2)
    both = np.concatenate([Q, V])
    labels = np.concatenate([QUERY_GROUPS, ITEM_GROUPS])
    assert metrics["silhouette"] == pytest.approx(silhouette_score(both, labels, metric="cosine"))
    assert metrics["silhouette"] < 0.9 * silhouette(V, ITEM_GROUPS)


def test_mean_cosine_of_one_direction_and_of_opposite_pairs():
    assert mean_cosine(np.array([[1.0, 0.0], [2.0, 0.0], [0.5, 0.0]])) == pytest.approx(1.0)
    # two orthogonal pairs: cosines 1 (within each pair) and 0 (across): 2 of 6 pairs are 1
    V = np.array([[1.0, 0.0], [3.0, 0.0], [0.0, 1.0], [0.0, 2.0]])
    assert mean_cosine(V) == pytest.approx(2 / 6)


def test_length_score_correlation_when_length_alone_decides_the_score():
    direction = np.array([1.0, 1.0]) / np.sqrt(2)
    V = np.outer([1.0, 2.0, 3.0, 4.0], direction)
    Q = np.array([[1.0, 0.2], [0.3, 1.0]])  # any queries on the same side
    assert length_score_correlation(Q, V) == pytest.approx(1.0)
    V_mixed = np.array([[4.0, 0.0], [0.0, 1.0], [-3.0, 0.0], [0.0, -2.0]])
    assert length_score_correlation(np.array([[0.0, 1.0]]), V_mixed) < 0.5


def test_cross_group_overlap_counts_shared_picks_of_other_group_pairs():
    groups = np.array([0, 0, 1])
    picks = np.array([[0, 1], [0, 1], [1, 2]])  # query 2 shares item 1 with each of the others
    assert cross_group_overlap(picks, groups) == pytest.approx(0.5)
    assert cross_group_overlap(np.array([[0, 1], [2, 3]]), np.array([0, 1])) == 0.0


def test_picture_spurious_counts_the_nearest_drawn_items_of_other_groups():
    """Two queries, four items on a line: query 0 (group 0) at 0 has items 0 (g0)
    and 1 (g1) nearest; query 1 (group 1) at 10 has items 2 (g1) and 3 (g1)."""
    queries = np.array([[0.0, 0.0], [10.0, 0.0]])
    items = np.array([[1.0, 0.0], [-1.5, 0.0], [9.0, 0.0], [11.5, 0.0]])
    share = nearest_spurious_at_k(queries, items, np.array([0, 1]), np.array([0, 1, 1, 1]), k=2)
    assert share == pytest.approx(1 / 4)  # one of the four nearest pairs is of another group


def test_a_querys_spurious_picks_are_its_spurious_at_k_times_k():
    rng = np.random.default_rng(0)
    V, q = rng.normal(size=(40, 4)), rng.normal(size=4)
    item_groups, k = np.repeat(np.arange(4), 10), 7
    picks = recommendations(q, V, item_groups, query_group=3, k=k)
    share = spurious_at_k((V @ q)[None, :], np.array([3]), item_groups, k)
    assert spurious_count(picks) == round(share * k) == 3  # some spurious picks, not all


def test_a_top_k_list_holds_every_item_where_k_is_past_the_corpus():
    scores = np.array([[0.3, 0.9, 0.1]])
    assert (top_length(2, 3), top_length(5, 3)) == (2, 3)
    assert len(top_k(scores, 5)[0]) == top_length(5, 3)
