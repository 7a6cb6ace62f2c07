"""Negatives seen (recdemo/negatives.py): the counts are exactly the negatives
the samplers drew, the pushes exactly the softmax's weight on them, epoch by
epoch; and what the lesson reads off them."""

import dataclasses

import numpy as np
import pytest

from recdemo import train as train_module
from recdemo.data import DataConfig, make_dataset
from recdemo.model import candidate_gradients, init_params, query_tower
from recdemo.negatives import NegativesSeen, group_matrix, per_item, shares, up_to_each_frame
from recdemo.params import STRATEGIES
from recdemo.samplers import Batch, make_sampler
from recdemo.train import TrainConfig, gradient_steps, train

SMALL_DATA = make_dataset(DataConfig(groups=3, items_per_group=10, queries_per_group=20,
                                     test_queries_per_group=5, popularity_skew=1.0))
SHORT = TrainConfig(epochs=3, dim=4, hidden=8, batch_size=32, negatives=4)  # 2 batches an epoch


def recorded_run(strategy, monkeypatch, **changes):
    """A short run and every (batch, candidates) its sampler handed out."""
    drawn = []

    def recording(*args, **kwargs):
        sampler = make_sampler(*args, **kwargs)

        def sample(batch, q, V, rng):
            drawn.append((batch, sampler(batch, q, V, rng)))
            return drawn[-1][1]
        return sample

    monkeypatch.setattr(train_module, "make_sampler", recording)
    config = dataclasses.replace(SHORT, strategy=strategy, **changes)
    return train(SMALL_DATA, config), drawn


def counted_by_hand(batch, candidates, groups, n):
    """(G, n) counts of one batch's negatives, one candidate at a time."""
    counts = np.zeros((groups, n))
    B = len(batch.groups)
    items = candidates.items if candidates.items.ndim == 2 else np.tile(candidates.items, (B, 1))
    offsets = np.broadcast_to(candidates.logit_offsets, items.shape)
    for b in range(B):
        for column, item in enumerate(items[b]):
            if candidates.targets[b, column] == 0 and offsets[b, column] > -np.inf:
                copies = 1 if candidates.copies is None else candidates.copies[b, column]
                counts[batch.groups[b], item] += copies
    return counts


@pytest.mark.parametrize("strategy", ["uniform", "hard", "in-group", "popularity", "in-batch",
                                      "mixed"])
def test_negatives_seen_counts_exactly_the_negatives_drawn_each_epoch(strategy, monkeypatch):
    result, drawn = recorded_run(strategy, monkeypatch)
    per_epoch = gradient_steps(len(SMALL_DATA.train), 1, SHORT.batch_size)
    assert len(drawn) == SHORT.epochs * per_epoch
    assert result.negatives_seen.shape == (SHORT.epochs, 3, SMALL_DATA.n_items)
    for epoch in range(SHORT.epochs):
        expected = sum(counted_by_hand(batch, candidates, 3, SMALL_DATA.n_items)
                       for batch, candidates in drawn[epoch * per_epoch:(epoch + 1) * per_epoch])
        np.testing.assert_array_equal(result.negatives_seen[epoch], expected)
    assert result.negatives_seen.sum() > 0


def test_in_batch_negatives_are_the_other_queries_positives_in_each_batch(monkeypatch):
    """Counted from the batches alone, not from what the sampler handed out."""
    result, drawn = recorded_run("in-batch", monkeypatch)
    expected = np.zeros((3, SMALL_DATA.n_items))
    for batch, _ in drawn:
        for b, own in enumerate(batch.positives):
            for other, row in enumerate(batch.positives):
                for item in row:
                    if other != b and item not in own:
                        expected[batch.groups[b], item] += 1
    np.testing.assert_array_equal(result.negatives_seen.sum(axis=0), expected)


def test_full_softmax_sees_every_non_target_item_once_per_query_per_epoch():
    result = train(SMALL_DATA, dataclasses.replace(SHORT, strategy="full"))
    train_q = SMALL_DATA.train
    queries = np.bincount(train_q.groups)[:, None]  # per group, every item...
    targets = np.zeros((3, SMALL_DATA.n_items))
    np.add.at(targets, (np.repeat(train_q.groups, train_q.positives.shape[1]),
                        train_q.positives.ravel()), 1)  # ...but where it is the query's target
    for epoch in range(SHORT.epochs):
        np.testing.assert_array_equal(result.negatives_seen[epoch], queries - targets)


def test_positives_only_sees_no_negatives_and_in_group_none_from_other_groups():
    positives_only = train(SMALL_DATA, dataclasses.replace(SHORT, strategy="positives-only"))
    assert not positives_only.negatives_seen.any() and not positives_only.pushed_down.any()
    assert np.isnan(shares(group_matrix(positives_only.negatives_seen.sum(axis=0),
                                        SMALL_DATA.item_groups))).all()
    in_group = train(SMALL_DATA, dataclasses.replace(SHORT, strategy="in-group"))
    for table in (in_group.negatives_seen, in_group.pushed_down):
        by_group = group_matrix(table, SMALL_DATA.item_groups)  # (epochs, G, G)
        off_diagonal = ~np.eye(3, dtype=bool)
        assert (by_group[:, off_diagonal] == 0).all()
        assert (by_group[:, ~off_diagonal] > 0).all()


@pytest.mark.parametrize("strategy", ["full", "uniform", "popularity", "in-batch", "mixed"])
def test_pushed_down_is_the_softmax_weight_on_each_negative(strategy):
    """Summed by hand, one query at a time: p_hat of each negative candidate
    (the softmax over the query's candidates, offsets included)."""
    data = SMALL_DATA
    rng = np.random.default_rng(1)
    _, params = init_params(data.train.features.shape[1], data.n_items, 4, 8, rng)
    params["V"] *= 10  # a softmax far from uniform
    sampler = make_sampler(strategy, 4, data)
    seen = NegativesSeen(3, data.n_items, epochs=1)
    expected = np.zeros((3, data.n_items))
    for rows in (np.arange(0, 32), np.arange(32, 60)):
        batch = Batch(data.train.positives[rows], data.train.weights[rows], data.train.groups[rows])
        q, _ = query_tower(params, data.train.features[rows])
        candidates = sampler(batch, q, params["V"], rng)
        _, dscores, _, _ = candidate_gradients(q, params["V"], candidates)
        seen.add(batch, candidates, dscores)
        B = len(rows)
        items = (np.tile(np.arange(data.n_items), (B, 1)) if candidates.items is None else
                 np.tile(candidates.items, (B, 1)) if candidates.items.ndim == 1 else
                 candidates.items)
        offsets = np.broadcast_to(candidates.logit_offsets, items.shape)
        for b in range(B):
            logits = params["V"][items[b]] @ q[b] + offsets[b]
            p_hat = np.exp(logits - logits.max())
            p_hat /= p_hat.sum()
            negative = candidates.targets[b] == 0
            np.add.at(expected[batch.groups[b]], items[b][negative], p_hat[negative])
    seen.end_epoch()
    np.testing.assert_allclose(seen.pushes[0], expected, rtol=1e-5, atol=1e-6)  # float32


def test_in_batch_never_pushes_down_an_item_that_is_nobodys_positive():
    data = make_dataset(DataConfig(popularity_skew=2.0))
    unpopular = data.item_popularity == 0
    assert unpopular.sum() >= 3  # at skew 2 some items are nobody's positive (5 here)
    in_batch = train(data, TrainConfig(strategy="in-batch", epochs=2))
    assert (per_item(in_batch.negatives_seen)[unpopular] == 0).all()
    mixed = train(data, TrainConfig(strategy="mixed", epochs=2))  # its uniform draws reach them
    assert (per_item(mixed.negatives_seen)[unpopular] > 0).all()


def test_logq_correction_changes_how_hard_not_what_is_drawn():
    """Popularity draws the same negatives either way (same seed); without the
    correction the popular items take more of the push."""
    data = make_dataset(DataConfig(popularity_skew=2.0))
    config = TrainConfig(strategy="popularity", epochs=1)
    with_logq = train(data, config)
    without = train(data, dataclasses.replace(config, logq_correction=False))
    np.testing.assert_array_equal(with_logq.negatives_seen, without.negatives_seen)
    popular = data.item_popularity >= np.quantile(data.item_popularity, 0.9)

    def popular_share(result):
        pushed = per_item(result.pushed_down)
        return pushed[popular].sum() / pushed.sum()
    assert popular_share(without) > popular_share(with_logq)


def test_the_tables_helpers_on_a_hand_built_table():
    table = np.array([[[1.0, 2.0, 0.0, 3.0], [0.0, 0.0, 0.0, 0.0]],
                      [[0.0, 1.0, 1.0, 1.0], [2.0, 0.0, 0.0, 2.0]]])  # (epochs 2, G 2, n 4)
    item_groups = np.array([0, 0, 1, 1])
    np.testing.assert_array_equal(group_matrix(table, item_groups),
                                  [[[3, 3], [0, 0]], [[1, 2], [2, 2]]])
    np.testing.assert_allclose(shares(group_matrix(table[0], item_groups)),
                               [[0.5, 0.5], [np.nan, np.nan]])
    frames = up_to_each_frame(table)
    assert frames.shape == (3, 2, 4) and not frames[0].any()
    np.testing.assert_array_equal(frames[2], table.sum(axis=0))
    np.testing.assert_array_equal(per_item(table), [3, 3, 1, 6])


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_every_strategy_fills_both_tables_per_epoch(strategy):
    result = train(SMALL_DATA, dataclasses.replace(SHORT, strategy=strategy))
    for table in (result.negatives_seen, result.pushed_down):
        assert table.shape == (SHORT.epochs, 3, SMALL_DATA.n_items)
        assert table.dtype == np.float32 and np.isfinite(table).all() and (table >= 0).all()
        assert table.any() == (strategy != "positives-only")
