"""Training (recdemo/train.py): the result's shape and hygiene, then the lesson
itself: without negatives from other groups the groups fold onto each other.

The phenomenon tests train with the default settings on several data seeds
and group counts. Each (data, strategy) is trained once per session
(``trained`` is cached) and shared by the tests that look at it.
"""

import dataclasses

import numpy as np
import pytest

from recdemo.data import DataConfig, make_dataset
from recdemo.metrics import METRICS
from recdemo.model import query_tower
from recdemo.params import PARAMS, STRATEGIES
from recdemo.train import TrainConfig, TrainingDiverged, train

SMALL_DATA = make_dataset(DataConfig(groups=3, items_per_group=10, queries_per_group=20,
                                     test_queries_per_group=5))
SHORT = TrainConfig(epochs=3, dim=4, hidden=8)


def short_run(**changes):
    return train(SMALL_DATA, dataclasses.replace(SHORT, **changes))


def result_arrays(result):
    return {"losses": result.losses, "query_snapshots": result.query_snapshots,
            "item_snapshots": result.item_snapshots,
            "metrics": np.array([[m[name] for name in METRICS] for m in result.metrics])}


def test_result_shapes():
    result = short_run()
    frames = SHORT.epochs + 1
    assert result.losses.shape == (SHORT.epochs,)
    assert len(result.metrics) == frames
    assert all(tuple(m) == METRICS for m in result.metrics)
    assert result.query_snapshots.shape == (frames, len(SMALL_DATA.test), SHORT.dim)
    assert result.item_snapshots.shape == (frames, SMALL_DATA.n_items, SHORT.dim)
    assert result.final_metrics == result.metrics[-1]
    np.testing.assert_array_equal(result.item_embeddings, result.item_snapshots[-1])


def test_the_kept_tower_embeds_the_test_queries_as_the_final_snapshot():
    """result.tower serves a new query (recdemo/serving.py): it must be the final tower."""
    result = short_run()
    q, _ = query_tower(result.tower, SMALL_DATA.test.features)
    np.testing.assert_array_equal(q, result.query_embeddings)
    assert set(result.tower) == {"W1", "b1", "W2", "b2"}


def test_snapshots_are_copies_not_views_of_the_live_weights():
    result = short_run()
    assert not np.array_equal(result.item_snapshots[0], result.item_snapshots[-1])


def test_same_seed_gives_identical_results():
    first, second = result_arrays(short_run()), result_arrays(short_run())
    for name in first:
        np.testing.assert_array_equal(first[name], second[name], err_msg=name)


def test_different_seed_gives_different_results():
    first, second = short_run(seed=0), short_run(seed=1)
    assert not np.array_equal(first.item_snapshots, second.item_snapshots)


@pytest.mark.parametrize("gravity", [0.0, 1.0])
@pytest.mark.parametrize("strategy", STRATEGIES)
def test_no_nan_anywhere_in_a_result(strategy, gravity):
    result = short_run(strategy=strategy, gravity=gravity)
    for name, array in result_arrays(result).items():
        assert np.isfinite(array).all(), name
    assert np.isfinite(result.train_seconds)


def test_loss_goes_down():
    result = short_run(epochs=10)
    assert result.losses[-1] < 0.9 * result.losses[0]


@pytest.mark.parametrize("gravity", [0.0, 1.0])
def test_huge_learning_rate_raises_naming_learning_rate(gravity):
    with pytest.raises(TrainingDiverged, match="learning_rate") as error:
        short_run(learning_rate=10.0, gravity=gravity)
    assert ("gravity" in str(error.value)) == (gravity > 0)


@pytest.mark.parametrize("switch_at, switch_gravity", [(5, 1.0), (7, 10.0)])
def test_gravity_switched_on_is_not_taken_for_divergence(switch_at, switch_gravity):
    """A review's link: positives-only switched at epoch 5 to itself with
    gravity 1. Gravity's term makes the loss some thousand times the first
    batch's (178 against 0.19) and then falls: the run trains, as it does with
    gravity from the start. The check measures a switched loss from its own start."""
    data = make_dataset(DataConfig(seed=7))
    config = TrainConfig(strategy="positives-only", switch_at=switch_at,
                         switch_to="positives-only", switch_gravity=switch_gravity, seed=7)
    result = train(data, config)
    assert result.losses[switch_at] > 100 * result.losses[switch_at - 1]
    assert result.losses[-1] < result.losses[switch_at]


def test_on_epoch_is_called_once_per_epoch():
    calls = []
    train(SMALL_DATA, SHORT, on_epoch=lambda epoch, epochs: calls.append((epoch, epochs)))
    assert calls == [(epoch, SHORT.epochs) for epoch in range(1, SHORT.epochs + 1)]


def test_bad_training_parameter_raises_naming_it():
    with pytest.raises(ValueError, match="negatives"):
        TrainConfig(negatives=0)


# What a run does to the groups is tested with the verdict rule in
# tests/test_phenomenon.py and tests/test_claims.py.

SEPARATING = ("full", "uniform", "hard", "popularity")  # negatives from every group
FOLDING = ("positives-only", "in-group")


def test_a_run_too_large_for_a_shared_server_is_refused_with_what_to_change():
    from recdemo.train import MAX_STEPS

    data = make_dataset(DataConfig(groups=8, queries_per_group=300))
    config = TrainConfig(epochs=40, batch_size=32)
    assert config.epochs * len(data.train) / config.batch_size > MAX_STEPS
    with pytest.raises(ValueError, match="lower epochs, groups or queries_per_group.*batch_size"):
        train(data, config)


# What the learning_rate caution says (params.py: works_up_to) -------------------

LIMIT = PARAMS["learning_rate"].works_up_to
RATE_CASES = {"default, seed 0": ({}, 0), "2 groups, seed 1": ({"groups": 2}, 1),
              "8 small groups, seed 2": ({"groups": 8, "items_per_group": 20,
                                          "queries_per_group": 50}, 2)}


def final_auc_or_none(data, strategy, learning_rate, seed):
    """The final cross-group AUC, or None if the run diverged."""
    try:
        config = TrainConfig(strategy=strategy, learning_rate=learning_rate, seed=seed)
        return train(data, config).final_metrics["cross_group_auc"]
    except TrainingDiverged:
        return None


@pytest.mark.parametrize("case", RATE_CASES)
def test_learning_rates_train_up_to_the_caution_and_fail_above_it(case):
    data_changes, seed = RATE_CASES[case]
    data = make_dataset(DataConfig(seed=seed, **data_changes))
    for strategy in SEPARATING:  # at the limit they separate the groups, as at the default
        assert final_auc_or_none(data, strategy, LIMIT, seed) >= 0.85, strategy
    for strategy in FOLDING:  # they fold by design; they still train
        result = train(data, TrainConfig(strategy=strategy, learning_rate=LIMIT, seed=seed))
        assert result.final_loss < result.losses[0], strategy
    for strategy in SEPARATING:  # five times the limit: chance level (or diverged)
        auc = final_auc_or_none(data, strategy, 5 * LIMIT, seed)
        assert auc is None or abs(auc - 0.5) < 0.1, (strategy, auc)
    assert all(final_auc_or_none(data, strategy, 30 * LIMIT, seed) is None
               for strategy in STRATEGIES), "thirty times the limit diverges"


# A switch mid-run -------------------------------------------------------------

def history_arrays(result):
    return {**result_arrays(result), "top_k_snapshots": result.top_k_snapshots,
            "negatives_seen": result.negatives_seen, "pushed_down": result.pushed_down}


@pytest.mark.parametrize("switch", [{"switch_to": "uniform"},
                                    {"switch_to": "positives-only", "switch_gravity": 1.0},
                                    {"switch_to": "in-batch"}])
def test_a_switched_run_is_the_unswitched_run_bit_for_bit_until_the_switch(switch):
    plain = short_run(strategy="positives-only", epochs=5)
    switched = short_run(strategy="positives-only", epochs=5, switch_at=2, **switch)
    first, second = history_arrays(plain), history_arrays(switched)
    for name in first:
        frames = 2 if name in ("losses", "negatives_seen", "pushed_down") else 3  # epochs 1-2
        np.testing.assert_array_equal(first[name][:frames], second[name][:frames], err_msg=name)
        if switch["switch_to"] != "positives-only" or name not in ("negatives_seen",
                                                                   "pushed_down"):
            assert not np.array_equal(first[name][frames:], second[name][frames:]), name


def test_a_switch_to_the_same_settings_changes_nothing():
    """It goes on from the same parameters, optimizer state and random stream."""
    plain = short_run(strategy="uniform", gravity=0.5)
    same = short_run(strategy="uniform", gravity=0.5, switch_at=1, switch_to="uniform",
                     switch_gravity=0.5)
    for name, array in history_arrays(plain).items():
        np.testing.assert_array_equal(array, history_arrays(same)[name], err_msg=name)


def test_the_switch_says_which_strategy_and_gravity_each_epoch_trains_with():
    config = TrainConfig(strategy="positives-only", epochs=6, switch_at=4, switch_to="full",
                         switch_gravity=0.3)
    assert [config.strategy_in_epoch(e) for e in range(1, 7)] == ["positives-only"] * 4 + [
        "full"] * 2
    assert [config.gravity_in_epoch(e) for e in range(1, 7)] == [0.0] * 4 + [0.3] * 2
    assert config.switch_text() == "then full with gravity 0.3 after epoch 4"
    assert TrainConfig(switch_to="full").strategy_in_epoch(10) == TrainConfig().strategy


@pytest.mark.parametrize("switch_at", [3, 20])
def test_a_switch_at_or_after_the_last_epoch_is_refused_naming_switch_at(switch_at):
    with pytest.raises(ValueError, match=r"switch_at must be 0 \(no switch\) or less than "
                                         r"epochs \(3\)"):
        short_run(switch_at=switch_at)
    with pytest.raises(ValueError, match="switch_to"):
        TrainConfig(switch_to="everything")
