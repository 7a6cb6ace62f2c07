"""Properties of the synthetic colored groups (recdemo/data.py)."""

import dataclasses

import numpy as np
import pytest

from recdemo.data import (
    FEATURES,
    DataConfig,
    Dataset,
    Queries,
    make_dataset,
    slot_log_probability,
)
from recdemo.params import PARAMS
from tests.generator_draws import redrawn_frequencies

SMALL = DataConfig(groups=3, items_per_group=12, queries_per_group=15, test_queries_per_group=7,
                   positives=4, seed=5)
# Stress the draw without replacement: every own-group item is a positive when
# nothing leaks, and half the slots go to other groups.
CROWDED = DataConfig(groups=2, items_per_group=10, positives=10, leak=0.5, queries_per_group=50)
CONFIGS = {"default": DataConfig(), "small": SMALL, "crowded": CROWDED}


@pytest.fixture(scope="module", params=CONFIGS.values(), ids=CONFIGS.keys())
def dataset(request):
    return make_dataset(request.param)


def splits(dataset):
    return {"train": dataset.train, "test": dataset.test}


def leak_share(dataset):
    """Share of training positives whose item group differs from the query group."""
    train = dataset.train
    return (dataset.item_groups[train.positives] != train.groups[:, None]).mean()


def all_arrays(dataset):
    """Every array of the dataset, named, whatever fields it has."""
    arrays = {f.name: getattr(dataset, f.name) for f in dataclasses.fields(dataset)
              if isinstance(getattr(dataset, f.name), np.ndarray)}
    for split, queries in splits(dataset).items():
        arrays.update({f"{split}.{f.name}": getattr(queries, f.name)
                       for f in dataclasses.fields(queries)})
    return arrays


def test_sizes_follow_a_non_default_config():
    data = make_dataset(SMALL)
    n_items = SMALL.groups * SMALL.items_per_group
    assert data.n_items == n_items
    assert data.n_groups == SMALL.groups
    np.testing.assert_array_equal(data.item_groups, np.repeat(np.arange(3), 12))
    assert data.item_popularity.shape == (n_items,)
    for split, per_group in [("train", SMALL.queries_per_group),
                             ("test", SMALL.test_queries_per_group)]:
        queries = splits(data)[split]
        m = SMALL.groups * per_group
        assert len(queries) == m
        assert queries.features.shape == (m, FEATURES)
        assert queries.positives.shape == queries.weights.shape == (m, SMALL.positives)
        np.testing.assert_array_equal(np.bincount(queries.groups), [per_group] * SMALL.groups)


def test_positives_are_distinct_valid_items_in_each_row(dataset):
    for queries in splits(dataset).values():
        ordered = np.sort(queries.positives, axis=1)
        assert (np.diff(ordered, axis=1) > 0).all()
        assert ((0 <= ordered) & (ordered < dataset.n_items)).all()


def test_weights_rows_sum_to_one(dataset):
    for queries in splits(dataset).values():
        assert (queries.weights > 0).all()
        np.testing.assert_allclose(queries.weights.sum(axis=1), 1.0, rtol=1e-12)


def test_item_popularity_counts_training_positives(dataset):
    expected = np.bincount(dataset.train.positives.ravel(), minlength=dataset.n_items)
    np.testing.assert_array_equal(dataset.item_popularity, expected)


def test_without_leak_every_positive_is_in_the_query_group():
    data = make_dataset(DataConfig(leak=0.0))
    assert leak_share(data) == 0.0
    test = data.test
    assert (data.item_groups[test.positives] == test.groups[:, None]).all()


@pytest.mark.parametrize("groups", [2, 6])
def test_measured_leak_matches_the_requested_leak(groups):
    leak = 0.2
    data = make_dataset(DataConfig(groups=groups, leak=leak, queries_per_group=300))
    slots = data.train.positives.size  # each slot leaks independently with probability leak
    standard_error = np.sqrt(leak * (1 - leak) / slots)
    assert abs(leak_share(data) - leak) < 4 * standard_error


def test_leaked_positives_spread_over_all_other_groups():
    data = make_dataset(DataConfig(groups=4, leak=0.5))
    train = data.train
    item_group = data.item_groups[train.positives]
    from_group_0 = train.groups == 0
    counts = np.bincount(item_group[from_group_0].ravel(), minlength=4)
    assert (counts[1:] > 0.2 * counts[1:].sum()).all()  # about a third each


def test_same_seed_gives_bit_identical_data():
    first, second = all_arrays(make_dataset(SMALL)), all_arrays(make_dataset(SMALL))
    assert first.keys() == second.keys()
    for name in first:
        np.testing.assert_array_equal(first[name], second[name], err_msg=name)


def test_different_seed_gives_different_data():
    first = make_dataset(SMALL)
    second = make_dataset(dataclasses.replace(SMALL, seed=SMALL.seed + 1))
    assert not np.array_equal(first.train.features, second.train.features)
    assert not np.array_equal(first.train.positives, second.train.positives)


def test_popularity_skew_concentrates_positives_on_the_top_items():
    """With skew, each group's most popular items draw clearly more positives
    than the most popular ones do when popularity is flat."""
    top = 4

    def top_counts(skew):
        config = DataConfig(popularity_skew=skew)
        counts = make_dataset(config).item_popularity.reshape(config.groups, -1)
        return np.sort(counts, axis=1)[:, -top:].sum(axis=1)

    assert (top_counts(1.5) >= 1.3 * top_counts(0.0)).all()


@pytest.mark.parametrize("name, value", [
    ("groups", 1),
    ("groups", PARAMS["groups"].high + 1),
    ("items_per_group", 5),
    ("queries_per_group", 0),
    ("leak", 0.9),
    ("leak", -0.1),
    ("leak", float("nan")),
    ("popularity_skew", 3.0),
    ("positives", 0),
    ("seed", -1),
])
def test_bad_parameter_raises_naming_it_and_its_range(name, value):
    param = PARAMS[name]
    with pytest.raises(ValueError) as error:
        DataConfig(**{name: value})
    message = str(error.value)
    assert name in message
    assert param.allowed() in message  # the range as the table words it (integers as integers)


def test_more_positives_than_items_per_group_is_rejected():
    with pytest.raises(ValueError, match="positives") as error:
        DataConfig(items_per_group=10, positives=11)
    assert "10" in str(error.value)


# ---------------------------------------------------------------- the true preference (oracle)

def tiny_dataset(leak: float) -> Dataset:
    """2 groups of 2 items, one test query in group 0, latent vectors by hand."""
    config = DataConfig(groups=2, items_per_group=10, queries_per_group=10,
                        test_queries_per_group=5, positives=1, leak=leak)
    centers = np.array([[4.0, 0.0], [0.0, 4.0]])
    item_groups = np.array([0, 0, 1, 1])
    item_offsets = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 0.0], [2.0, 0.0]])
    query = Queries(features=np.zeros((1, 1)), positives=np.array([[0]]),
                    weights=np.ones((1, 1)), groups=np.array([0]),
                    latent=centers[[0]] + np.array([[1.0, 0.0]]))
    return Dataset(config, query, query, item_groups, np.zeros(4),
                   centers[item_groups] + item_offsets, centers,
                   np.log(np.array([1.0, 1.0, 1.0, 2.0])))


def test_slot_log_probability_on_a_hand_built_case():
    """The query's offset is (1, 0). Affinity inside a group: log popularity -
    |offset_q - offset_i|^2 / AFFINITY_SCALE (= 2): item 0: -1/2, item 1: 0,
    item 2: -1/2, item 3: log 2 - 1/2. Own group with 1 - leak, the other with leak."""

    leak = 0.2
    within_0 = np.exp([-0.5, 0.0]) / np.exp([-0.5, 0.0]).sum()
    within_1 = np.array([np.exp(-0.5), 2 * np.exp(-0.5)]) / (3 * np.exp(-0.5))
    expected = np.concatenate([(1 - leak) * within_0, leak * within_1])
    got = np.exp(slot_log_probability(tiny_dataset(leak), tiny_dataset(leak).test))
    np.testing.assert_allclose(got, [expected], rtol=1e-12)
    assert got.sum() == pytest.approx(1.0)


def test_slot_log_probability_is_how_often_the_generator_picks_each_item():
    """Many copies of one query, one positive each: the generator's picks follow
    exp(slot_log_probability) (a chi-square-sized tolerance on 40,000 draws)."""

    data = make_dataset(DataConfig(groups=3, items_per_group=10, positives=1, leak=0.3,
                                   popularity_skew=1.0))
    copies = 40_000
    observed = redrawn_frequencies(data, copies, seed=1)
    expected = np.exp(slot_log_probability(data, data.test)[0])
    tolerance = 4 * np.sqrt(expected / copies) + 1e-3
    assert (np.abs(observed - expected) <= tolerance).all(), (observed, expected)
