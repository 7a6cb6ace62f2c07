"""The softmax recommender: a query tower psi(x) and an item embedding table V.

    h     = relu(x W1 + b1)          hidden layer of the query tower
    q     = h W2 + b2                query embedding psi(x), length d
    s_j   = q . V_j                  score of item j

Every forward pass below has its backward pass written next to it, in plain
numpy, so each gradient can be read line by line (and is checked against
finite differences in tests/test_gradients.py).
"""

from __future__ import annotations

import numpy as np
from scipy.sparse import csc_array

from recdemo.samplers import Candidates

ARRAYS = ("W1", "b1", "W2", "b2", "V")  # every trainable array, in their order in the flat vector
WEIGHTS = ("W1", "W2", "V")  # the ones that get L2 decay (not the biases)


def init_params(n_features: int, n_items: int, dim: int, hidden: int, rng):
    """He initialization for the ReLU layer; small random item embeddings.

    Returns ``(flat, params)``: ``params`` maps each name to an array that is a
    view into the one vector ``flat``, so the optimizer updates everything with
    a handful of vector operations.
    """
    shapes = {"W1": (n_features, hidden), "b1": (hidden,), "W2": (hidden, dim),
              "b2": (dim,), "V": (n_items, dim)}
    flat = np.zeros(sum(int(np.prod(shape)) for shape in shapes.values()))
    params, start = {}, 0
    for name in ARRAYS:
        size = int(np.prod(shapes[name]))
        params[name] = flat[start:start + size].reshape(shapes[name])
        start += size
    params["W1"][:] = rng.standard_normal(shapes["W1"]) * np.sqrt(2.0 / n_features)
    params["W2"][:] = rng.standard_normal(shapes["W2"]) * np.sqrt(1.0 / hidden)
    params["V"][:] = rng.standard_normal(shapes["V"]) * 0.1
    return flat, params


def flatten(grads: dict) -> np.ndarray:
    """The gradients as one vector, in the order of the flat parameter vector."""
    return np.concatenate([grads[name].ravel() for name in ARRAYS])


def query_tower(params: dict, x: np.ndarray):
    """q = psi(x). Returns q and the cache the backward pass needs."""
    pre = x @ params["W1"] + params["b1"]
    h = np.maximum(pre, 0.0)
    q = h @ params["W2"] + params["b2"]
    return q, (x, pre, h)


def query_tower_backward(params: dict, dq: np.ndarray, cache) -> dict:
    """Gradients of the tower's weights, given dLoss/dq."""
    x, pre, h = cache
    dh = dq @ params["W2"].T
    dpre = dh * (pre > 0)
    return {"W1": x.T @ dpre, "b1": dpre.sum(0), "W2": h.T @ dq, "b2": dq.sum(0)}


def candidate_loss(q: np.ndarray, V: np.ndarray, cand: Candidates):
    """Loss of a batch on its candidates, averaged over the batch.

    Returns (loss, dq, dV); ``candidate_gradients`` also returns dL/ds.
    """
    loss, _, dq, dV = candidate_gradients(q, V, cand)
    return loss, dq, dV


def candidate_gradients(q: np.ndarray, V: np.ndarray, cand: Candidates):
    """Loss of a batch on its candidates, averaged over the batch.

    Returns (loss, dscores, dq, dV), dscores = dL/ds of each candidate. With
    ``cand.loss == "softmax"``:
        L = -sum_c t_c log softmax(s + offset)_c,   dL/ds = softmax - t
    With ``"sigmoid"`` (positives only):
        L = -sum_c t_c log sigmoid(s_c),            dL/ds = t (sigmoid(s) - 1)
    """
    B = len(q)
    if cand.items is None:  # the whole corpus: a dense (B, n) score matrix
        scores = q @ V.T
    elif cand.items.ndim == 1:  # the same candidates for every query: one product
        V_cand = np.take(V, cand.items, axis=0)  # (C, d)
        scores = q @ V_cand.T
    else:
        V_cand = np.take(V, cand.items, axis=0)  # (B, C, d): each query's candidates
        scores = (V_cand @ q[:, :, None])[:, :, 0]
    logits = scores + cand.logit_offsets
    t = cand.targets

    if cand.loss == "softmax":
        shifted = logits - logits.max(axis=1, keepdims=True)  # for stability
        exp = np.exp(shifted)
        total = exp.sum(axis=1, keepdims=True)
        log_p_hat = shifted - np.log(total)
        loss = -(t * np.where(t > 0, log_p_hat, 0.0)).sum() / B  # 0 * -inf of a mask is 0
        dscores = (exp / total - t) / B
    else:
        log_sigmoid = -np.logaddexp(0.0, -logits)
        loss = -(t * log_sigmoid).sum() / B
        dscores = t * (np.exp(log_sigmoid) - 1.0) / B

    # The products below in V's precision: with a float32 table, float64
    # dL/ds would make float64 copies of the (B, C, d) candidate embeddings.
    dscores = dscores.astype(V.dtype, copy=False)
    if cand.items is None:
        dq = dscores @ V  # dL/dq_b = sum_j dL/ds_bj V_j: all n items
        dV = dscores.T @ q  # dL/dV_j = sum_b dL/ds_bj q_b
    elif cand.items.ndim == 1:  # as above, on the shared candidates' rows only
        dq = dscores @ V_cand
        dV = np.zeros(V.shape, dtype=np.result_type(dscores, q))
        dV[cand.items] = dscores.T @ q  # the items are distinct: no row twice
    else:  # only the candidates: the cost does not grow with the corpus
        dq = (dscores[:, None, :] @ V_cand)[:, 0, :]
        dV = item_by_query(cand.items, dscores, len(V)) @ q
    return loss, dscores, dq, dV


def item_by_query(items: np.ndarray, values: np.ndarray, n: int) -> csc_array:
    """The sparse (n, B) matrix with values[b, c] in row items[b, c] of column b
    (summed where an item is a candidate twice). With values = dL/ds it maps
    the batch's query vectors to dL/dV, touching only the candidates' rows."""
    B, C = items.shape
    return csc_array((values.ravel(), items.ravel(), np.arange(0, B * C + 1, C)), shape=(n, B))


def gravity(q: np.ndarray, V: np.ndarray, weight: float):
    """Gravity (Krichene et al. 2019): weight * mean over all (query, item) of s^2.

        G = weight * <Q^T Q / B, V^T V / n>

    computed with two d x d Gramians, never the B x n score matrix. It pulls
    every score toward zero, including those of items the batch never sees.
    Returns (loss, dq, dV).
    """
    B, n = len(q), len(V)
    gram_q = q.T @ q / B
    gram_v = V.T @ V / n
    loss = weight * (gram_q * gram_v).sum()
    dq = 2.0 * weight * q @ gram_v / B
    dV = 2.0 * weight * V @ gram_q / n
    return loss, dq, dV


def l2_penalty(params: dict, weight: float):
    """weight * sum of squared weights; returns (loss, grads)."""
    loss = weight * sum((params[name] ** 2).sum() for name in WEIGHTS)
    return loss, {name: 2.0 * weight * params[name] for name in WEIGHTS}


def loss_and_grads(params: dict, x: np.ndarray, cand: Candidates, gravity_weight: float,
                   l2: float, tower=None):
    """The whole training objective of one batch and its gradient on every
    parameter, and in ``grads["scores"]`` the candidate loss's dL/ds (of the
    candidates, before gravity): what negatives.NegativesSeen reads.

    ``tower`` is the (q, cache) of ``query_tower(params, x)`` if already computed.
    """
    q, cache = tower or query_tower(params, x)
    loss, dscores, dq, dV = candidate_gradients(q, params["V"], cand)
    if gravity_weight > 0:
        g_loss, g_dq, g_dV = gravity(q, params["V"], gravity_weight)
        loss, dq, dV = loss + g_loss, dq + g_dq, dV + g_dV
    grads = query_tower_backward(params, dq, cache)
    grads["V"] = dV
    if l2 > 0:
        l2_loss, l2_grads = l2_penalty(params, l2)
        loss += l2_loss
        for name, g in l2_grads.items():
            grads[name] = grads[name] + g
    # Not a parameter: dL/ds of the candidates the sampler made (the whole corpus only
    # for full), the push on each that negatives.NegativesSeen records.
    grads["scores"] = dscores
    return loss, grads
