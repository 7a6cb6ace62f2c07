"""WALS (recdemo/wals.py): every row solve against a brute-force weighted least
squares, the objective against its dense definition, the objective never
going up, an independent solver (the implicit package), and the lesson: at a
few dimensions observed-only MF folds and an unobserved weight separates."""

import warnings

import numpy as np
import pytest
import scipy.sparse
from implicit.cpu import _als
from implicit.cpu.als import AlternatingLeastSquares
from threadpoolctl import threadpool_limits

from recdemo.data import DataConfig, make_dataset
from recdemo.mf import L2, MFConfig, train_mf
from recdemo.wals import init_factors, interaction_matrix, objective, solve_rows, sweep


def tiny_case(seed=0, m=6, n=8, d=3):
    """A small interaction matrix with 0 to 4 positives per row, one row and
    one column empty, and random rows on both sides."""
    rng = np.random.default_rng(seed)
    observed = rng.random((m, n)) < 0.35
    observed[0] = False  # a query with no interaction
    observed[:, -1] = False  # an item with no interaction
    A = scipy.sparse.csr_array(observed.astype(float))
    U, V = init_factors(m, n, d, rng)
    return A, U, V


def dense_weights(A, w0):
    """Every entry's weight written out: 1 where observed, w0 elsewhere."""
    return np.where(A.toarray() != 0, 1.0, w0)


def brute_force_row(a, weights, V, reg):
    """argmin_u sum_j weights_j (a_j - u . v_j)^2 + reg |u|^2, as an ordinary
    least-squares problem: each entry a row scaled by sqrt(weight), then
    sqrt(reg) I for the regularizer."""
    d = V.shape[1]
    scale = np.sqrt(weights)[:, None]
    design = np.vstack([scale * V, np.sqrt(reg) * np.eye(d)])
    target = np.concatenate([scale[:, 0] * a, np.zeros(d)])
    return np.linalg.lstsq(design, target, rcond=None)[0]


@pytest.mark.parametrize("w0", [0.0, 0.05, 0.5, 1.0])
@pytest.mark.parametrize("seed", [0, 1])
def test_each_row_solve_is_the_weighted_least_squares_solution(w0, seed):
    A, U, V = tiny_case(seed)
    reg = 0.1
    W = dense_weights(A, w0)
    dense = A.toarray()
    query_rows = solve_rows(A, V, w0, reg)
    item_rows = solve_rows(A.T.tocsr(), U, w0, reg)
    for i in range(A.shape[0]):
        np.testing.assert_allclose(query_rows[i], brute_force_row(dense[i], W[i], V, reg),
                                   atol=1e-10)
    for j in range(A.shape[1]):
        np.testing.assert_allclose(item_rows[j], brute_force_row(dense[:, j], W[:, j], U, reg),
                                   atol=1e-10)


def test_rows_with_no_interaction_get_the_zero_row():
    A, U, V = tiny_case()
    for w0 in (0.0, 0.05):
        assert not solve_rows(A, V, w0, 0.1)[0].any()  # the query with no interaction
        assert not solve_rows(A.T.tocsr(), U, w0, 0.1)[-1].any()  # the item with no interaction


@pytest.mark.parametrize("w0", [0.0, 0.05, 1.0])
def test_objective_is_the_dense_weighted_sum(w0):
    A, U, V = tiny_case()
    reg = 0.1
    residual = A.toarray() - U @ V.T
    dense = (dense_weights(A, w0) * residual**2).sum() + reg * ((U**2).sum() + (V**2).sum())
    assert objective(A, U, V, w0, reg) == pytest.approx(dense, rel=1e-12)


@pytest.mark.parametrize("w0", [0.0, 0.01, 0.05, 1.0])
@pytest.mark.parametrize("groups, dim, seed", [(4, 4, 0), (6, 2, 1), (8, 16, 2)])
def test_objective_never_increases_from_sweep_to_sweep(w0, groups, dim, seed):
    dataset = make_dataset(DataConfig(groups=groups, queries_per_group=40, seed=seed))
    A = interaction_matrix(dataset.train.positives, dataset.n_items)
    U, V = init_factors(*A.shape, dim, np.random.default_rng(seed))
    values = [objective(A, U, V, w0, L2)]
    for _ in range(15):
        U, V = sweep(A, U, V, w0, L2)
        values.append(objective(A, U, V, w0, L2))
    steps = np.diff(values)
    assert (steps <= 1e-9 * np.abs(values[:-1])).all(), values
    assert values[-1] < values[0]


@pytest.mark.parametrize("w0", [0.0, 0.05])
def test_fold_in_of_a_training_query_gives_back_its_trained_row(w0):
    dataset = make_dataset(DataConfig(groups=4, queries_per_group=60))
    result = train_mf(dataset, MFConfig(unobserved_weight=w0))
    A = interaction_matrix(dataset.train.positives, dataset.n_items)
    folded = solve_rows(A, result.item_embeddings, w0, L2)
    np.testing.assert_allclose(folded, result.train_query_embeddings, atol=1e-10)


# ---------------------------------------------------------------- an independent solver
# For w0 > 0, dividing the objective by w0 gives the implicit-feedback ALS of Hu, Koren
# and Volinsky: confidence 1/w0 (= 1 + alpha, alpha = 1/w0 - 1) on observed entries, 1 on
# the others, regularization reg / w0. The implicit package's confidence is alpha x the
# matrix value, so it gets alpha = 1/w0 with our matrix of ones.

@pytest.mark.parametrize("w0", [0.02, 0.3, 1.0])
def test_row_solves_and_objective_agree_with_the_implicit_package(w0):
    A, U, V = tiny_case(seed=3, m=10, n=12, d=4)
    reg = 0.1
    csr = scipy.sparse.csr_matrix(A)
    with threadpool_limits(1, "blas"), warnings.catch_warnings():
        warnings.simplefilter("error")  # no silent conversion or fallback
        model = AlternatingLeastSquares(factors=4, regularization=reg / w0, alpha=1 / w0,
                                        dtype=np.float64, use_cg=False, num_threads=1)
        model.user_factors, model.item_factors = U.copy(), V.copy()
        their_query_rows = model.recalculate_user(np.arange(A.shape[0]), csr)
        their_item_rows = model.recalculate_item(np.arange(A.shape[1]), csr.T.tocsr())
        their_loss = _als.calculate_loss((csr / w0).astype(np.float32), U, V, reg / w0,
                                         num_threads=1)
    # (implicit rounds the confidences to float32: agreement to about 1e-7)
    for ours, theirs in ((solve_rows(A, V, w0, reg), their_query_rows),
                         (solve_rows(A.T.tocsr(), U, w0, reg), their_item_rows)):
        np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-9)
    # implicit reports its loss divided by the total weight of all entries
    nnz = A.nnz
    total_weight = nnz / w0 + A.shape[0] * A.shape[1] - nnz
    assert their_loss == pytest.approx(objective(A, U, V, w0, reg) / w0 / total_weight, rel=1e-6)


# ---------------------------------------------------------------- the lesson

@pytest.mark.parametrize("groups", [4, 6, 8])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_at_few_dimensions_observed_only_mf_folds_and_an_unobserved_weight_separates(
        groups, seed):
    dataset = make_dataset(DataConfig(groups=groups, seed=seed))
    spurious = {w0: train_mf(dataset, MFConfig(unobserved_weight=w0, mf_dim=4, seed=seed))
                .final_metrics["spurious_at_k"] for w0 in (0.0, 0.05)}
    assert spurious[0.0] >= 3 * spurious[0.05], spurious


@pytest.mark.parametrize("groups", [4, 6, 8])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_with_room_enough_observed_only_mf_does_not_fold(groups, seed):
    """At 16 dimensions the random starting rows keep the groups apart by
    themselves: folding by chance needs few dimensions (exercise 6)."""
    dataset = make_dataset(DataConfig(groups=groups, seed=seed))
    spurious = {w0: train_mf(dataset, MFConfig(unobserved_weight=w0, mf_dim=16, seed=seed))
                .final_metrics["spurious_at_k"] for w0 in (0.0, 0.05)}
    assert spurious[0.0] <= max(2 * spurious[0.05], 0.1), spurious
