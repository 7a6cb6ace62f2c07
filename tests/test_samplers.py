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
