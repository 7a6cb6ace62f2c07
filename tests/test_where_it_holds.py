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
    ({"items_per_group": 10, "queries_per_group": 10}, ["10 items and 10 queries a group"]),
    ({"items_per_group": 10, "l2": 0.1}, ["10 items a group", "l2 0.1"]),
    ({"hidden": 64}, []),  # never swept above its default
])
def test_a_view_finds_the_swept_settings_nearest_to_it(changed, found):
    assert sorted(matching_settings(changed)) == found


SMALL_TABLE = {
    "seeds": list(range(200, 210)),
    "commit": "abc1234",
    "settings": {"defaults": {}, "l2 0.1": {"l2": 0.1}, "k 3": {"k": 3},
                 "gravity 1": {"gravity": 1.0}},
    "held": {"defaults": {"2": {"positives-only": [3, 10]}, "6": {"positives-only": [10, 10],
                                                                  "uniform": [10, 10]}},
             "l2 0.1": {"6": {"positives-only": [10, 10], "uniform": [0, 10]}},
             "k 3": {"6": {"uniform": [9, 10]}},
             # positives-only with gravity: these count separations, not folds
             "gravity 1": {"2": {"positives-only": [10, 10]}, "6": {"positives-only": [4, 10]}}},
}


@pytest.fixture
def small_table(monkeypatch):
    monkeypatch.setattr(where_it_holds, "TABLE", SMALL_TABLE)


def test_reasons_name_the_setting_at_which_the_sweep_mostly_failed(small_table):
    (reason,) = reasons("uniform", "separates", defaults() | {"l2": 0.05})
    assert reason == ("In the sweep at l2 0.1 (the nearest measured to l2 0.05 on its side of "
                      "the default) with 6 groups, uniform separated on none of the 10 seeds.")


def test_a_setting_the_strategy_does_not_read_is_no_reason(small_table, monkeypatch):
    """A review's link (/compare?temperature=0.05&...): uniform's counts named
    "at temperature 0.05", which only hard reads; uniform trains there exactly
    as at the default."""
    monkeypatch.setitem(SMALL_TABLE["settings"], "temperature 0.05", {"temperature": 0.05})
    monkeypatch.setitem(SMALL_TABLE["held"], "temperature 0.05", {"6": {"uniform": [0, 10],
                                                                        "hard": [0, 10]}})
    values = defaults() | {"temperature": 0.05}
    assert reasons("uniform", "separates", values) == [
        "In the sweep at the default settings with 6 groups, uniform separated on 10 of 10 "
        "seeds (200 to 209; not seed 0): this run is an exception."]
    assert warnings({"uniform": "separates"}, values) == []
    (hard,) = warnings({"hard": "separates"}, values)
    assert hard.startswith("In the sweep at temperature 0.05 with 6 groups, hard separated on 0")


def test_reasons_name_the_group_count_when_the_defaults_mostly_fail(small_table):
    (reason,) = reasons("positives-only", "folds", defaults() | {"groups": 2})
    assert reason == ("In the sweep at the default settings with 2 groups, positives-only "
                      "folded on only 3 of 10 seeds.")


def test_a_seed_is_an_exception_only_where_the_sweep_measured_this_very_view(small_table):
    """A review's link, /train?strategy=popularity&popularity_skew=2&seed=13:
    "on 10 of 10 seeds: this seed is one of the exceptions", of a seed the
    sweep never trained, where it found none."""
    (reason,) = reasons("positives-only", "folds", defaults())
    assert reason == ("In the sweep at the default settings with 6 groups, positives-only "
                      "folded on 10 of 10 seeds (200 to 209; not seed 0): this run is an "
                      "exception.")
    # A seed the sweep trained, at the very view where it held on every seed.
    (reason,) = reasons("positives-only", "folds", defaults() | {"seed": 203})
    assert reason.endswith("on 10 of 10 seeds (200 to 209; seed 203 among them): it trained "
                           "this very run at commit abc1234, where it folded: the code or the "
                           "machine has changed since.")
    (reason,) = reasons("uniform", "separates", defaults() | {"k": 3, "seed": 204})
    assert reason.endswith("uniform separated on 9 of 10 seeds (200 to 209; seed 204 among "
                           "them): this run is like the 1 that did not.")


def test_settings_the_sweep_never_measured_together_are_no_exception(small_table):
    # k 3 and leak 0.5 were each swept alone: together they were not.
    (reason,) = reasons("uniform", "separates", defaults() | {"k": 3, "leak": 0.5})
    assert "exception" not in reason
    assert reason == ("The sweep did not measure this view's settings together; near them, "
                      "with 6 groups, uniform separated on 10 of 10 seeds at the default "
                      "settings; 9 of 10 seeds at k 3.")


def test_positives_only_with_gravity_reads_the_gravity_rows_not_the_defaults(small_table):
    # The defaults' row for 2 groups counts folds (3 of 10): no warning about separating.
    values = defaults() | {"groups": 2, "gravity": 1.0}
    assert warnings({"positives-only": "separates"}, values) == []
    (reason,) = reasons("positives-only", "separates", values)
    assert reason == ("In the sweep at gravity 1 with 2 groups, positives-only separated on 10 "
                      "of 10 seeds (200 to 209; not seed 0): this run is an exception.")
    (note,) = warnings({"positives-only": "separates"}, defaults() | {"gravity": 1.0})
    assert note == ("In the sweep at gravity 1 with 6 groups, positives-only separated on 4 "
                    "of 10 seeds: the lesson was unreliable there, and may not hold here.")
    # Uniform was never swept with gravity: the gravity row says nothing of it.
    (reason,) = reasons("uniform", "separates", defaults() | {"gravity": 1.0})
    assert reason.endswith("uniform separated on 10 of 10 seeds at the default settings.")


def test_of_a_run_switched_mid_run_the_sweep_says_nothing(small_table):
    values = defaults() | {"groups": 2, "switch_at": 7, "switch_to": "uniform"}
    assert warnings({"positives-only": "separates"}, values) == []
    assert reasons("positives-only", "separates", values) == [
        "The sweep switches no run mid-run, so it cannot tell whether this is usual."]
    # A switch's target is no setting while nothing switches.
    assert where_it_holds.changed_settings(defaults() | {"switch_to": "hard"}) == {}


def test_warnings_before_a_run_only_where_the_sweep_mostly_failed(small_table):
    assert warnings({"uniform": "separates"}, defaults()) == []
    (note,) = warnings({"uniform": "separates", "positives-only": "folds"},
                       defaults() | {"l2": 0.1})
    # On none of the seeds: the lesson did not hold there (not "unreliable").
    assert note == ("In the sweep at l2 0.1 with 6 groups, uniform separated on 0 of 10 seeds: "
                    "the lesson did not hold there, and may not hold here.")


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


def test_one_setting_the_sweep_did_not_measure_is_named_not_called_settings_together(small_table):
    """A review's link, /?learning_rate=0.0001: "did not measure this view's
    settings together" of one setting."""
    (reason,) = reasons("uniform", "separates", defaults() | {"k": 5})
    assert reason == ("The sweep did not measure this view's k 5; near it, with 6 groups, "
                      "uniform separated on 10 of 10 seeds at the default settings; 9 of 10 "
                      "seeds at k 3 (the nearest measured to k 5 on its side of the default).")
