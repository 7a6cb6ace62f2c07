"""The two references every number is read against: the oracle and a random ranking.

The oracle ranks each held-out query's items by the chance that the item is
among the query's held-out positives under the generator (data.py). Ranking by
that chance maximizes the expected number of positives in any top-k, so no
model can beat it on average on an accuracy metric such as within-group
recall. On the separation metrics (spurious@k, cross-group AUC) it is not a
limit but the data's own share: with a leak, some of a query's positives
really are in other groups, and a model that separates the groups more than
the data does scores "better" than the oracle there.

How the chance is computed. Each of a query's P positive slots targets its own
group with probability 1 - leak and each other group with leak / (G - 1); the
slots that target one group take that group's items in a Plackett-Luce order
(the Gumbel-top-k draw of data._draw_positives), item i of the group with
weight p_i (data.within_group_log_probability). An item is
among the positives if its group got n >= 1 slots and it is among the first n
of that order:

    P(i is a positive) = sum_n Binomial(n; P, pi_g) * PL(i, n)

PL(i, 1) = p_i and PL(i, 2) = p_i (1 + sum_l p_l / (1 - p_l) - p_i / (1 - p_i))
are exact closed forms. For n >= 3 the Plackett-Luce order is an exponential
race (item l arrives at T_l ~ Exp(p_l)), and

    PL(i, n) = integral_0^inf p_i exp(-p_i t) P(fewer than n others arrived by t) dt,

integrated numerically (the trapezoid rule in u, t = exp(u - exp(-u))); the
count of the others is a Poisson-binomial whose distribution, without item i,
comes from a prefix and a suffix product (a division would be unstable). PL is
accurate to about 1e-6 (tests compare it with exact enumeration, and the whole
with the generator's own redraws); a group whose chance of 3 or more slots is
below NEGLIGIBLE (a leaked group, at a small leak) gets its n = 1 and 2 terms
only. Within a group the order is that of p_i, as for the per-slot
probability; what differs is how the groups interleave.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import binom

from recdemo.data import Dataset, Queries, within_group_log_probability
from recdemo.metrics import ranking_metrics

QUADRATURE_NODES = 48  # nodes in log t of the integral for PL(i, n), n >= 3
U_LOW = -3.0  # t = 1e-10 there: nothing left to integrate below it
TAIL = 25.0  # the integral stops where the n-th heaviest arrival is exp(-TAIL) unlikely
NEGLIGIBLE = 1e-5  # a group's chance of 3 or more slots below this: those terms are left out
PAIRS_PER_CHUNK = 64  # (query, group) pairs integrated at once: their temporaries bound the memory


def positive_probability(dataset: Dataset, queries: Queries) -> np.ndarray:
    """(m, n) the chance that each item is among each query's positives under
    the generator. Each row sums to the number of positives P (less at most
    P G NEGLIGIBLE: the terms left out)."""
    config, G = dataset.config, dataset.n_groups
    own = np.arange(G)[None, :] == queries.groups[:, None]
    share = np.where(own, 1.0 - config.leak, config.leak / max(G - 1, 1))  # (m, G)
    log_within = within_group_log_probability(dataset, queries)  # (m, G, per_group)
    return inclusion_probability(log_within, share, config.positives).reshape(len(queries), -1)


def inclusion_probability(log_within: np.ndarray, share: np.ndarray, positives: int):
    """(m, G, N) the chance that each item is among a query's ``positives``
    when each slot targets group g with probability ``share`` (m, G) and the
    slots in a group draw its items without replacement, item i with
    probability exp(``log_within``) (m, G, N; each group's sum is 1)."""
    m, G, N = log_within.shape
    P = positives
    slots = binom.pmf(np.arange(P + 1)[None, None, :], P, share[:, :, None])  # (m, G, P+1)
    within = np.exp(log_within)
    result = slots[:, :, 1:2] * within
    if P >= 2:
        result += slots[:, :, 2:3] * _top_two(log_within)
    if P >= 3:
        flat_result, flat_slots = result.reshape(m * G, N), slots.reshape(m * G, P + 1)
        pairs = np.flatnonzero(flat_slots[:, 3:].sum(axis=1) > NEGLIGIBLE)
        for start in range(0, len(pairs), PAIRS_PER_CHUNK):
            chosen = pairs[start:start + PAIRS_PER_CHUNK]
            top_n = plackett_luce_inclusion(within.reshape(m * G, N)[chosen], P)  # (c, N, P)
            flat_result[chosen] += np.einsum("cin,cn->ci", top_n[:, :, 2:],
                                             flat_slots[chosen, 3:])
    return result


def _top_two(log_within: np.ndarray) -> np.ndarray:
    """PL(i, 2) for every item of every (query, group): the chance that i is
    drawn first, or second after some l: p_i + sum_{l != i} p_l p_i / (1 - p_l).
    1 - p_l is computed from log p_l (-expm1), exact even when p_l is near 1."""
    p = np.exp(log_within)
    odds = p / -np.expm1(log_within)  # p_l / (1 - p_l)
    return p * (1.0 + odds.sum(axis=-1, keepdims=True) - odds)


def plackett_luce_inclusion(weights: np.ndarray, most: int) -> np.ndarray:
    """(c, N, most) the chance that item i is among the first n of a
    Plackett-Luce order of N items with the given ``weights`` (c, N), each row
    summing to 1, for n = 1 .. ``most``: the exponential-race integral, in log
    t, for every n at once."""
    c, N = weights.shape
    most = min(most, N)
    # Up to where the (most)-th heaviest item has arrived but with chance exp(-TAIL).
    heaviest = -np.sort(-weights, axis=1)[:, min(most, N - 1)]
    # In u, t = exp(u - exp(-u)): the integrand decays double exponentially at
    # both ends, where the trapezoid rule converges fastest. From U_LOW (t below
    # 1e-10) to where the heaviest item left out of n has arrived.
    u_high = np.log(TAIL / np.maximum(heaviest, 1e-300))
    u = U_LOW + np.linspace(0.0, 1.0, QUADRATURE_NODES)[None, :] * (u_high - U_LOW)[:, None]
    t = np.exp(u - np.exp(-u))  # (c, M)
    dt_du = t * (1.0 + np.exp(-u))
    node_weights = np.full(QUADRATURE_NODES, 1.0 / (QUADRATURE_NODES - 1))
    node_weights[[0, -1]] /= 2
    node_weights = node_weights[None, :] * (u_high - U_LOW)[:, None]  # (c, M)
    arrived = -np.expm1(-weights[:, None, :] * t[:, :, None])  # (c, M, N): P(T_l <= t)

    M = QUADRATURE_NODES
    fewer = _count_below_without_each(arrived.reshape(c * M, N), most).reshape(most, c, M, N)
    density = weights[:, None, :] * np.exp(-weights[:, None, :] * t[:, :, None])
    weighted = density * (node_weights * dt_du)[:, :, None]  # (c, M, N)
    inclusion = np.einsum("ncmi,cmi->cin", fewer, weighted)
    out = np.ones((c, N, max(most, 1)))
    out[:, :, :most] = np.minimum(inclusion, 1.0)
    return out


def _count_below_without_each(arrived: np.ndarray, most: int) -> np.ndarray:
    """(most, R, N): for every item i, the chance that at most n - 1 of the
    *other* items have arrived, n = 1 .. most, given each item's chance
    ``arrived`` (R, N) (R: every (pair, node)). The count's distribution, kept
    up to most - 1, of the items before i and of those after i, combined."""
    R, N = arrived.shape
    arrived_t = np.ascontiguousarray(arrived.T)  # (N, R): one item's row at a time
    stay = 1.0 - arrived_t

    def counts(order):
        """dist[s]: distribution (most, R) of the count among the first s items of ``order``."""
        dist = np.empty((N, most, R))
        current = np.zeros((most, R))
        current[0] = 1.0
        for position, item in enumerate(order):
            dist[position] = current
            shifted = current[:-1] * arrived_t[item]
            current = current * stay[item]
            current[1:] += shifted
        return dist

    before = counts(range(N))  # [i]: items 0 .. i-1
    after_cdf = counts(range(N - 1, -1, -1))[::-1]  # [i]: items i+1 .. N-1
    for n in range(1, most):  # its cumulative distribution, in place
        after_cdf[:, n] += after_cdf[:, n - 1]
    fewer = np.empty((most, N, R))
    for n in range(most):  # at most n others: a before, and at most n - a after
        np.multiply(before[:, 0], after_cdf[:, n], out=fewer[n])
        for a in range(1, n + 1):
            fewer[n] += before[:, a] * after_cdf[:, n - a]
    return fewer.transpose(0, 2, 1)


def oracle_metrics(dataset: Dataset, k: int, queries: Queries | None = None) -> dict[str, float]:
    """The ranking metrics of the oracle on the test queries (or ``queries``):
    items ranked by positive_probability."""
    queries = dataset.test if queries is None else queries
    return ranking_metrics(positive_probability(dataset, queries), queries,
                           dataset.item_groups, k)


def random_metrics(n_groups: int, items_per_group: int, k: int) -> dict[str, float]:
    """What a random ranking scores in expectation: a share 1 - 1/G of any
    top-k is from other groups, an own-group item beats an other-group item
    half the time, and k of a group's items hold k / items_per_group of its
    positives (all of them once k >= items_per_group)."""
    return {"spurious_at_k": 1.0 - 1.0 / n_groups,
            "within_group_recall_at_k": min(1.0, k / items_per_group),
            "cross_group_auc": 0.5}


@dataclass(frozen=True)
class References:
    """What a run's numbers are read against, on its data and cut-off k."""

    oracle: dict[str, float]  # oracle_metrics: the data's own share of spurious picks, ...
    random: dict[str, float]  # random_metrics
    k: int
    items_per_group: int
    groups: int
    positives: int = 1  # each query's (hand-built references in tests leave it at 1)


def references(dataset: Dataset, k: int, queries: Queries | None = None) -> References:
    """The oracle and a random ranking on ``dataset``'s test queries (or
    ``queries``), at cut-off ``k``."""
    config = dataset.config
    return References(oracle_metrics(dataset, k, queries),
                      random_metrics(config.groups, config.items_per_group, k),
                      k, config.items_per_group, config.groups, config.positives)
