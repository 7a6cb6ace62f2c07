"""What each sampler hands the loss: which negatives, which masks, which offsets."""

from types import SimpleNamespace

import numpy as np
import pytest

from recdemo.samplers import HARD_POOL_SIZE, Batch, make_sampler

GROUPS, ITEMS_PER_GROUP, QUERIES, POSITIVES, NEGATIVES, DIM = 4, 10, 64, 3, 20, 5
N_ITEMS = GROUPS * ITEMS_PER_GROUP
NEGATIVE_SAMPLERS = ("uniform", "hard", "in-group", "popularity")


@pytest.fixture(scope="module")
def setting():
    rng = np.random.default_rng(3)
    groups = rng.integers(0, GROUPS, size=QUERIES)
    positives = np.stack([g * ITEMS_PER_GROUP + rng.choice(ITEMS_PER_GROUP, POSITIVES,
                                                           replace=False) for g in groups])
    batch = Batch(positives, np.full(positives.shape, 1 / POSITIVES), groups)
    dataset = SimpleNamespace(
        n_items=N_ITEMS,
        item_groups=np.repeat(np.arange(GROUPS), ITEMS_PER_GROUP),
        item_popularity=rng.integers(0, 50, size=N_ITEMS),
    )
    q, V = rng.standard_normal((QUERIES, DIM)), rng.standard_normal((N_ITEMS, DIM))
    return SimpleNamespace(batch=batch, dataset=dataset, q=q, V=V)


def sample(setting, strategy, logq_correction=True, seed=0):
    sampler = make_sampler(strategy, NEGATIVES, setting.dataset, temperature=1.0,
                           logq_correction=logq_correction)
    return sampler(setting.batch, setting.q, setting.V, np.random.default_rng(seed))


@pytest.mark.parametrize("strategy", NEGATIVE_SAMPLERS)
def test_positives_come_first_then_the_negatives(setting, strategy):
    candidates = sample(setting, strategy)
    assert candidates.items.shape == (QUERIES, POSITIVES + NEGATIVES)
    np.testing.assert_array_equal(candidates.items[:, :POSITIVES], setting.batch.positives)
    np.testing.assert_array_equal(candidates.targets[:, :POSITIVES], setting.batch.weights)
    assert (candidates.targets[:, POSITIVES:] == 0).all()
    assert ((0 <= candidates.items) & (candidates.items < N_ITEMS)).all()


@pytest.mark.parametrize("strategy", NEGATIVE_SAMPLERS)
def test_exactly_the_accidental_hits_are_masked(setting, strategy):
    candidates = sample(setting, strategy)
    negatives = candidates.items[:, POSITIVES:]
    hit = (negatives[:, :, None] == setting.batch.positives[:, None, :]).any(axis=2)
    masked = np.isneginf(candidates.logit_offsets)
    assert not masked[:, :POSITIVES].any()
    np.testing.assert_array_equal(masked[:, POSITIVES:], hit)


def test_in_group_negatives_stay_in_the_query_group(setting):
    negatives = sample(setting, "in-group").items[:, POSITIVES:]
    item_groups = setting.dataset.item_groups
    assert (item_groups[negatives] == setting.batch.groups[:, None]).all()


def test_hard_negatives_are_never_positives_and_favor_high_scores(setting):
    candidates = sample(setting, "hard")
    negatives = candidates.items[:, POSITIVES:]
    assert not np.isneginf(candidates.logit_offsets).any()
    scores = setting.q @ setting.V.T
    drawn = np.take_along_axis(scores, negatives, axis=1).mean()
    # Scores have mean ~0 and spread ~2.2: uniform draws would average ~0, exp(s) weighting ~3.6.
    assert drawn > scores.mean() + 2.0


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_hard_negatives_from_a_pool_are_never_positives_and_favor_high_scores(dtype):
    """Above HARD_POOL_SIZE items, each query draws from a random pool of
    them, scored in V's precision (float32 for the large corpus)."""
    rng = np.random.default_rng(5)
    n_items = 4 * HARD_POOL_SIZE
    q = rng.standard_normal((QUERIES, DIM))
    V = rng.standard_normal((n_items, DIM)).astype(dtype)
    scores = q @ V.T.astype(float)
    # Each query's positives are its best-scoring items, so the draws would
    # pick them often if the pool's mask missed them.
    positives = np.argsort(-scores, axis=1)[:, :POSITIVES]
    batch = Batch(positives, np.full(positives.shape, 1 / POSITIVES), np.zeros(QUERIES, int))
    sampler = make_sampler("hard", NEGATIVES, SimpleNamespace(n_items=n_items), temperature=1.0)
    negatives = np.concatenate([sampler(batch, q, V, np.random.default_rng(s)).items[:, POSITIVES:]
                                for s in range(5)], axis=1)
    assert not (negatives[:, :, None] == positives[:, None, :]).any()
    drawn = np.take_along_axis(scores, negatives, axis=1).mean()
    # Scores spread ~2.2 around ~0: uniform draws would average ~0, exp(s)
    # weighting within pools of 512 about 3.5.
    assert drawn > scores.mean() + 2.0


def test_popularity_negatives_follow_popularity(setting):
    draws = np.concatenate([sample(setting, "popularity", seed=s).items[:, POSITIVES:].ravel()
                            for s in range(20)])
    observed = np.bincount(draws, minlength=N_ITEMS) / draws.size
    counts = setting.dataset.item_popularity + 1.0
    expected = counts / counts.sum()
    standard_error = np.sqrt(expected * (1 - expected) / draws.size)
    assert (np.abs(observed - expected) < 5 * standard_error).all()


def test_logq_correction_is_minus_log_k_q_and_can_be_switched_off(setting):
    corrected = sample(setting, "popularity", logq_correction=True)
    plain = sample(setting, "popularity", logq_correction=False)
    counts = setting.dataset.item_popularity + 1.0
    expected = -np.log(NEGATIVES * counts[corrected.items] / counts.sum())
    unmasked = np.isfinite(corrected.logit_offsets)
    np.testing.assert_allclose(corrected.logit_offsets[unmasked], expected[unmasked], rtol=1e-12)
    assert (plain.logit_offsets[np.isfinite(plain.logit_offsets)] == 0).all()


def test_unknown_strategy_is_rejected(setting):
    with pytest.raises(ValueError, match="strategy"):
        make_sampler("everything", NEGATIVES, setting.dataset)


# In-batch and mixed: the other queries' positives, on a hand-built batch --------

# Three queries of two positives each, eight items; item popularity in the
# training positives (Q = popularity / 10).
HAND_POSITIVES = np.array([[0, 1], [1, 2], [2, 5]])
HAND_WEIGHTS = np.array([[0.5, 0.5], [0.25, 0.75], [0.5, 0.5]])
HAND_POPULARITY = np.array([3, 2, 4, 0, 0, 1, 0, 0])


def hand_batch_sample(strategy, logq_correction=True, negatives=3, seed=0):
    batch = Batch(HAND_POSITIVES, HAND_WEIGHTS, np.zeros(3, dtype=int))
    dataset = SimpleNamespace(n_items=8, item_groups=np.zeros(8, dtype=int),
                              item_popularity=HAND_POPULARITY)
    sampler = make_sampler(strategy, negatives, dataset, logq_correction=logq_correction)
    return batch, sampler(batch, None, None, np.random.default_rng(seed))


def slot_negatives(positives, b):
    """Query b's in-batch negatives, one per slot: every other query's
    positives that are not b's own (those are accidental hits)."""
    return [item for other, row in enumerate(positives) if other != b
            for item in row if item not in positives[b]]


def test_in_batch_candidates_are_the_batch_positives_with_accidental_hits_masked():
    _, candidates = hand_batch_sample("in-batch")
    np.testing.assert_array_equal(candidates.items, [0, 1, 2, 5])  # shared, distinct, sorted
    # Query 0 (positives 0, 1) meets 1, 2 (query 1) and 2, 5 (query 2): item 1
    # is an accidental hit, 2 is two negatives, 5 one. And so on for the others.
    np.testing.assert_array_equal(candidates.copies, [[0, 0, 2, 1],
                                                      [1, 0, 0, 1],
                                                      [1, 2, 0, 0]])
    for b in range(3):
        counted = {int(item): int(c) for item, c in zip(candidates.items, candidates.copies[b],
                                                        strict=True) if c}
        slots = slot_negatives(HAND_POSITIVES, b)
        assert counted == {item: slots.count(item) for item in slots}
    np.testing.assert_array_equal(candidates.targets, [[0.5, 0.5, 0, 0],
                                                       [0, 0.25, 0.75, 0],
                                                       [0, 0, 0.5, 0.5]])
    assert np.isfinite(candidates.logit_offsets).all()  # each column is some query's positive


def test_in_batch_logq_offsets_are_minus_log_of_each_candidates_expected_count():
    """Each query has K = (B - 1) P = 4 negative slots, each a draw from Q: an
    item's expected count is 4 Q_j. A column of c copies adds log c."""
    _, corrected = hand_batch_sample("in-batch", logq_correction=True)
    _, plain = hand_batch_sample("in-batch", logq_correction=False)
    expected_count = 4 * HAND_POPULARITY[[0, 1, 2, 5]] / 10  # items 0, 1, 2, 5
    log_copies = np.log(np.where(corrected.targets > 0, 1, corrected.copies))
    np.testing.assert_allclose(corrected.logit_offsets, log_copies - np.log(expected_count),
                               rtol=1e-12)
    np.testing.assert_allclose(plain.logit_offsets, log_copies, rtol=1e-12)
    # The sign: the more popular an item, the lower its corrected logit.
    assert corrected.logit_offsets[1, 0] < corrected.logit_offsets[1, 3]  # items 0 vs 5, one copy


def test_in_batch_equals_a_softmax_with_one_candidate_per_slot():
    """Merging an item's copies into one column (offset + log c) is exact: the
    loss and gradients are those of TensorFlow Recommenders' layout, every
    query scoring every slot of the batch, its own positives' other copies
    masked, each slot corrected by -log(K Q_j)."""
    from recdemo.model import candidate_loss
    from recdemo.samplers import Candidates

    batch, merged = hand_batch_sample("in-batch", logq_correction=True)
    rng = np.random.default_rng(4)
    q, V = rng.standard_normal((3, 4)), rng.standard_normal((8, 4))
    log_expected = np.log(4 * HAND_POPULARITY / 10, where=HAND_POPULARITY > 0,
                          out=np.zeros(8))
    slots = HAND_POSITIVES.ravel()
    items = np.concatenate([HAND_POSITIVES, np.tile(slots, (3, 1))], axis=1)  # (B, P + B P)
    targets = np.concatenate([HAND_WEIGHTS, np.zeros((3, 6))], axis=1)
    offsets = -log_expected[items]
    own = (items[:, 2:, None] == HAND_POSITIVES[:, None, :]).any(axis=2)
    offsets[:, 2:][own] = -np.inf
    per_slot = Candidates(items, targets, offsets, "softmax")
    for a, b in zip(candidate_loss(q, V, merged), candidate_loss(q, V, per_slot), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)


def test_mixed_adds_each_querys_uniform_draws_to_its_in_batch_negatives():
    negatives, seed = 3, 7
    _, in_batch = hand_batch_sample("in-batch")
    _, mixed = hand_batch_sample("mixed", negatives=negatives, seed=seed)
    draws = np.random.default_rng(seed).integers(0, 8, size=(3, negatives))  # the sampler's
    extra = np.zeros((3, 8))
    for b, row in enumerate(draws):
        for item in row:
            extra[b, item] += item not in HAND_POSITIVES[b]  # accidental hits are masked
    full_width = np.zeros((3, 8))
    full_width[:, mixed.items] = mixed.copies
    full_width[:, in_batch.items] -= in_batch.copies
    np.testing.assert_array_equal(full_width, extra)
    assert set(mixed.items) == set(in_batch.items) | set(draws.ravel())
    # A column none of a query's negatives fills (another query's draw) is masked.
    not_candidate = (mixed.copies == 0) & (mixed.targets == 0)
    assert np.isneginf(mixed.logit_offsets[not_candidate]).all()
    assert np.isfinite(mixed.logit_offsets[~not_candidate]).all()


def test_mixed_logq_offsets_count_both_draws():
    """Expected copies of item j among a query's negatives: 4 Q_j from the
    batch, K / n from its uniform draws; one correction whichever drew it."""
    negatives = 3
    _, mixed = hand_batch_sample("mixed", negatives=negatives)
    _, plain = hand_batch_sample("mixed", logq_correction=False, negatives=negatives)
    expected = 4 * HAND_POPULARITY[mixed.items] / 10 + negatives / 8
    np.testing.assert_allclose(mixed.logit_offsets, plain.logit_offsets - np.log(expected),
                               rtol=1e-12)


def test_in_batch_with_a_batch_of_one_query_has_only_its_positives():
    """The last batch of an epoch can hold one query: no negatives, no NaN."""
    batch = Batch(HAND_POSITIVES[:1], HAND_WEIGHTS[:1], np.zeros(1, dtype=int))
    dataset = SimpleNamespace(n_items=8, item_popularity=HAND_POPULARITY)
    candidates = make_sampler("in-batch", 3, dataset)(batch, None, None,
                                                      np.random.default_rng(0))
    np.testing.assert_array_equal(candidates.items, [0, 1])
    assert (candidates.copies == 0).all() and np.isfinite(candidates.logit_offsets).all()
