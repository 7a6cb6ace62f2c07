"""The verdict rule (recdemo/verdicts.py) on hand-built numbers with known answers."""

from __future__ import annotations

import pytest

from recdemo.references import References
from recdemo.train import TrainConfig
from recdemo.verdicts import (
    FOLDS,
    NEITHER,
    SEPARATES,
    beyond_the_data,
    excess_spurious,
    expected,
    kept_separation,
    verdict,
)


def refs(own_spurious=0.1, chance=0.9, own_auc=0.9) -> References:
    return References({"spurious_at_k": own_spurious, "cross_group_auc": own_auc},
                      {"spurious_at_k": chance, "cross_group_auc": 0.5}, 10, 40, 10)


def run(spurious, auc):
    return {"spurious_at_k": spurious, "cross_group_auc": auc}


def test_the_two_shares_are_positions_between_the_data_and_chance():
    r = refs()
    assert excess_spurious(run(0.1, 0.9), r) == pytest.approx(0.0)
    assert excess_spurious(run(0.9, 0.9), r) == pytest.approx(1.0)
    assert excess_spurious(run(0.5, 0.9), r) == pytest.approx(0.5)
    assert kept_separation(run(0.1, 0.9), r) == pytest.approx(1.0)
    assert kept_separation(run(0.1, 0.7), r) == pytest.approx(0.5)
    assert kept_separation(run(0.1, 0.4), r) == pytest.approx(-0.25)


@pytest.mark.parametrize("spurious, auc, found", [
    (0.5, 0.7, FOLDS),  # half way to chance on both: folds, at the edge
    (0.9, 0.5, FOLDS),
    (0.95, 0.3, FOLDS),  # past chance (in-group): folds
    (0.3, 0.8, SEPARATES),  # a quarter of the way, three quarters kept: separates, at the edge
    (0.05, 0.95, SEPARATES),  # past the data on both: separates
    (0.49, 0.5, NEITHER),  # chance's AUC but not enough spurious picks
    (0.9, 0.71, NEITHER),  # chance's spurious but more than half the separation kept
    (0.31, 0.95, NEITHER),
    (0.1, 0.79, NEITHER),
])
def test_folds_separates_or_neither(spurious, auc, found):
    assert verdict(run(spurious, auc), refs()) == found


def test_data_whose_groups_barely_differ_has_nothing_to_fold_or_separate():
    assert verdict(run(0.9, 0.5), refs(own_spurious=0.88)) == NEITHER
    assert verdict(run(0.9, 0.5), refs(own_auc=0.52)) == NEITHER


def test_going_past_the_data_takes_more_than_a_small_margin():
    r = refs()
    assert not beyond_the_data(run(0.09, 0.91), r)
    assert beyond_the_data(run(0.05, 0.9), r) and beyond_the_data(run(0.1, 0.95), r)
    # Exactly the margin is not past it (0.12 < 0.14 - 0.02 in floats).
    assert not beyond_the_data(run(0.12, 0.5), refs(own_spurious=0.14))
    assert beyond_the_data(run(0.1199, 0.5), refs(own_spurious=0.14))


def test_what_the_lesson_expects_of_each_run():
    assert expected(TrainConfig(strategy="positives-only")) == FOLDS
    assert expected(TrainConfig(strategy="positives-only", gravity=1.0)) == SEPARATES
    assert expected(TrainConfig(strategy="in-group")) == FOLDS
    assert expected(TrainConfig(strategy="in-group", gravity=1.0)) == FOLDS
    for strategy in ("full", "uniform", "hard", "popularity"):
        assert expected(TrainConfig(strategy=strategy)) == SEPARATES


def test_a_run_that_switches_mid_run_is_expected_to_do_what_it_switched_to():
    assert expected(TrainConfig(strategy="positives-only", switch_at=7)) == SEPARATES
    assert expected(TrainConfig(strategy="uniform", switch_at=7, switch_to="in-group")) == FOLDS
    assert expected(TrainConfig(strategy="uniform", switch_at=7, switch_to="positives-only",
                                switch_gravity=1.0)) == SEPARATES
