"""Which items the loss sees for each query: one small class per strategy.

Every sampler turns a batch of training queries into ``Candidates``: the item
ids the loss is computed on, the target probability of each, and an offset
added to each logit (the logQ correction, or -inf to mask an accidental hit).
The loss in ``model.py`` never needs to know which strategy made them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

HARD_POOL_SIZE = 512  # hard negatives are picked from the whole corpus up to this size


@dataclass(frozen=True)
class Batch:
    positives: np.ndarray  # (B, P) item ids
    weights: np.ndarray  # (B, P) target probabilities p of those items
    groups: np.ndarray  # (B,) group of each query


@dataclass(frozen=True)
class Candidates:
    items: np.ndarray | None  # (B, C) item ids, or None for the whole corpus in order
    targets: np.ndarray  # (B, C) target probability of each candidate
    logit_offsets: np.ndarray | float  # (B, C) added to the scores; -inf masks a candidate
    loss: str  # "softmax" over the candidates, or "sigmoid" on each one


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
        # Inverse CDF, searched in increasing order of u: numpy starts each
        # search from the last one's answer, so on a corpus larger than the
        # cache the searches mostly read memory the previous one just read.
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
    raise ValueError(f"unknown strategy {strategy!r}")
