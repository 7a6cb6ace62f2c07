"""Finite-difference checks of every gradient written out in recdemo/model.py.

The problem is tiny (3 groups x 4 items, 5 queries, d = 3, 5 hidden units) and
in float64, so central differences are accurate to ~1e-10. Candidates are
sampled once and then held fixed: the sampler's output is not differentiable,
the loss on given candidates is.
"""

from types import SimpleNamespace

import numpy as np
import pytest

from recdemo.model import (
    ARRAYS,
    candidate_loss,
    gravity,
    init_params,
    loss_and_grads,
    query_tower,
)
from recdemo.samplers import Batch, Candidates, make_sampler

GROUPS, ITEMS_PER_GROUP = 3, 4
N_ITEMS = GROUPS * ITEMS_PER_GROUP
QUERIES, FEATURES, DIM, HIDDEN, POSITIVES = 5, 6, 3, 5, 2
NEGATIVES = 8  # out of 12 items: accidental hits and duplicates are all but certain
EPS = 1e-6
RTOL, ATOL = 1e-5, 1e-8
SEED = 0

STRATEGY_CASES = {
    "full": ("full", True),
    "positives-only": ("positives-only", True),
    "uniform": ("uniform", True),
    "hard": ("hard", True),
    "in-group": ("in-group", True),
    "popularity-logq": ("popularity", True),
    "popularity-no-logq": ("popularity", False),
    "in-batch-logq": ("in-batch", True),
    "in-batch-no-logq": ("in-batch", False),
    "mixed-logq": ("mixed", True),
    "mixed-no-logq": ("mixed", False),
}
REGULARIZERS = {"plain": (0.0, 0.0), "gravity": (0.7, 0.0), "l2": (0.0, 0.01),
                "gravity+l2": (0.7, 0.01)}


def make_problem(seed=SEED):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((QUERIES, FEATURES))
    _, params = init_params(FEATURES, N_ITEMS, DIM, HIDDEN, rng)
    params["V"] *= 10  # scores of order 1, so the softmax is far from uniform
    params["b2"][:] = rng.standard_normal(DIM)  # nonzero, so its gradient is tested too
    batch = Batch(
        positives=np.stack([rng.choice(N_ITEMS, POSITIVES, replace=False) for _ in range(QUERIES)]),
        weights=rng.dirichlet(np.ones(POSITIVES), size=QUERIES),  # unequal p, rows sum to 1
        groups=rng.integers(0, GROUPS, size=QUERIES),
    )
    dataset = SimpleNamespace(
        n_items=N_ITEMS,
        item_groups=np.repeat(np.arange(GROUPS), ITEMS_PER_GROUP),
        item_popularity=rng.integers(0, 20, size=N_ITEMS),
    )
    return SimpleNamespace(x=x, params=params, batch=batch, dataset=dataset, rng=rng)


def sample_candidates(problem, strategy, logq_correction):
    sampler = make_sampler(strategy, NEGATIVES, problem.dataset, temperature=0.7,
                           logq_correction=logq_correction)
    q, _ = query_tower(problem.params, problem.x)
    return sampler(problem.batch, q, problem.params["V"], problem.rng)


def numerical_gradients(loss_of_params, params):
    """Central differences, one coordinate at a time, in place on each array."""
    grads = {}
    for name in ARRAYS:
        values = params[name].reshape(-1)  # a view: writing to it moves the parameter
        grad = np.zeros(values.size)
        for i in range(values.size):
            saved = values[i]
            values[i] = saved + EPS
            up = loss_of_params()
            values[i] = saved - EPS
            down = loss_of_params()
            values[i] = saved
            grad[i] = (up - down) / (2 * EPS)
        grads[name] = grad.reshape(params[name].shape)
    return grads


def assert_gradients_match_finite_differences(problem, candidates, gravity_weight, l2):
    def loss():
        return loss_and_grads(problem.params, problem.x, candidates, gravity_weight, l2)[0]

    _, analytic = loss_and_grads(problem.params, problem.x, candidates, gravity_weight, l2)
    numeric = numerical_gradients(loss, problem.params)
    for name in ARRAYS:
        # A check of two zero arrays would pass whatever the code does.
        assert np.abs(numeric[name]).max() > 1e-3, f"{name}: gradient is zero, check is vacuous"
        np.testing.assert_allclose(analytic[name], numeric[name], rtol=RTOL, atol=ATOL,
                                   err_msg=f"gradient of {name}")


def test_no_relu_pre_activation_near_its_kink():
    """Central differences across a ReLU kink would be wrong by O(1); keep far away."""
    problem = make_problem()
    _, (_, pre, _) = query_tower(problem.params, problem.x)
    assert np.abs(pre).min() > 1000 * EPS
    assert 0.2 < (pre > 0).mean() < 0.8  # both sides of the ReLU are exercised


@pytest.mark.parametrize("regularizer", REGULARIZERS)
@pytest.mark.parametrize("case", STRATEGY_CASES)
def test_loss_gradients_match_finite_differences(case, regularizer):
    problem = make_problem()
    candidates = sample_candidates(problem, *STRATEGY_CASES[case])
    assert_gradients_match_finite_differences(problem, candidates, *REGULARIZERS[regularizer])


def test_uniform_candidates_contain_accidental_hits_and_duplicates():
    """So that the sampled-softmax checks above also exercise masking and duplicates."""
    problem = make_problem()
    candidates = sample_candidates(problem, "uniform", True)
    negatives = candidates.items[:, POSITIVES:]
    assert np.isneginf(candidates.logit_offsets).any()
    assert any(len(set(row)) < len(row) for row in negatives)


def test_in_batch_and_mixed_candidates_merge_copies_and_mask_hits():
    """So that their checks above also exercise an item standing for several
    draws (offset + log copies) and, in mixed, masked columns."""
    problem = make_problem()
    in_batch = sample_candidates(problem, "in-batch", True)
    mixed = sample_candidates(problem, "mixed", True)
    assert in_batch.items.ndim == 1 and in_batch.copies.max() > 1
    assert np.isneginf(mixed.logit_offsets).any() and mixed.copies.max() > 1


def hand_built_candidates(problem):
    """Row b: its two positives, one negative twice, then positive 0 again as an
    accidental hit masked with -inf. Offsets stand in for a logQ correction."""
    pos = problem.batch.positives
    negative = np.array([[min(set(range(N_ITEMS)) - set(row))] for row in pos])
    items = np.concatenate([pos, negative, negative, pos[:, :1]], axis=1)
    targets = np.concatenate([problem.batch.weights, np.zeros((QUERIES, 3))], axis=1)
    offsets = np.tile([0.3, -0.2, 0.1, 0.1, -np.inf], (QUERIES, 1))
    return Candidates(items, targets, offsets, "softmax")


def with_columns(candidates, columns, offset_change=0.0):
    """The candidates restricted to ``columns``; ``offset_change`` is added to the last one."""
    offsets = candidates.logit_offsets[:, columns].copy()
    offsets[:, -1] += offset_change
    return Candidates(candidates.items[:, columns], candidates.targets[:, columns], offsets,
                      candidates.loss)


@pytest.mark.parametrize("regularizer", REGULARIZERS)
def test_gradients_with_accidental_hit_and_duplicates_match_finite_differences(regularizer):
    problem = make_problem()
    assert_gradients_match_finite_differences(problem, hand_built_candidates(problem),
                                              *REGULARIZERS[regularizer])


def test_masked_accidental_hit_is_the_same_as_no_candidate():
    problem = make_problem()
    q, _ = query_tower(problem.params, problem.x)
    V = problem.params["V"]
    candidates = hand_built_candidates(problem)
    with_mask = candidate_loss(q, V, candidates)
    without = candidate_loss(q, V, with_columns(candidates, [0, 1, 2, 3]))
    for masked, dropped in zip(with_mask, without, strict=True):
        np.testing.assert_allclose(masked, dropped, rtol=1e-12, atol=1e-15)


def test_duplicated_candidates_add_up():
    """Two copies of a negative count as one copy with twice the weight: exp(s + log 2)."""
    problem = make_problem()
    q, _ = query_tower(problem.params, problem.x)
    V = problem.params["V"]
    candidates = hand_built_candidates(problem)
    twice = candidate_loss(q, V, with_columns(candidates, [0, 1, 2, 3]))
    once_doubled = candidate_loss(q, V, with_columns(candidates, [0, 1, 2], np.log(2.0)))
    for a, b in zip(twice, once_doubled, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)


def test_gravity_equals_mean_squared_score_over_all_pairs():
    rng = np.random.default_rng(1)
    q, V, weight = rng.standard_normal((7, 4)), rng.standard_normal((11, 4)), 0.3
    scores = q @ V.T  # the full B x n matrix that gravity() avoids building
    loss, dq, dV = gravity(q, V, weight)
    assert loss == pytest.approx(weight * np.mean(scores**2), rel=1e-12)
    # d/dq_b of weight/(Bn) sum_bj s_bj^2 = 2 weight/(Bn) sum_j s_bj V_j, and likewise for V.
    np.testing.assert_allclose(dq, 2 * weight * scores @ V / scores.size, rtol=1e-12)
    np.testing.assert_allclose(dV, 2 * weight * scores.T @ q / scores.size, rtol=1e-12)
