"""Which items the loss sees for each query: one small class per strategy.

Every sampler turns a batch of training queries into ``Candidates``: the item
ids the loss is computed on, the target probability of each, and an offset
added to each logit (the logQ correction, or -inf to mask an accidental hit).
The loss in ``model.py`` never needs to know which strategy made them.

The logQ correction, in one line: a sampled softmax replaces the sum
Z = sum_j exp(s_j) over all n items by a sum over drawn items, each weighted
by 1 / (its expected number of copies among the draws). That estimate of Z is
unbiased whatever the sampler, and the weight is the logit offset
-log E[copies_j]: -log(K Q_j) for K draws from Q. Popular items, drawn often,
are weighted down, so they are pushed down no more than the full softmax would
push them. The sign matters: adding log Q instead doubles the bias
(TensorFlow Recommenders shipped that once, issues 219 and 278).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

HARD_POOL_SIZE = 512  # hard negatives are picked from the whole corpus up to this size
# Popularity's cumulative distribution over up to this many items (512 KB)
# stays in a core's cache: its draws need no sorting first.
CACHED_CDF = 2**16


@dataclass(frozen=True)
class Batch:
    positives: np.ndarray  # (B, P) item ids
    weights: np.ndarray  # (B, P) target probabilities p of those items
    groups: np.ndarray  # (B,) group of each query


@dataclass(frozen=True)
class Candidates:
    # (B, C) item ids, the batch's P positives first; (C,) distinct item ids
    # in increasing order that every query of the batch shares (in-batch: one
    # product scores them all); or None for the whole corpus in order
    items: np.ndarray | None
    targets: np.ndarray  # (B, C) target probability of each candidate
    logit_offsets: np.ndarray | float  # (B, C) added to the scores; -inf masks a candidate
    loss: str  # "softmax" over the candidates, or "sigmoid" on each one
    # (B, C) how many drawn negatives each column stands for, when a sampler
    # merges an item drawn several times into one column (c copies of exp(s)
    # in the softmax's sum are one exp(s + log c): its offset includes log c).
    # None: each column with target 0 that is not masked is one negative.
    copies: np.ndarray | None = None


class Sampler:
    """Interface: ``sampler(batch, q, V, rng) -> Candidates``.

    ``q`` (B, d) are the batch's query embeddings and ``V`` (n, d) the item
    table; only hard negatives look at them.
    """

    def __call__(self, batch: Batch, q, V, rng) -> Candidates:
        raise NotImplementedError


class FullSoftmax(Sampler):
    """Every item is a candidate: exact, but each step costs O(n)."""

    def __call__(self, batch, q, V, rng):
        targets = np.zeros((len(batch.groups), len(V)))
        np.put_along_axis(targets, batch.positives, batch.weights, axis=1)
        return Candidates(None, targets, 0.0, "softmax")


class PositivesOnly(Sampler):
    """Only the positives, each pushed up by -p_j log sigmoid(s_j): no push apart."""

    def __call__(self, batch, q, V, rng):
        return Candidates(batch.positives, batch.weights, 0.0, "sigmoid")


def is_positive(items: np.ndarray, batch: Batch) -> np.ndarray:
    """(B, M) mask: is items[b, m] one of query b's positives?"""
    hit = np.zeros(items.shape, dtype=bool)
    for positive in batch.positives.T:  # a few columns: faster than one (B, M, P) test
        hit |= items == positive[:, None]
    return hit


class NegativeSampler(Sampler):
    """Sampled softmax over the positives plus K drawn negatives.

    Subclasses implement ``draw`` and ``log_q``. Candidates drawn from a
    non-uniform Q get the logit correction -log(K Q_j) (Bengio & Senecal;
    Yi et al. 2019), so the sampled softmax estimates the full one. A negative
    that is one of the query's positives (an accidental hit) is masked.
    """

    def __init__(self, negatives: int):
        self.negatives = negatives

    def draw(self, batch, q, V, rng) -> np.ndarray:
        raise NotImplementedError

    def log_q(self, items: np.ndarray) -> np.ndarray | None:
        """log Q of each item id, or None when no correction applies."""
        return None

    def __call__(self, batch, q, V, rng):
        negatives = self.draw(batch, q, V, rng)
        items = np.concatenate([batch.positives, negatives], axis=1)
        targets = np.concatenate([batch.weights, np.zeros(negatives.shape)], axis=1)
        offsets = np.zeros(items.shape)
        log_q = self.log_q(items)
        if log_q is not None:
            offsets -= np.log(self.negatives) + log_q
        offsets[:, batch.positives.shape[1]:][is_positive(negatives, batch)] = -np.inf
        return Candidates(items, targets, offsets, "softmax")


class Uniform(NegativeSampler):
    """Negatives uniform over the corpus. Q = 1/n is the same for every item,
    so its correction is a constant that cancels in the softmax."""

    def __init__(self, negatives: int, n_items: int):
        super().__init__(negatives)
        self.n_items = n_items

    def draw(self, batch, q, V, rng):
        return rng.integers(0, self.n_items, size=(len(batch.groups), self.negatives))


class InGroup(NegativeSampler):
    """Negatives uniform over the query's own group only: the model learns to
    rank inside each color and nothing keeps the colors apart (Xin et al. 2017)."""

    def __init__(self, negatives: int, item_groups: np.ndarray):
        super().__init__(negatives)
        sizes = np.bincount(item_groups)
        self.group_start = np.concatenate([[0], np.cumsum(sizes)[:-1]])
        self.group_size = sizes

    def draw(self, batch, q, V, rng):
        u = rng.random((len(batch.groups), self.negatives))
        g = batch.groups[:, None]
        return self.group_start[g] + (u * self.group_size[g]).astype(int)


class Popularity(NegativeSampler):
    """Negatives drawn in proportion to popularity (+1, so every item can be drawn)."""

    def __init__(self, negatives: int, item_popularity: np.ndarray, logq_correction: bool):
        super().__init__(negatives)
        counts = item_popularity + 1.0
        self.probability = counts / counts.sum()
        self.cumulative = np.cumsum(self.probability)
        self.logq_correction = logq_correction

    def draw(self, batch, q, V, rng):
        u = rng.random((len(batch.groups), self.negatives)) * self.cumulative[-1]
        if len(self.cumulative) <= CACHED_CDF:  # the CDF is in the cache: search as drawn
            items = np.searchsorted(self.cumulative, u, side="right")
            return items.clip(max=len(self.cumulative) - 1)
        # Inverse CDF, searched in increasing order of u: numpy starts each
        # search from the last one's answer, so on a corpus larger than the
        # cache the searches mostly read memory the previous one just read.
        # (Each u finds the same item in either order.)
        order = np.argsort(u, axis=None)
        items = np.empty(u.size, dtype=np.intp)
        items[order] = np.searchsorted(self.cumulative, u.ravel()[order], side="right")
        return items.reshape(u.shape).clip(max=len(self.cumulative) - 1)

    def log_q(self, items):
        return np.log(self.probability[items]) if self.logq_correction else None


class Hard(NegativeSampler):
    """Negatives drawn with probability proportional to exp(s_j / T) from a
    uniform pool (the whole corpus when it is small), with replacement.

    No logQ correction: hard negatives are meant to over-weight the items the
    model currently confuses with positives. The query's own positives get
    probability zero, so the draws are not wasted on accidental hits.
    """

    def __init__(self, negatives: int, n_items: int, temperature: float):
        super().__init__(negatives)
        self.n_items = n_items
        self.temperature = temperature

    def draw(self, batch, q, V, rng):
        B = len(batch.groups)
        if self.n_items <= HARD_POOL_SIZE:
            pool = np.broadcast_to(np.arange(self.n_items), (B, self.n_items))
            logits = q @ V.T / self.temperature
            logits[np.arange(B)[:, None], batch.positives] = -np.inf
        else:
            pool = rng.integers(0, self.n_items, size=(B, HARD_POOL_SIZE))
            # One batched product in V's precision: a float32 pool is not
            # copied to float64 (at B = 256 the pool is 512 x 256 rows).
            q_pool = q.astype(V.dtype, copy=False)[:, :, None]
            logits = (V[pool] @ q_pool)[:, :, 0] / self.temperature
            logits[is_positive(pool, batch)] = -np.inf
        # Inverse-CDF draw in every row at once: shift row b's CDF (rising to 1)
        # and its uniforms by b, so one searchsorted on the flat array serves all.
        weights = np.exp(logits - logits.max(axis=1, keepdims=True))
        # float64 whatever V's precision: shifted by up to B, a float32 CDF
        # would lose the steps of the least likely items.
        cdf = np.cumsum(weights, axis=1, dtype=float)
        row = np.arange(B)[:, None]
        cdf /= cdf[:, -1:]
        cdf += row
        u = rng.random((B, self.negatives)) + row
        flat = np.searchsorted(cdf.ravel(), u.ravel(), side="right")
        picks = (flat.reshape(B, -1) - row * pool.shape[1]).clip(max=pool.shape[1] - 1)
        return np.take_along_axis(pool, picks, axis=1)


class InBatch(Sampler):
    """Each query's negatives are the other queries' positives in the batch
    (TensorFlow Recommenders' ``Retrieval`` task), and, for ``mixed``, K more
    drawn uniformly from the corpus for each query (Yang et al., WWW 2020).

    In-batch negatives cost nothing to find: the batch's items are embedded
    anyway. They are drawn in proportion to popularity (each positive slot of
    a random batch is a random training positive), so an item that is nobody's
    positive is never pushed down, and without the correction popular items
    are pushed down as often as they appear in batches. Uniform negatives
    reach the items the batch never holds.

    The batch's B P positive slots (and the uniform draws) hold U distinct
    items, and every query scores the same U: one (B, d) x (d, U) product, as
    TensorFlow Recommenders' B x B score matrix. An item in c of query b's
    negative slots (the other queries' positives, and b's own uniform draws)
    is one column with ``copies`` c and log c added to its logit. A column that
    is one of b's own positives is b's positive, with target p; the other
    queries' copies of it, and b's draws of it, are accidental hits: masked,
    not counted.

    logQ correction (``logq_correction``): Q_j is the item's share of the
    training positives. A streaming estimator (Yi et al., RecSys 2019: from
    the number of steps between an item's appearances in batches) converges
    to it in one pass; here it is counted once, exactly, from the training
    data. Query b has K_b = (B - 1) P in-batch negative slots, each a draw from
    Q, and K uniform draws, each 1/n for every item, so the expected number of
    copies of item j among its negatives is

        E_j = K_b Q_j + K / n

    and every candidate's logit gets -log E_j, positives included (as the
    popularity sampler's -log(K Q_j)): a column of c copies gets
    log(c / E_j). One correction per item, whichever of the two draws brought
    it: correcting each draw by its own sampler's K Q alone would count the
    normalizer Z twice in ``mixed``. Note that E_j is an expected *count*, not
    the probability that j is in the batch at all, 1 - (1 - Q_j)^K_b: that
    probability saturates at 1 for popular items while their count keeps
    growing. (E_j is 0 only when there are no negatives at all, a batch of
    one query: then nothing is corrected.)
    """

    def __init__(self, item_popularity: np.ndarray, logq_correction: bool,
                 uniform_negatives: int = 0):
        popularity = np.asarray(item_popularity, dtype=float)
        self.share = popularity / popularity.sum()  # Q_j: share of the training positives
        self.n_items = len(popularity)
        self.logq_correction = logq_correction
        self.uniform_negatives = uniform_negatives

    def __call__(self, batch, q, V, rng):
        B, P = batch.positives.shape
        K = self.uniform_negatives
        uniform = rng.integers(0, self.n_items, size=(B, K))
        items, column = np.unique(np.concatenate([batch.positives.ravel(), uniform.ravel()]),
                                  return_inverse=True)
        U, rows = len(items), np.arange(B)[:, None]
        positive_column = column[:B * P].reshape(B, P)
        # Copies of each item among query b's negatives: every query's positive
        # slots (b's own are no negatives of b: see below), and b's uniform draws.
        in_batch = np.bincount(positive_column.ravel(), minlength=U).astype(float)  # >= 1
        correction = np.zeros(U)
        if self.logq_correction:
            expected = (B - 1) * P * self.share[items] + K / self.n_items  # E_j
            np.log(expected, out=correction, where=expected > 0)
        copies = np.broadcast_to(in_batch, (B, U)).copy()  # (np.tile is slower)
        if K:
            drawn = (rows * U + column[B * P:].reshape(B, K)).ravel()
            copies += np.bincount(drawn, minlength=B * U).reshape(B, U)
            copies[rows, positive_column] = 0.0  # accidental hits: b's positives, masked
            with np.errstate(divide="ignore"):
                offsets = np.log(copies) - correction  # log 0 = -inf: none of b's
        else:  # every column is some query's positive: one row of offsets serves all
            copies[rows, positive_column] = 0.0  # accidental hits: b's positives, masked
            offsets = np.broadcast_to(np.log(in_batch) - correction, (B, U)).copy()
        # b's own positives: one column each, target p, no copies, corrected as a negative is.
        offsets[rows, positive_column] = -correction[positive_column]
        targets = np.zeros((B, U))
        targets[rows, positive_column] = batch.weights
        return Candidates(items, targets, offsets, "softmax", copies)


def make_sampler(strategy: str, negatives: int, dataset, temperature: float = 1.0,
                 logq_correction: bool = True) -> Sampler:
    n = dataset.n_items
    if strategy == "full":
        return FullSoftmax()
    if strategy == "positives-only":
        return PositivesOnly()
    if strategy == "uniform":
        return Uniform(negatives, n)
    if strategy == "hard":
        return Hard(negatives, n, temperature)
    if strategy == "in-group":
        return InGroup(negatives, dataset.item_groups)
    if strategy == "popularity":
        return Popularity(negatives, dataset.item_popularity, logq_correction)
    if strategy == "in-batch":
        return InBatch(dataset.item_popularity, logq_correction)
    if strategy == "mixed":
        return InBatch(dataset.item_popularity, logq_correction, uniform_negatives=negatives)
    raise ValueError(f"unknown strategy {strategy!r}")
