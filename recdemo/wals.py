"""Weighted alternating least squares (WALS): matrix factorization with an unobserved weight.

The training queries x items interaction matrix ``A`` (sparse, m x n: A_ij = 1
where query i interacted with item j, nothing stored elsewhere) is
approximated by ``U V^T``, one row ``u_i`` per query and one row ``v_j`` per
item, both of length d. The objective:

    sum over observed (i, j)    (A_ij - u_i . v_j)^2
  + w0 * sum over unobserved    (u_i . v_j)^2
  + l2 * (|U|^2 + |V|^2)

w0 is the unobserved weight (MFConfig's ``unobserved_weight``), l2 the
weight of the L2 term (mf.L2). With ``w0 = 0`` only the observed entries
count (observed-only MF): nothing says that a query should score another
group's items low, so groups can land on each other. ``w0 > 0`` pulls every
unobserved score toward 0: the push apart.

With V fixed, the objective is a sum of one ridge regression per query row,
solved in closed form (and the same with U fixed for the item rows):

    (w0 V^T V  +  (1 - w0) sum_{j observed} v_j v_j^T  +  l2 I) u_i  =  sum_{j observed} A_ij v_j

``w0 V^T V`` weighs every item by w0, with one d x d Gramian shared by all
rows; the sum over the row's few observed items then raises their weight
from w0 to 1. No dense m x n matrix is ever formed. Each half-sweep solves its
rows exactly, so the objective never goes up.
"""

from __future__ import annotations

import numpy as np
from scipy.sparse import csr_array


def interaction_matrix(positives: np.ndarray, n_items: int) -> csr_array:
    """The sparse (m, n) matrix with a 1 at each query's positive items.

    ``positives`` is (m, P) item ids, distinct within a row (P may be 0)."""
    m, P = positives.shape
    values = np.ones(m * P)
    return csr_array((values, positives.ravel(), np.arange(m + 1) * P), shape=(m, n_items))


def objective(A: csr_array, U: np.ndarray, V: np.ndarray, unobserved_weight: float,
              l2: float) -> float:
    """The WALS objective above, without an m x n matrix.

    The unobserved term is written as w0 times the sum over *all* entries,
    w0 * sum_ij (u_i . v_j)^2 = w0 * <U^T U, V^T V>, minus the observed
    entries' share of it."""
    entries = A.tocoo()
    rows, cols = entries.coords
    observed_scores = np.einsum("ed,ed->e", U[rows], V[cols])  # u_i . v_j, observed entries only
    observed = ((entries.data - observed_scores) ** 2).sum()
    unobserved = (U.T @ U * (V.T @ V)).sum() - (observed_scores**2).sum()
    return float(observed + unobserved_weight * unobserved + l2 * ((U**2).sum() + (V**2).sum()))


def solve_rows(A: csr_array, V: np.ndarray, unobserved_weight: float, l2: float) -> np.ndarray:
    """Every row u_i of the least-squares problem above, given the other side V.

    ``A`` is (rows, n) and ``V`` is (n, d); returns (rows, d). Pass ``A.T``
    and U to solve the item rows. The same solve embeds a new query from its
    interactions alone (fold-in): its row is what training would give it.
    A row with no observed entry gets the zero vector, the regularizer's choice.
    """
    d = V.shape[1]
    gram = unobserved_weight * (V.T @ V)  # every item, weighted w0: one d x d matrix
    outer = np.einsum("jk,jl->jkl", V, V).reshape(len(V), d * d)  # v_j v_j^T, one per row of V
    observed = (A != 0).astype(float)
    # observed items weigh 1, not w0
    correction = (1.0 - unobserved_weight) * (observed @ outer).reshape(-1, d, d)
    lhs = gram + correction + l2 * np.eye(d)  # (rows, d, d)
    rhs = A @ V  # sum_j A_ij v_j over the observed items
    return np.linalg.solve(lhs, rhs[:, :, None])[:, :, 0]


def sweep(A: csr_array, U: np.ndarray, V: np.ndarray, unobserved_weight: float, l2: float):
    """One sweep: the item rows given the query rows, then the query rows given
    the new item rows. Returns (U, V).

    Items first, so that the returned U is exactly ``solve_rows(A, V)``: a
    training query folded in with the final V gets back its trained row."""
    V = solve_rows(A.T.tocsr(), U, unobserved_weight, l2)
    U = solve_rows(A, V, unobserved_weight, l2)
    return U, V


def init_factors(m: int, n: int, dim: int, rng) -> tuple[np.ndarray, np.ndarray]:
    """Random starting rows, each of expected length 1."""
    return (rng.standard_normal((m, dim)) / np.sqrt(dim),
            rng.standard_normal((n, dim)) / np.sqrt(dim))
