"""Synthetic colored groups: queries and items that mostly stay in their color.

Each group ("color", think: one language on a video site) has a center in a
latent space, far from the other centers. Its items and queries scatter around
the center, so inside a group there is real structure to learn: a query likes
the items whose offset from the center is close to its own. With probability
``leak`` a positive comes from another group instead (a bilingual viewer).

The model never sees the latent vectors: a query's features are a fixed random
linear map of its latent vector plus noise, so the group is only implicit in
the features, as it is in real query features.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from recdemo.params import PARAMS

SEPARATION = 4.0  # distance of each group center from the origin
SPREAD = 1.0  # standard deviation of items and queries around their center
AFFINITY_SCALE = 2.0  # how sharply a query prefers the items near it
FEATURE_NOISE = 0.5  # standard deviation of the noise on query features
FEATURES = 16  # length of a query's feature vector x


@dataclass(frozen=True)
class DataConfig:
    groups: int = PARAMS["groups"].default
    items_per_group: int = PARAMS["items_per_group"].default
    queries_per_group: int = PARAMS["queries_per_group"].default
    test_queries_per_group: int = PARAMS["test_queries_per_group"].default
    positives: int = PARAMS["positives"].default
    leak: float = PARAMS["leak"].default
    popularity_skew: float = PARAMS["popularity_skew"].default
    seed: int = PARAMS["seed"].default

    def __post_init__(self):
        for f in fields(self):
            PARAMS[f.name].check(getattr(self, f.name))
        if self.positives > self.items_per_group:
            raise ValueError(
                f"positives must be at most items_per_group ({self.items_per_group}); "
                f"got {self.positives}."
            )


@dataclass(frozen=True)
class Queries:
    """A set of queries: the softmax training data (x, p) plus each query's group."""

    features: np.ndarray  # (m, FEATURES) query features x
    positives: np.ndarray  # (m, P) item ids the query interacted with, distinct per row
    weights: np.ndarray  # (m, P) the probability vector p on those items (rows sum to 1)
    groups: np.ndarray  # (m,) group of each query
    latent: np.ndarray  # (m, L) the hidden latent vector the features were made from

    def __len__(self) -> int:
        return len(self.groups)


@dataclass(frozen=True)
class Dataset:
    config: DataConfig
    train: Queries
    test: Queries
    item_groups: np.ndarray  # (n,) group of each item; items are stored group by group
    item_popularity: np.ndarray  # (n,) number of training queries that have the item as positive
    item_latent: np.ndarray  # (n, L) hidden latent vector of each item (for pictures, not training)
    centers: np.ndarray  # (G, L) the latent center of each group
    item_log_popularity: np.ndarray  # (n,) the generator's popularity of each item, log scale

    @property
    def n_items(self) -> int:
        return len(self.item_groups)

    @property
    def n_groups(self) -> int:
        return self.config.groups

    @property
    def measured_leak(self) -> float:
        """Share of the training positives that come from another group than their query's."""
        return float((self.item_groups[self.train.positives] != self.train.groups[:, None]).mean())


def make_dataset(config: DataConfig | None = None) -> Dataset:
    """Generate the colored groups. The same config gives the same data, bit for bit."""
    config = config or DataConfig()
    rng = np.random.default_rng(config.seed)
    G, per_group = config.groups, config.items_per_group
    latent_dim = max(G, 4)

    # Orthonormal centers: every pair of groups is equally far apart.
    basis, _ = np.linalg.qr(rng.standard_normal((latent_dim, latent_dim)))
    centers = SEPARATION * basis[:G]

    item_groups = np.repeat(np.arange(G), per_group)
    item_offsets = SPREAD * rng.standard_normal((G * per_group, latent_dim))
    # Popularity inside a group: Zipf over a random order of its items.
    ranks = np.argsort(rng.random((G, per_group)), axis=1).ravel()
    log_popularity = -config.popularity_skew * np.log1p(ranks)

    feature_map = rng.standard_normal((latent_dim, FEATURES)) / np.sqrt(latent_dim)

    def make_queries(per_group_count: int) -> Queries:
        groups = np.repeat(np.arange(G), per_group_count)
        offsets = SPREAD * rng.standard_normal((len(groups), latent_dim))
        latent = centers[groups] + offsets
        features = latent @ feature_map + FEATURE_NOISE * rng.standard_normal(
            (len(groups), FEATURES)
        )
        positives = _draw_positives(groups, offsets, item_offsets, log_popularity, config, rng)
        weights = np.full(positives.shape, 1.0 / config.positives)
        return Queries(features, positives, weights, groups, latent)

    train = make_queries(config.queries_per_group)
    test = make_queries(config.test_queries_per_group)
    popularity = np.bincount(train.positives.ravel(), minlength=len(item_groups))
    item_latent = centers[item_groups] + item_offsets
    return Dataset(config, train, test, item_groups, popularity, item_latent, centers,
                   log_popularity)


def affinity(query_offsets, item_offsets, log_popularity) -> np.ndarray:
    """(m, n) how much each query likes each item inside the item's group:
    popularity * exp(-|offset_q - offset_i|^2 / a), in log scale. Offsets are
    taken from each one's own group center, so a query also has a taste inside
    another group (the one its leaked positives come from)."""
    sq_dist = (
        (query_offsets**2).sum(1)[:, None]
        - 2 * query_offsets @ item_offsets.T
        + (item_offsets**2).sum(1)[None, :]
    )
    return -sq_dist / AFFINITY_SCALE + log_popularity


def within_group_log_probability(dataset: Dataset, queries: Queries) -> np.ndarray:
    """(m, G, items_per_group) the generator's probability, in log scale, that
    a positive slot of each query that targets group g picks each item of g:
    in proportion to exp(affinity)."""
    G = dataset.n_groups
    item_offsets = dataset.item_latent - dataset.centers[dataset.item_groups]
    query_offsets = queries.latent - dataset.centers[queries.groups]
    scores = affinity(query_offsets, item_offsets, dataset.item_log_popularity)
    by_group = scores.reshape(len(queries), G, dataset.n_items // G)
    return by_group - np.logaddexp.reduce(by_group, axis=2, keepdims=True)


def slot_log_probability(dataset: Dataset, queries: Queries) -> np.ndarray:
    """(m, n) the generator's probability, in log scale, that one positive
    slot of each query picks each item: the group is the query's own with
    probability 1 - leak and each other group with leak / (G - 1), and inside
    the group the item is drawn in proportion to exp(affinity). (The chance
    that an item is *among* the positives is references.positive_probability:
    the slots draw without replacement.)"""
    config, G = dataset.config, dataset.n_groups
    log_within = within_group_log_probability(dataset, queries)
    own = np.arange(G)[None, :] == queries.groups[:, None]  # (m, G)
    with np.errstate(divide="ignore"):  # no leak: log 0 = -inf for the other groups
        log_group = np.where(own, np.log1p(-config.leak), np.log(config.leak / (G - 1)))
    return (log_within + log_group[:, :, None]).reshape(len(queries), -1)


def _draw_positives(groups, query_offsets, item_offsets, log_popularity, config, rng):
    """Draw ``config.positives`` distinct items per query, without a loop over queries.

    Each positive slot targets the query's own group, or with probability
    ``leak`` a random other group. Inside the targeted group the item is drawn
    with probability proportional to popularity * exp(-|offset_q - offset_i|^2 / a):
    the Gumbel-top-k trick draws without replacement, and slots that target the
    same group take successive places of that group's Gumbel ranking.
    """
    m, G, per_group, P = len(groups), config.groups, config.items_per_group, config.positives
    scores = affinity(query_offsets, item_offsets, log_popularity)
    keys = scores + rng.gumbel(size=scores.shape)
    order = np.argsort(-keys.reshape(m, G, per_group), axis=2)  # best first, per group

    leaked = rng.random((m, P)) < config.leak
    other = (groups[:, None] + rng.integers(1, G, size=(m, P))) % G
    target = np.where(leaked, other, groups[:, None])
    # Rank of each slot among the earlier slots that target the same group.
    same = target[:, :, None] == target[:, None, :]
    place = np.tril(same, k=-1).sum(axis=2)
    local = order[np.arange(m)[:, None], target, place]
    return target * per_group + local
