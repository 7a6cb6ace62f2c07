"""``python -m recdemo`` as a user runs it: in a subprocess, from the repo root.

Starting Python and importing numpy/scipy costs ~2 s per run, so every run
below is started at once, in parallel, and the tests read their outputs.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from recdemo.claims import losses_left_out
from recdemo.cli import build_parser, format_cost_table, main
from recdemo.params import PARAMS, STRATEGIES
from recdemo.references import References, random_metrics
from recdemo.step_cost import StepCost
from recdemo.verdicts import VERDICTS, verdict

REPO_ROOT = Path(__file__).resolve().parent.parent
FAST_DATA = ["--queries-per-group", "20", "--items-per-group", "10", "--groups", "3"]
FAST = ["--epochs", "2", *FAST_DATA]
SUMMARY_KEYS = {"strategy", "spurious_at_k", "within_group_recall_at_k", "cross_group_auc",
                "silhouette", "final_loss", "train_seconds", "cpu_seconds", "k", "verdict"}
TABLE_STRATEGIES = ["full", "uniform", "in-group"]

# A bad value, and the parameter its error message must name.
BAD_VALUES = {
    "leak": ["compare", "--leak", "2"],
    "groups": ["compare", "--groups", "x"],
    "strategies": ["compare", "--strategies", "full,foo"],
    "k": ["compare", "--k", "0"],
    "strategy": ["train", "--strategy", "foo"],
    "unobserved_weight": ["mf", "--unobserved-weight", "1.5"],
    "cold_start": ["mf", "--cold-start", "guess"],
    "mf_dim": ["mf", "--mf-dim", "1"],
}
RUNS = {
    "compare": ["compare", "--json", *FAST],
    "compare two": ["compare", "--json", "--strategies", "full,uniform", *FAST],
    "train hard": ["train", "--strategy", "hard", "--json", *FAST],
    "table": ["compare", "--strategies", ",".join(TABLE_STRATEGIES), *FAST],
    "diverged": ["compare", "--learning-rate", "10", *FAST],
    "mf": ["mf", "--json", "--mf-dim", "3", *FAST_DATA],
    "mf table": ["mf", "--cold-start", "average", *FAST_DATA],
    "compare wals": ["compare", "--json", "--strategies", "uniform,wals", "--mf-dim", "3",
                     *FAST],
    **{f"bad {name}": args for name, args in BAD_VALUES.items()},
}
# In-batch and mixed negatives, and a switch mid-run.
RUNS |= {
    "train in-batch": ["train", "--strategy", "in-batch", "--json", *FAST],
    "train mixed": ["train", "--strategy", "mixed", "--json", *FAST],
    "compare batch": ["compare", "--strategies", "in-batch,mixed,uniform", "--json", *FAST],
    "switched": ["train", "--strategy", "positives-only", "--switch-at", "1", "--switch-to",
                 "uniform", "--json", *FAST],
    "bad switch_at": ["train", "--switch-at", "2", *FAST],  # FAST trains 2 epochs
}


@pytest.fixture(scope="module")
def runs():
    """name -> CompletedProcess of every run in RUNS, each a process as a user
    runs it (the tests that read them are marked slow)."""
    started = {
        name: subprocess.Popen([sys.executable, "-m", "recdemo", *args], cwd=REPO_ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for name, args in RUNS.items()
    }
    finished = {}
    for name, process in started.items():
        stdout, stderr = process.communicate(timeout=120)
        finished[name] = subprocess.CompletedProcess(process.args, process.returncode,
                                                     stdout, stderr)
    return finished


def succeeded(run):
    assert run.returncode == 0, run.stderr
    return run.stdout


def assert_is_summary(row):
    assert set(row) == SUMMARY_KEYS
    assert row["k"] == 10
    assert all(isinstance(row[key], float | int) for key in SUMMARY_KEYS - {"strategy", "verdict"})
    assert row["verdict"] in VERDICTS


def trained_rows(run) -> list[dict]:
    """The JSON rows of the runs, after checking the last two: the oracle and a
    random ranking, with the ranking metrics and no verdict (the rule measures
    the runs against them), embeddings, loss or time."""
    *rows, oracle, chance = json.loads(succeeded(run))
    for reference, name in ((oracle, "oracle"), (chance, "random ranking")):
        assert set(reference) == SUMMARY_KEYS and reference["strategy"] == name
        assert [reference[key] for key in ("verdict", "silhouette", "final_loss",
                                           "train_seconds", "cpu_seconds")] == [None] * 5
        assert 0.0 <= reference["spurious_at_k"] <= 1.0 and reference["k"] == rows[0]["k"]
    assert chance["cross_group_auc"] == 0.5
    return rows


@pytest.mark.slow
def test_compare_json_has_one_summary_per_strategy(runs):
    rows = trained_rows(runs["compare"])
    assert [row["strategy"] for row in rows] == list(STRATEGIES)
    for row in rows:
        assert_is_summary(row)


@pytest.mark.slow
def test_each_rows_verdict_is_the_rule_on_its_numbers_and_the_oracle_row(runs):
    *rows, oracle, _ = json.loads(succeeded(runs["compare"]))
    groups, items = (int(FAST_DATA[FAST_DATA.index(f"--{name}") + 1])
                     for name in ("groups", "items-per-group"))
    refs = References(oracle, random_metrics(groups, items, oracle["k"]), oracle["k"], items,
                      groups)
    assert [row["verdict"] for row in rows] == [verdict(row, refs) for row in rows]


@pytest.mark.slow
def test_compare_only_the_strategies_asked_for(runs):
    rows = trained_rows(runs["compare two"])
    assert [row["strategy"] for row in rows] == ["full", "uniform"]


@pytest.mark.slow
def test_train_json_is_one_summary(runs):
    (row,) = trained_rows(runs["train hard"])
    assert_is_summary(row)
    assert row["strategy"] == "hard"


@pytest.mark.slow
def test_table_has_a_header_then_one_line_per_strategy(runs):
    header, rule, *rows = succeeded(runs["table"]).strip().splitlines()
    assert header.split()[:3] == ["strategy", "verdict", "spurious@10"]
    assert set(rule.replace(" ", "")) == {"-"}
    assert [row.split()[0] for row in rows] == [*TABLE_STRATEGIES, "oracle", "random"]
    assert [row.split()[2 if row.startswith("random") else 1] for row in rows[-2:]] == ["-", "-"]


def without_time(row):
    return {key: value for key, value in row.items() if key not in ("train_seconds",
                                                                    "cpu_seconds")}


@pytest.mark.slow
def test_mf_json_is_one_summary_of_wals(runs):
    (row,) = trained_rows(runs["mf"])
    assert_is_summary(row)
    assert row["strategy"] == "wals"


@pytest.mark.slow
def test_mf_table_is_one_line(runs):
    header, _, *rows = succeeded(runs["mf table"]).strip().splitlines()
    assert header.split()[:3] == ["strategy", "verdict", "spurious@10"]
    assert [row.split()[0] for row in rows] == ["wals", "oracle", "random"]
    assert "final loss" in header, "one run: its loss"


@pytest.mark.slow
def test_compare_with_wals_has_mfs_row_and_scores_all_alike(runs):
    uniform, wals = trained_rows(runs["compare wals"])
    assert (uniform["strategy"], wals["strategy"]) == ("uniform", "wals")
    assert without_time(wals) == without_time(trained_rows(runs["mf"])[0])
    # Scored on MF's held-out positives: only within-group recall depends on positives.
    alone = trained_rows(runs["compare two"])[1]
    assert without_time(uniform) == without_time(alone) | {
        "within_group_recall_at_k": uniform["within_group_recall_at_k"]}


def assert_one_line_error(run, phrase):
    assert run.stdout == ""
    assert "Traceback" not in run.stderr
    assert len(run.stderr.splitlines()) == 1, run.stderr
    assert phrase in run.stderr


@pytest.mark.slow
@pytest.mark.parametrize("name", BAD_VALUES)
def test_bad_value_exits_2_with_one_line_naming_the_parameter(runs, name):
    run = runs[f"bad {name}"]
    assert run.returncode == 2
    assert_one_line_error(run, f"{name} must be")


@pytest.mark.slow
def test_divergence_exits_nonzero_naming_learning_rate(runs):
    run = runs["diverged"]
    assert run.returncode != 0
    assert_one_line_error(run, "lower learning_rate")
    assert "diverged" in run.stderr


# Refused before any training: these run in this process, not a subprocess.
@pytest.mark.parametrize("args, phrase", [
    (["compare", "--grou", "3"], "unrecognized arguments: --grou"),  # no abbreviations
    (["compare", "--strat", "full"], "unrecognized arguments: --strat"),
    (["train", "--learning", "0.1"], "unrecognized arguments: --learning"),
    (["compare", "--he"], "unrecognized arguments: --he"),  # not --help
    (["--he"], "the following arguments are required: command"),
    (["compare", "--groups", "1_0"], "groups must be an integer from 2 to 8; got '1_0'"),
    (["compare", "--groups", "٣"], "got '٣'"),
    (["compare", "--groups", "099"], "got '099'"),  # the text given, not the number read
    (["train", "--learning-rate", "nan"], "learning_rate must be a number"),
    (["train", "--seed", "9" * 5000], "got '999"),
    (["mf", "--strategy", "hard"], "unrecognized arguments: --strategy"),  # mf trains wals
    # --dim is the softmax's dimension (compare, train, cost); MF's is --mf-dim only
    (["mf", "--dim", "16"], "unrecognized arguments: --dim"),
])
def test_a_refused_command_line_says_what_it_got(capsys, args, phrase):
    with pytest.raises(SystemExit) as exit_:
        main(args)
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and phrase in err, err
    assert len(err) < 300, "a long value is shortened"


def test_a_finished_run_with_a_value_known_to_fail_is_cautioned(capsys):
    assert main(["train", "--learning-rate", "0.5", *FAST]) == 0
    err = capsys.readouterr().err.splitlines()
    warning = f"python -m recdemo: warning: {PARAMS['learning_rate'].caution(0.5)}"
    assert [line for line in err if "warning" in line] == [warning]


def test_the_table_leaves_out_what_tells_no_ranking_apart_and_says_why(capsys):
    """A review's command (compare --items-per-group 10 --k 12): every row,
    the oracle's too, had within-recall@12 1.000, which any ranking scores
    where k covers a group; the pages leave it out and say why."""
    assert main(["compare", "--strategies", "in-group,uniform", "--k", "12", *FAST]) == 0
    out, err = capsys.readouterr()
    header, _, *rows = out.replace("random ranking", "random-ranking").strip().splitlines()
    recall = header.split().index("within-recall@12")
    assert [row.split()[recall] for row in rows] == ["-"] * 4
    assert "python -m recdemo: note: Within-group recall@12 is left out: a group has only " \
           "10 items" in err
    assert main(["compare", "--strategies", "uniform", "--k", "3", *FAST]) == 0
    out = capsys.readouterr().out.replace("random ranking", "random-ranking")
    header, _, *rows = out.strip().splitlines()
    assert all(row.split()[recall] != "-" for row in rows)


def test_the_table_gives_no_verdict_where_no_run_can_have_one(capsys):
    """A review's command (mf --groups 2 --items-per-group 10 --k 25): every
    ranking recommends all 20 items, and the table said wals and the oracle
    "neither"; the pages say "no verdict at k = 30", and why."""
    assert main(["mf", "--k", "30", *FAST_DATA]) == 0  # 30 items in all
    out, err = capsys.readouterr()
    header, _, *rows = out.strip().splitlines()
    assert [row.split()[:2] for row in rows] == [["wals", "-"], ["oracle", "-"],
                                                 ["random", "ranking"]]
    assert "python -m recdemo: note: At k = 30 no run can fold or separate" in err
    assert main(["mf", "--k", "30", "--json", *FAST_DATA]) == 0  # and no "neither" in JSON
    assert [row["verdict"] for row in json.loads(capsys.readouterr().out)] == [None] * 3


def test_compares_table_leaves_out_losses_that_measure_different_things(capsys):
    """A review's command (compare): positives-only's final loss 0.005, a
    sigmoid loss, beside softmax losses of 2 to 4, in one column. A later
    review: the note named positives-only where it was not run."""
    assert main(["compare", "--strategies", "positives-only,uniform", *FAST]) == 0
    out, err = capsys.readouterr()
    assert "final loss" not in out.splitlines()[0]
    assert ("python -m recdemo: note: The training losses are left out: each run's is over "
            "its own candidates (positives-only's a sigmoid loss), so they measure different "
            "things (--json gives each).") in err
    assert losses_left_out(["wals", "in-group", "uniform"]) == (
        "The training losses are left out: each run's is over its own candidates (wals's a "
        "squared error), so they measure different things.")
    assert "(" not in losses_left_out(["hard", "uniform"]).split("candidates")[1][:3]


@pytest.mark.slow
def test_in_batch_and_mixed_train_and_compare(runs):
    for name, strategy in (("train in-batch", "in-batch"), ("train mixed", "mixed")):
        (row,) = trained_rows(runs[name])
        assert_is_summary(row)
        assert row["strategy"] == strategy
    rows = trained_rows(runs["compare batch"])
    assert [row["strategy"] for row in rows] == ["in-batch", "mixed", "uniform"]


@pytest.mark.slow
def test_a_switched_run_says_so(runs):
    (row,) = trained_rows(runs["switched"])
    assert row["strategy"] == "positives-only, then uniform after epoch 1"


@pytest.mark.slow
def test_a_switch_after_the_last_epoch_exits_2_naming_switch_at(runs):
    run = runs["bad switch_at"]
    assert run.returncode == 2
    assert_one_line_error(run, "switch_at must be 0 (no switch) or less than epochs (2)")


def test_the_help_reads_as_plain_text(capsys):
    """The top-level help is the module docstring's first line, without its
    reStructuredText code marks."""
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "Command line: python -m recdemo compare, ... train" in out and "``" not in out


def test_a_help_line_has_one_parenthesis_and_its_default_as_written(capsys):
    """A review: "--popularity-skew ... (0 = flat) (a number from 0 to 2; default
    0.0)", two parentheses in a row, and 0.0 where other defaults read 0.05, 10."""
    with pytest.raises(SystemExit):
        main(["mf", "--help"])
    out = " ".join(capsys.readouterr().out.split())  # as one line, however wrapped
    assert "inside a group, 0 for flat (a number from 0 to 2; default 0)" in out
    assert ") (" not in out and ".0)" not in out


def test_the_cost_table_shows_no_nonzero_amount_as_zero():
    """A review: ``cost --items 100 --dim 2 --batch-size 32 --negatives 1``
    printed GFLOP 0.000 and MiB 0.0 for a step's few kilobytes."""
    small = StepCost("uniform", 100, 4e-4, 4e-4, 3e-4, 5e-4, peak_bytes=100_000,
                     state_bytes=27_000, flops=80_100)
    cells = format_cost_table([small]).splitlines()[2].split()
    assert cells[-3:] == ["0.0257", "0.0696", "0.0000801"]


def test_the_cost_table_gives_each_median_with_its_spread():
    """A review (``cost --items 1000,10000``): one number a cell, no word of a
    median or a spread, where the Why sample? page gives both."""
    cell = StepCost("uniform", 1000, 1.1e-3, 0.973e-3, 0.921e-3, 1.25e-3, peak_bytes=2_000_000,
                    state_bytes=1_000_000, flops=10**6)
    header, _, row = format_cost_table([cell]).splitlines()
    assert "median wall ms" in header and "median CPU ms" in header and "CPU ms spread" in header
    assert row.split()[2:5] == ["1.10", "0.97", "0.921-1.25"]
    assert cell.as_dict()["step_bytes"] == 1_000_000


@pytest.mark.parametrize("command", ["compare", "cost"])
def test_a_strategy_named_twice_is_one_row(command):
    """``--strategies wals,wals`` trained wals twice and printed two identical
    rows; cost's table read the second uniform row's time as uniform's. The
    first of each name is kept, in order."""
    strategy = "wals" if command == "compare" else "hard"
    args = build_parser().parse_args([command, "--strategies", f"{strategy},uniform,{strategy}"])
    assert list(args.strategies) == [strategy, "uniform"]


def test_cost_times_a_strategy_named_twice_once(capsys):
    assert main(["cost", "--strategies", "uniform,full,uniform", "--items", "100",
                 "--repeats", "1"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    rows = [row.split() for row in lines[2:]]
    assert [row[1] for row in rows] == ["uniform", "full"]
    assert rows[0][5] == "1.0", "uniform's time over its own"
    # Memory as the Why sample? page gives it: what every strategy keeps (the
    # item table, alike) and the step's own (full's scores of every item).
    assert " ".join(lines[0].split()).endswith("x uniform kept MiB step MiB GFLOP")
    assert "peak" not in lines[0]
    assert all(float(row[7]) > 0 and float(row[8]) > 0 for row in rows)
