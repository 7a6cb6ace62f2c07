"""Where the lesson holds: the sweep's table, how a view's settings find their
swept setting, the sentences the pages show, and the table against fresh runs."""

from __future__ import annotations

import pytest

from recdemo import where_it_holds
from recdemo.params import defaults
from recdemo.verdicts import expected, verdict
from recdemo.where_it_holds import TABLE, changed_settings, matching_settings, reasons, warnings
from tests import lesson_runs


def test_only_settings_a_sweep_varies_count_as_changed():
    values = defaults() | {"seed": 5, "strategy": "hard", "query": 3, "learning_rate": 0.01}
    assert changed_settings(values) == {"learning_rate": 0.01}


@pytest.mark.parametrize("changed, found", [
    ({"learning_rate": 0.02}, ["learning rate 0.03"]),  # the nearest, in log scale
    ({"learning_rate": 0.2}, ["learning rate 0.3"]),
    ({"leak": 0.02}, ["leak 0"]),  # only on the same side of the default (0.05)
    ({"items_per_group": 10, "queries_per_group": 10}, ["10 items and fewest queries"]),
    ({"items_per_group": 10, "l2": 0.1}, ["10 items", "l2 0.1"]),
    ({"hidden": 64}, []),  # never swept above its default
])
def test_a_view_finds_the_swept_settings_nearest_to_it(changed, found):
    assert sorted(matching_settings(changed)) == found


SMALL_TABLE = {
    "settings": {"defaults": {}, "l2 0.1": {"l2": 0.1}},
    "held": {"defaults": {"2": {"positives-only": [3, 10]}, "6": {"positives-only": [10, 10],
                                                                  "uniform": [10, 10]}},
             "l2 0.1": {"6": {"positives-only": [10, 10], "uniform": [0, 10]}}},
}


@pytest.fixture
def small_table(monkeypatch):
    monkeypatch.setattr(where_it_holds, "TABLE", SMALL_TABLE)


def test_reasons_name_the_setting_at_which_the_sweep_mostly_failed(small_table):
    (reason,) = reasons("uniform", "separates", defaults() | {"l2": 0.05})
    assert reason == ("In the sweep at l2 0.1 (the nearest measured to l2 0.05) with 6 groups, "
                      "uniform separated on only 0 of 10 seeds.")


def test_reasons_name_the_group_count_when_the_defaults_mostly_fail(small_table):
    (reason,) = reasons("positives-only", "folds", defaults() | {"groups": 2})
    assert reason == ("In the sweep at the default settings with 2 groups, positives-only "
                      "folded on only 3 of 10 seeds.")


def test_without_a_known_cause_the_seed_is_an_exception(small_table):
    (reason,) = reasons("positives-only", "folds", defaults())
    assert reason.endswith("(10 of 10 at the defaults): this seed is one of the exceptions.")


def test_warnings_before_a_run_only_where_the_sweep_mostly_failed(small_table):
    assert warnings({"uniform": "separates"}, defaults()) == []
    (note,) = warnings({"uniform": "separates", "positives-only": "folds"},
                       defaults() | {"l2": 0.1})
    assert note == ("The lesson is unreliable here: in the sweep at l2 0.1 with 6 groups, "
                    "uniform separated on 0 of 10 seeds.")


# The table is what the sweep measures: a few of its cells, trained again.

CELLS = [("defaults", 4), ("learning rate 0.01", 4), ("l2 0.1", 6), ("leak 0.3", 8)]
CASES = [(tuple(TABLE["settings"][name].items()), groups, seed, False)
         for name, groups in CELLS for seed in TABLE["seeds"]]
lesson_runs.register(CASES)


@pytest.mark.slow
def test_the_tables_cells_are_what_fresh_runs_measure():
    outs = lesson_runs.outputs(CASES)
    for name, groups in CELLS:
        settings = tuple(TABLE["settings"][name].items())
        for strategy, (held, runs) in TABLE["held"][name][str(groups)].items():
            cases = [out for (s, g, _, _), out in outs.items() if s == settings and g == groups]
            found = [verdict(out["metrics"][strategy], out["refs"])
                     == expected(out["configs"][strategy]) for out in cases
                     if strategy in out["metrics"]]
            assert (sum(found), len(cases)) == (held, runs), (name, groups, strategy)
