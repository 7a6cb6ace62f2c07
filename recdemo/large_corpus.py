"""The softmax model of ``model.py`` with training steps that scale to a million items.

    model = LargeCorpusModel(n_items, dim, rng)
    model.sampled_step(x, batch, sampler, rng)   # or model.full_step(x, batch)

The app's pages train on a few hundred items with ``train.py``: dense Adam on
one flat vector, so even a sampled step there updates every row of the item
table V. Here a step's cost is set by the batch, not by the corpus size n:

- A sampled step (uniform, hard, popularity or in-batch negatives, from
  ``samplers.py``) reads and writes only its candidates' rows of V: the rows
  of the batch's distinct candidates are gathered into a small block (one
  read of each row),
  the loss and gradients of ``model.candidate_loss`` are computed on that
  block in the table's precision, the optimizer updates the block, and it is
  written back (one write of each row). Nothing of size n x d is read or
  written, and the step allocates nothing of the block's size. In-batch
  negatives are the batch's own positives, rows every sampled step reads
  anyway: it reads no extra item row, and every query scores the batch's
  U <= B P distinct positives, so its step costs O(B^2 P d) as the batch
  grows and nothing more as the corpus grows.
- A full-softmax step needs every score: its normalizer log sum_j exp(s_j) and
  its gradient p_hat - p are computed over V in chunks of rows, so no n x B
  score matrix exists, and each chunk of V is updated as soon as its gradient
  is known (the update touches all n rows: that is the full softmax's cost).

The optimizer of the item table is lazy Adam (as TensorFlow's LazyAdam):
Adam's two running means are kept per row and only the rows a step touches are
updated, with the step count shared by all rows. Adam because the pages train
with Adam, and in the full step every row is touched, so there lazy Adam *is*
Adam and the two steps compare the same optimizer. Plain SGD on the touched
rows would be cheaper in memory (no state) but is not what the pages use; dense
Adam on a sampled gradient would move every row every step (its running means
are nonzero everywhere), which is the O(n d) cost this module avoids.

The item table and its optimizer state are float32, stored row by row
(``ItemTable``; at 1,000,000 x 32 they are 3 x 128 MB); the query tower stays
float64 as in ``model.py``. Gravity and L2 are left out: as written in
``model.py`` each reads or writes all of V every step.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np

from recdemo.adam import ADAM_BETAS, ADAM_EPS, Adam
from recdemo.data import FEATURES
from recdemo.model import ARRAYS, candidate_loss, init_params, query_tower, query_tower_backward
from recdemo.params import PARAMS
from recdemo.samplers import Batch

# Rows of V per chunk of the full softmax: a (B, CHUNK_ITEMS) block of scores
# (2 MB at B = 256 in float32) is the largest array its step allocates.
CHUNK_ITEMS = 2048
INIT_CHUNK_ROWS = 16_384  # rows of V drawn at a time when the table is built
TOWER = tuple(name for name in ARRAYS if name != "V")


class ItemTable:
    """The item embeddings V with their lazy Adam state, stored row by row.

    ``rows[j]`` is (V_j, m_j, v_j): the embedding and Adam's two running means
    of item j, side by side, so a step that touches a row reads and writes one
    block of 3 d numbers instead of three scattered ones. At a million items
    those scattered reads and writes are the largest part of a sampled step's
    time (the table does not fit in any cache); keeping each row's state
    together made that part several times faster on our machine.

    Lazy, as TensorFlow's LazyAdam: ``begin_step()`` once per training step,
    then ``update(block, grad)`` on each block of rows the step touched (a
    view into ``rows``, or a copy from ``gather`` that ``scatter`` writes
    back). Rows a step does not touch keep their value and their running
    means; a step that touches every row is plain Adam, as ``adam.Adam``.
    """

    def __init__(self, n_items: int, dim: int, learning_rate: float, rng, dtype=np.float32):
        self.learning_rate = learning_rate
        # Writing V writes every page of the table (each holds some V), so the
        # first steps do not pay page faults that a long run paid long ago.
        self.rows = np.zeros((n_items, 3, dim), dtype=dtype)  # running means at zero
        for start in range(0, n_items, INIT_CHUNK_ROWS):  # no n x d float64 temporary
            block = self.rows[start:start + INIT_CHUNK_ROWS, 0]
            block[:] = rng.standard_normal(block.shape, dtype=dtype)
            block *= 0.1  # as model.init_params
        self.t = 0
        self.step_size = 0.0
        self.block_buffer = np.empty((0, 3, dim), dtype=dtype)  # holds gather's block

    @property
    def V(self) -> np.ndarray:
        """The (n, d) embeddings, a view into ``rows``."""
        return self.rows[:, 0]

    def begin_step(self) -> None:
        b1, b2 = ADAM_BETAS
        self.t += 1
        # In the table's precision: a float64 scalar would run every product
        # with it in float64, casting the float32 rows on the way (several
        # times slower).
        self.step_size = self.rows.dtype.type(
            self.learning_rate * np.sqrt(1 - b2**self.t) / (1 - b1**self.t))

    def gather(self, ids: np.ndarray) -> np.ndarray:
        """Rows ``ids`` (sorted and distinct, as from np.unique) as a (U, 3, d)
        block, copied into a buffer the table keeps and valid until the next
        call. A fresh block each step (the step's largest array) made the
        memory allocator hand the step's memory back to the system at its end
        and page it in again at the next: at a million items, more than half
        of a sampled step's time on our machine."""
        if len(ids) and not 0 <= ids[0] <= ids[-1] < len(self.rows):
            raise IndexError(f"row ids must be sorted and in [0, {len(self.rows)}); "
                             f"got {ids[0]} to {ids[-1]}")
        if len(ids) > len(self.block_buffer):
            self.block_buffer = np.empty((len(ids), *self.rows.shape[1:]), dtype=self.rows.dtype)
        block = self.block_buffer[:len(ids)]
        # mode="clip" only to write straight into ``out`` (the ids are checked
        # above): with "raise", take fills a fresh copy and copies it back.
        np.take(self.rows, ids, axis=0, out=block, mode="clip")
        return block

    def scatter(self, ids: np.ndarray, block: np.ndarray) -> None:
        """Write a gathered (and updated) block back to rows ``ids``."""
        self.rows[ids] = block

    def update(self, block: np.ndarray, grad: np.ndarray) -> None:
        """Adam on ``block`` (some of ``rows``, shape (r, 3, d)), given dL/dV of
        its r rows:

            m = b1 m + (1 - b1) g,   v = b2 v + (1 - b2) g^2,
            V = V - step_size m / (sqrt(v) + eps)

        in place (a gathered block is a copy: the caller writes it back).
        ``grad``, in the table's precision, is overwritten: it is the one work
        array, so the update allocates nothing.
        """
        b1, b2 = ADAM_BETAS
        V, m, v = block[:, 0], block[:, 1], block[:, 2]
        work = grad
        work *= 1 - b1  # (1 - b1) g
        m *= b1
        m += work
        work *= work  # (1 - b1)^2 g^2
        work *= (1 - b2) / (1 - b1) ** 2
        v *= b2
        v += work
        np.sqrt(v, out=work)
        work += ADAM_EPS
        np.divide(m, work, out=work)
        work *= self.step_size
        V -= work


def chunks(n_items: int, chunk_items: int):
    """slice(start, stop) of each chunk of rows, in order."""
    return (slice(start, min(start + chunk_items, n_items))
            for start in range(0, n_items, chunk_items))


def log_normalizer(q: np.ndarray, V: np.ndarray, chunk_items: int = CHUNK_ITEMS) -> np.ndarray:
    """log sum_j exp(q_b . V_j) for each query b, over V in chunks of rows."""
    block = np.empty((len(q), chunk_items), dtype=np.result_type(q, V))
    total = np.full(len(q), -np.inf)
    for rows in chunks(len(V), chunk_items):
        scores = np.matmul(q, V[rows].T, out=block[:, :rows.stop - rows.start])
        top = scores.max(axis=1)
        scores -= top[:, None]  # for stability
        np.exp(scores, out=scores)
        total = np.logaddexp(total, top + np.log(scores.sum(axis=1)))
    return total


def full_softmax(q: np.ndarray, V: np.ndarray, positives: np.ndarray, weights: np.ndarray,
                 on_item_grad: Callable[[slice, np.ndarray], None],
                 chunk_items: int = CHUNK_ITEMS) -> tuple[float, np.ndarray]:
    """The full softmax loss of a batch and its gradients, in chunks of V's rows.

        L = -(1/B) sum_b sum_j p_bj log softmax(s_b)_j,   dL/ds = (p_hat - p) / B

    the same loss as ``model.candidate_loss`` on the whole corpus. ``positives``
    and ``weights`` (B, P) hold p; the positives of a row must be distinct.
    Two passes over V: the first finds each query's normalizer, the second
    computes each chunk's p_hat - p, adds its share of dL/dq, and hands dL/dV
    of those rows to ``on_item_grad(rows, grad)``, which may then update
    ``V[rows]`` in place (no later chunk reads them). Each pass reuses one
    (B, chunk_items) block for its scores. Returns (loss, dL/dq).
    """
    B = len(q)
    q = q.astype(V.dtype, copy=False)  # one precision for the (B, chunk) products
    normalizer = log_normalizer(q, V, chunk_items)
    positive_scores = np.einsum("bd,bpd->bp", q, V[positives])
    loss = -float((weights * (positive_scores - normalizer[:, None])).sum()) / B

    block = np.empty((B, chunk_items), dtype=q.dtype)
    dq = np.zeros(q.shape)
    for rows in chunks(len(V), chunk_items):
        V_rows = V[rows]
        dscores = np.matmul(q, V_rows.T, out=block[:, :rows.stop - rows.start])
        dscores -= normalizer[:, None]
        np.exp(dscores, out=dscores)  # p_hat of these items
        b, p = np.nonzero((positives >= rows.start) & (positives < rows.stop))
        dscores[b, positives[b, p] - rows.start] -= weights[b, p]  # distinct: no pair twice
        dscores /= B
        dq += dscores @ V_rows
        on_item_grad(rows, dscores.T @ q)
    return loss, dq


class LargeCorpusModel:
    """The softmax model of ``model.py`` with training steps that scale.

    The query tower is ``model.query_tower`` (float64, dense Adam as in
    ``train.py``); the item table is an ItemTable of ``dtype``.
    """

    def __init__(self, n_items: int, dim: int, rng, dtype=np.float32,
                 hidden: int = PARAMS["hidden"].default,
                 learning_rate: float = PARAMS["learning_rate"].default):
        # init_params with no items: the tower alone, as one flat vector for Adam.
        self.tower_flat, tower = init_params(FEATURES, 0, dim, hidden, rng)
        self.tower = {name: tower[name] for name in TOWER}
        self.tower_adam = Adam(len(self.tower_flat), learning_rate)
        self.items = ItemTable(n_items, dim, learning_rate, rng, dtype)

    def _update_tower(self, dq: np.ndarray, cache) -> None:
        grads = query_tower_backward(self.tower, dq, cache)
        self.tower_adam.step(self.tower_flat, np.concatenate([grads[n].ravel() for n in TOWER]))

    def sampled_step(self, x: np.ndarray, batch: Batch, sampler, rng) -> float:
        """One step on the candidates ``sampler`` draws; touches only their rows."""
        q, cache = query_tower(self.tower, x)
        candidates = sampler(batch, q, self.items.V, rng)
        ids, local = np.unique(candidates.items, return_inverse=True)
        local = local.reshape(candidates.items.shape)  # each candidate's row in block
        block = self.items.gather(ids)  # (U, 3, d): all this step reads of the table
        q_items = q.astype(block.dtype)  # the candidates' products in the table's precision
        loss, dq, dV = candidate_loss(q_items, block[:, 0], replace(candidates, items=local))
        self.items.begin_step()
        self.items.update(block, dV)
        self.items.scatter(ids, block)
        self._update_tower(dq, cache)
        return loss

    def full_step(self, x: np.ndarray, batch: Batch, chunk_items: int = CHUNK_ITEMS) -> float:
        """One full-softmax step; updates every row of the table, one chunk at a time."""
        q, cache = query_tower(self.tower, x)
        self.items.begin_step()

        def update(rows: slice, grad: np.ndarray) -> None:
            self.items.update(self.items.rows[rows], grad)  # a view: updated in place

        loss, dq = full_softmax(q, self.items.V, batch.positives, batch.weights, update,
                                chunk_items)
        self._update_tower(dq, cache)
        return loss
