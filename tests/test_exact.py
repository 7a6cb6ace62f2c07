"""Cuts in CPU time that change nothing a student sees (issue 21): each faster
path gives the numbers of the code it replaced, to the bit, on fixed seeds;
the reference implementations below are that code, as it was.

And every run of harness/exact.py (all strategies and MF, their metrics,
verdicts, snapshots, negatives seen and the Train page's figures) as the
code before the cuts recorded it in tests/golden_runs.json, on the machine
that recorded it.
"""

import json
from pathlib import Path

import numpy as np
import pytest

from harness.exact import differences, machine_now, record
from recdemo.data import DataConfig, make_dataset
from recdemo.metrics import (
    _best_first,
    _cross_group_auc,
    _own_in_ranking,
    _spurious,
    _within_group_recall,
    group_blocks,
    metrics_and_top_k,
    silhouette,
    spurious_at_k,
    top_k,
)
from recdemo.params import STRATEGIES
from recdemo.train import TrainConfig, train

GOLDEN = Path(__file__).parent / "golden_runs.json"


def reference_metrics(Q, V, queries, item_groups, k):
    """all_metrics as it was: one descending sort shared by the ranking metrics."""
    scores = Q @ V.T
    order = _best_first(scores)
    own = _own_in_ranking(order, queries.groups, item_groups)
    return {
        "spurious_at_k": _spurious(own, k),
        "within_group_recall_at_k": float(_within_group_recall(
            scores, order, own, queries.groups, item_groups, queries.positives, k).mean()),
        "cross_group_auc": _cross_group_auc(scores, order, own, queries.groups, item_groups),
        "silhouette": silhouette(np.concatenate([Q, V]),
                                 np.concatenate([queries.groups, item_groups])),
    }


def reference_spurious(scores, query_groups, item_groups, k):
    """spurious_at_k as it was: from the ids top_k picks."""
    return _spurious(_own_in_ranking(top_k(scores, k), query_groups, item_groups), k)


def same_bits(a: float, b: float) -> bool:
    return np.float64(a).tobytes() == np.float64(b).tobytes()


def assert_frame_as_before(Q, V, queries, item_groups, k):
    metrics, picks = metrics_and_top_k(Q, V, queries, item_groups, k)
    expected = reference_metrics(Q, V, queries, item_groups, k)
    assert list(metrics) == list(expected)
    for name, value in expected.items():
        assert same_bits(metrics[name], value), (name, metrics[name], value)
    np.testing.assert_array_equal(picks, top_k(Q @ V.T, k))


# Data where k is a whole group or more (ties at the within-group cut), and a
# corpus smaller than k (top_k ranks everything).
DATA = [DataConfig(seed=3), DataConfig(groups=4, items_per_group=10, seed=5),
        DataConfig(groups=2, items_per_group=10, queries_per_group=30,
                   test_queries_per_group=5, seed=1)]


@pytest.mark.parametrize("data_config", DATA, ids=["default", "k is a group", "small"])
@pytest.mark.parametrize("strategy", STRATEGIES)
def test_every_frames_metrics_and_top_k_as_before(data_config, strategy):
    dataset = make_dataset(data_config)
    k = 25 if data_config.groups == 2 else 10  # 25 > the 20 items of the small corpus
    result = train(dataset, TrainConfig(strategy=strategy, epochs=4, k=k))
    for Q, V in zip(result.query_snapshots, result.item_snapshots, strict=True):
        assert_frame_as_before(Q, V, dataset.test, dataset.item_groups, k)


def test_ties_take_the_old_paths():
    """Scores with ties everywhere (small integers): the top-k and the AUC fall
    back to top_k's ids and to the ranks of tied scores, as before."""
    rng = np.random.default_rng(0)
    dataset = make_dataset(DataConfig(groups=3, items_per_group=10, seed=2))
    m, n = len(dataset.test), dataset.n_items
    Q = rng.integers(0, 2, (m, 2)).astype(float)
    V = rng.integers(0, 3, (n, 2)).astype(float)
    for k in (1, 5, 10, 29, 30, 40):
        assert_frame_as_before(Q, V, dataset.test, dataset.item_groups, k)


def test_group_blocks():
    """The fast path of within-group recall needs the items stored group by
    group in blocks of one size, as data.py stores them; anything else takes
    the general path."""
    assert group_blocks(np.repeat(np.arange(6), 40)) == 40
    assert group_blocks(np.array([0, 0, 1, 1])) == 2
    assert group_blocks(np.zeros(5, dtype=int)) == 5  # one group
    assert group_blocks(np.array([0, 1, 0, 1])) is None  # interleaved
    assert group_blocks(np.array([0, 0, 0, 1])) is None  # unequal sizes
    assert group_blocks(np.array([0, 0, 2, 2])) is None  # a group with no items
    assert group_blocks(np.array([1, 1, 0, 0])) is None  # out of order


def test_items_not_in_blocks_take_the_general_path():
    """The same metrics whether or not the items are in blocks: a run's frames
    with the items' ids shuffled (their groups with them) give the numbers of
    the general path."""
    dataset = make_dataset(DataConfig(groups=3, items_per_group=12, seed=7))
    result = train(dataset, TrainConfig(strategy="uniform", epochs=3, k=5))
    shuffle = np.random.default_rng(0).permutation(dataset.n_items)
    item_groups = dataset.item_groups[shuffle]
    assert group_blocks(item_groups) is None
    for Q, V in zip(result.query_snapshots, result.item_snapshots, strict=True):
        metrics, _ = metrics_and_top_k(Q, V[shuffle], dataset.test, item_groups, 5)
        assert metrics == reference_metrics(Q, V[shuffle], dataset.test, item_groups, 5)


@pytest.mark.parametrize("ties", [False, True])
def test_spurious_at_k_as_before(ties):
    rng = np.random.default_rng(1)
    item_groups = np.repeat(np.arange(4), 12)
    query_groups = rng.integers(0, 4, 30)
    for _ in range(20):
        scores = rng.standard_normal((30, 48))
        if ties:
            scores = np.round(scores)
        for k in (1, 3, 10, 47, 48, 60):
            assert same_bits(spurious_at_k(scores, query_groups, item_groups, k),
                             reference_spurious(scores, query_groups, item_groups, k))


def test_the_runs_and_figures_as_recorded_before_the_cuts():
    """Compared on every machine: on another CPU or BLAS the last bits may
    differ (then the test says how many values did, and skips); where they
    agree, or on the machine that recorded them, any difference fails."""
    recorded = json.loads(GOLDEN.read_text())
    now = record()
    found = differences({k: recorded[k] for k in ("runs", "figures")},
                        {k: now[k] for k in ("runs", "figures")})
    if found and recorded["machine"] != machine_now():
        pytest.skip(f"recorded on {recorded['machine']}: {len(found)} values differ here, "
                    "where floating point may round differently")
    assert found == []


def test_a_shared_figure_sends_what_its_figure_did():
    """ui.plot.SharedFigure: the cached figures' JSON is written once, as
    ui.plot wrote it at every page run; the plotly figure made again from it
    (presenter view, HTML export) is the same figure, and the presenter's
    larger type gives the same JSON to the byte."""
    import plotly.io as pio

    from recdemo import figures
    from ui.plot import SharedFigure, figure_json, plotly_figure

    dataset = make_dataset(DataConfig(seed=4))
    runs = {strategy: train(dataset, TrainConfig(strategy=strategy, epochs=3))
            for strategy in ("uniform", "popularity")}
    made = [figures.embedding_figure(dataset, runs["uniform"], 3, 5),
            figures.embedding_figure(dataset, runs["popularity"], 2, None),
            figures.negatives_figure(dataset, runs["popularity"]),
            figures.training_curves_figure(runs["uniform"]),
            figures.small_multiples_figure(dataset, runs, 2)]
    for fig in made:
        shared = SharedFigure(fig)
        assert figure_json(shared) == pio.to_json(fig, validate=False).encode()
        again = plotly_figure(shared)
        assert type(again) is type(fig) and getattr(again, "playback", None) == getattr(
            fig, "playback", None)
        assert json.loads(pio.to_json(again, validate=False)) == json.loads(shared.json)
        assert (pio.to_json(figures.with_font_size(again, 20), validate=False)
                == pio.to_json(figures.with_font_size(fig, 20), validate=False))


@pytest.mark.parametrize("n_items", [240, 70_000])
def test_popularity_draws_as_before(n_items):
    """Popularity negatives: searched in the order drawn on a small corpus, in
    increasing order on a large one; the same items either way."""
    from recdemo.samplers import Batch, Popularity

    rng = np.random.default_rng(7)
    popularity = rng.integers(0, 30, n_items).astype(float)
    sampler = Popularity(10, popularity, logq_correction=True)
    batch = Batch(np.zeros((128, 2), dtype=int), np.full((128, 2), 0.5), np.zeros(128, int))
    drawn = sampler.draw(batch, None, None, np.random.default_rng(3))
    u = np.random.default_rng(3).random((128, 10)) * sampler.cumulative[-1]
    expected = np.empty(u.size, dtype=np.intp)  # the sorted search, as it always was
    order = np.argsort(u, axis=None)
    expected[order] = np.searchsorted(sampler.cumulative, u.ravel()[order], side="right")
    np.testing.assert_array_equal(drawn, expected.reshape(u.shape).clip(max=n_items - 1))
