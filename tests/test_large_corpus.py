"""The training steps of recdemo/large_corpus.py: the same updates as the dense
code in model.py and train.py, and memory that does not grow with the corpus.

Small problems run in float64, so the sparse and the dense update agree to
rounding. Memory is checked with tracemalloc (numpy reports its arrays to it);
no test times anything.
"""

import tracemalloc

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

from recdemo.adam import ADAM_BETAS, ADAM_EPS, Adam
from recdemo.large_corpus import TOWER, LargeCorpusModel, full_softmax
from recdemo.model import candidate_loss, query_tower, query_tower_backward
from recdemo.samplers import HARD_POOL_SIZE, Batch, FullSoftmax, make_sampler
from recdemo.step_cost import Corpus, random_batch, zipf_popularity

SAMPLED = ("uniform", "hard", "popularity", "in-batch")


def small_model(n_items, seed, dim=4, batch=8, hidden=6):
    rng = np.random.default_rng(seed)
    model = LargeCorpusModel(n_items, dim, rng, dtype=np.float64, hidden=hidden)
    x, batch = random_batch(n_items, batch, rng)
    return model, x, batch, rng


def dense_copy(model):
    """The model's parameters as model.py holds them: one dict, V included."""
    params = {name: model.tower[name].copy() for name in TOWER}
    params["V"] = model.items.V.copy()
    return params


def flat_views(params, names):
    """One vector holding ``params[name]`` for each name, and those arrays as
    views into it (as model.init_params lays them out): adam.Adam's update of
    the vector moves them."""
    flat = np.concatenate([params[name].ravel() for name in names])
    views, start = {}, 0
    for name in names:
        views[name] = flat[start:start + params[name].size].reshape(params[name].shape)
        start += params[name].size
    return flat, views


# --- the sampled step is the dense update restricted to the candidates' rows ---

class Recording:
    """A sampler that remembers every Candidates it hands out."""

    def __init__(self, sampler):
        self.sampler, self.drawn = sampler, []

    def __call__(self, batch, q, V, rng):
        self.drawn.append(self.sampler(batch, q, V, rng))
        return self.drawn[-1]


class Replay:
    """A sampler that hands out the given Candidates."""

    def __init__(self, candidates):
        self.candidates = candidates

    def __call__(self, batch, q, V, rng):
        return self.candidates


def dense_lazy_adam_steps(params, x, drawn, learning_rate):
    """The reference: model.candidate_loss's dense (n, d) gradient of V, then
    Adam on every row that was a candidate (all others left alone, running
    means too), adam.Adam on the tower. Returns V's running means."""
    b1, b2 = ADAM_BETAS
    tower_flat, tower = flat_views(params, TOWER)
    params.update(tower)
    tower_adam = Adam(len(tower_flat), learning_rate)
    m, v = np.zeros(params["V"].shape), np.zeros(params["V"].shape)
    for t, candidates in enumerate(drawn, start=1):
        q, cache = query_tower(params, x)
        _, dq, dV = candidate_loss(q, params["V"], candidates)
        touched = np.zeros(len(m), dtype=bool)
        touched[candidates.items.ravel()] = True
        m = np.where(touched[:, None], b1 * m + (1 - b1) * dV, m)
        v = np.where(touched[:, None], b2 * v + (1 - b2) * dV**2, v)
        step = learning_rate * np.sqrt(1 - b2**t) / (1 - b1**t)
        params["V"] -= np.where(touched[:, None], step * m / (np.sqrt(v) + ADAM_EPS), 0.0)
        grads = query_tower_backward(params, dq, cache)
        tower_adam.step(tower_flat, np.concatenate([grads[name].ravel() for name in TOWER]))
    return m, v


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("strategy", SAMPLED)
def test_sampled_step_equals_the_dense_update_on_the_same_candidates(strategy, seed):
    n_items, steps = 40, 4
    model, x, batch, rng = small_model(n_items, seed)
    reference = dense_copy(model)
    initial_V = model.items.V.copy()
    corpus = Corpus(n_items, zipf_popularity(n_items, rng))
    sampler = Recording(make_sampler(strategy, 3, corpus, temperature=0.5))
    for _ in range(steps):
        model.sampled_step(x, batch, sampler, rng)

    m, v = dense_lazy_adam_steps(reference, x, sampler.drawn, model.items.learning_rate)
    for name in TOWER:
        np.testing.assert_allclose(model.tower[name], reference[name], rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(model.items.V, reference["V"], rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(model.items.rows[:, 1], m, rtol=1e-10, atol=1e-16)
    np.testing.assert_allclose(model.items.rows[:, 2], v, rtol=1e-10, atol=1e-20)
    # Not vacuous: in some step, rows that earlier steps had moved were not
    # candidates (dense Adam would move them again; lazy Adam must not), and
    # some row was a candidate twice (gradients that must add up).
    # (In-batch's candidates are the one batch's positives every step, some
    # of them several times over: the same rows, and one column each.)
    touched = [set(c.items.ravel()) for c in sampler.drawn]
    if strategy == "in-batch":
        assert all(c.copies.max() > 1 for c in sampler.drawn)
        assert len(touched[0]) < n_items
    else:
        assert any(set.union(*touched[:t]) - touched[t] for t in range(1, steps))
        assert any(len(np.unique(c.items)) < c.items.size for c in sampler.drawn)
    assert not np.allclose(model.items.V, initial_V)


def float32_copy(model):
    """The same model with its item table (V and running means) in float32."""
    copy = LargeCorpusModel(len(model.items.rows), model.items.rows.shape[2],
                            np.random.default_rng(0), hidden=model.tower["W1"].shape[1])
    copy.tower_flat[:] = model.tower_flat
    copy.items.rows[:] = model.items.rows
    return copy


@pytest.mark.parametrize("strategy", SAMPLED)
def test_float32_step_is_the_float64_step_to_float32_rounding(strategy):
    """A large corpus's table is float32: the candidates' products, dL/ds,
    dL/dV and Adam then run in float32 too, and must give the same update."""
    model, x, batch, rng = small_model(n_items=40, seed=3)
    single = float32_copy(model)
    assert single.items.rows.dtype == np.float32 and single.tower_flat.dtype == np.float64
    sampler = Recording(make_sampler(strategy, 3, Corpus(40, zipf_popularity(40, rng)),
                                     temperature=0.5))
    initial_V = model.items.V.copy()
    for _ in range(3):
        loss = model.sampled_step(x, batch, sampler, rng)
        single_loss = single.sampled_step(x, batch, Replay(sampler.drawn[-1]), rng)
        assert single_loss == pytest.approx(loss, rel=1e-5)
    moved = model.items.V - initial_V  # what the steps changed, about 3 learning rates
    np.testing.assert_allclose(single.items.V - initial_V, moved, rtol=1e-3, atol=1e-6)
    np.testing.assert_allclose(single.tower_flat, model.tower_flat, rtol=1e-4, atol=1e-6)


def test_gather_refuses_rows_out_of_the_table():
    model, *_ = small_model(n_items=10, seed=0)
    with pytest.raises(IndexError, match=r"row ids must be sorted and in \[0, 10\); got 3 to 10"):
        model.items.gather(np.array([3, 10]))
    with pytest.raises(IndexError, match="got -1 to 4"):
        model.items.gather(np.array([-1, 4]))


def test_full_step_is_adam_on_every_row():
    """Lazy Adam that touches every row is adam.Adam on the whole table."""
    model, x, batch, _ = small_model(n_items=30, seed=4)
    flat, params = flat_views(dense_copy(model), (*TOWER, "V"))
    adam = Adam(len(flat), model.items.learning_rate)
    for _ in range(3):
        model.full_step(x, batch, chunk_items=7)
        q, cache = query_tower(params, x)
        candidates = FullSoftmax()(batch, q, params["V"], None)
        _, dq, dV = candidate_loss(q, params["V"], candidates)
        grads = query_tower_backward(params, dq, cache)
        grads["V"] = dV
        adam.step(flat, np.concatenate([grads[name].ravel() for name in (*TOWER, "V")]))
    for name in TOWER:
        np.testing.assert_allclose(model.tower[name], params[name], rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(model.items.V, params["V"], rtol=1e-10, atol=1e-13)


# --- the chunked full softmax is the full softmax ---

def full_problem(seed=0, n_items=23, batch=5, dim=3, scale=3.0):
    rng = np.random.default_rng(seed)
    q = rng.standard_normal((batch, dim))
    V = rng.standard_normal((n_items, dim)) * scale  # scores of order 10: far from uniform
    positives = np.stack([rng.choice(n_items, 4, replace=False) for _ in range(batch)])
    weights = rng.dirichlet(np.ones(4), size=batch)
    return q, V, Batch(positives, weights, np.zeros(batch, dtype=int))


def chunked(q, V, batch, chunk_items):
    dV = np.full(V.shape, np.nan)

    def collect(rows, grad):
        assert np.isnan(dV[rows]).all(), "a row's gradient handed out twice"
        dV[rows] = grad

    loss, dq = full_softmax(q, V, batch.positives, batch.weights, collect, chunk_items)
    return loss, dq, dV


@pytest.mark.parametrize("scale", [0.3, 3.0, 30.0])  # 30: scores in the hundreds
@pytest.mark.parametrize("chunk_items", [1, 4, 7, 23, 100])
def test_chunked_full_softmax_equals_the_unchunked_one(chunk_items, scale):
    q, V, batch = full_problem(scale=scale)
    unchunked = candidate_loss(q, V, FullSoftmax()(batch, q, V, None))
    for got, want in zip(chunked(q, V, batch, chunk_items), unchunked, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)


def test_chunked_full_softmax_gradients_match_finite_differences():
    q, V, batch = full_problem(seed=1)
    _, dq, dV = chunked(q, V, batch, chunk_items=4)
    eps = 1e-6

    def numeric(array):
        grad = np.zeros(array.size)
        flat = array.reshape(-1)  # a view: writing to it moves the parameter
        for i in range(flat.size):
            saved = flat[i]
            flat[i] = saved + eps
            up = chunked(q, V, batch, 4)[0]
            flat[i] = saved - eps
            down = chunked(q, V, batch, 4)[0]
            flat[i] = saved
            grad[i] = (up - down) / (2 * eps)
        return grad.reshape(array.shape)

    for analytic, array in ((dq, q), (dV, V)):
        assert np.abs(analytic).max() > 1e-3  # a check of zeros would pass anything
        np.testing.assert_allclose(analytic, numeric(array), rtol=1e-5, atol=1e-8)


# --- memory: nothing of size n x batch, nothing that grows with n ---

def step_temporaries(model, step) -> int:
    """Peak bytes one step allocates beyond what the model already holds."""
    # One BLAS thread, as the CLI and the app's workers: on a busy machine a
    # second one spins on every small product of the full step's chunks.
    with threadpool_limits(1):
        step()  # warm-up: first-call allocations are not the step's
        tracemalloc.start()
        try:
            before = tracemalloc.get_traced_memory()[0]
            step()
            return tracemalloc.get_traced_memory()[1] - before
        finally:
            tracemalloc.stop()


def large_step(strategy, n_items, batch=256):
    rng = np.random.default_rng(0)
    model = LargeCorpusModel(n_items, 32, rng)
    x, batch = random_batch(n_items, batch, rng)
    if strategy == "full":
        return model, lambda: model.full_step(x, batch)
    sampler = make_sampler(strategy, 20, Corpus(n_items, zipf_popularity(n_items, rng)))
    return model, lambda: model.sampled_step(x, batch, sampler, rng)


def test_full_step_holds_no_n_by_batch_array_and_no_n_by_d_one():
    n_items, batch = 200_000, 256
    model, step = large_step("full", n_items, batch)
    itemsize = model.items.V.itemsize
    peak = step_temporaries(model, step)
    assert peak < n_items * batch * itemsize / 20  # 205 MB for the (B, n) scores
    assert peak < n_items * 32 * itemsize / 2  # 26 MB for a dense (n, d) gradient


@pytest.mark.parametrize("strategy", SAMPLED)
def test_sampled_step_memory_does_not_grow_with_the_corpus(strategy):
    small, large = 20_000, 200_000  # both above HARD_POOL_SIZE: the same code path
    assert small > HARD_POOL_SIZE
    at_small = step_temporaries(*large_step(strategy, small))
    at_large = step_temporaries(*large_step(strategy, large))
    # An (n, d) float32 array would add 23 MB between the two.
    assert at_large < 1.25 * at_small + 2**20
