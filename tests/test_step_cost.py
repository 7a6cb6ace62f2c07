"""The measurement of recdemo/step_cost.py and ``python -m recdemo cost``:
one cell per strategy and size, FLOPs by hand, and bad sizes refused with a
message naming the option. Nothing here asserts a time.
"""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from recdemo.cli import build_parser, main
from recdemo.data import FEATURES
from recdemo.params import COST_STRATEGIES, PARAMS
from recdemo.step_cost import ITEM_FLOPS, TOWER_FLOPS, CostConfig, flops_text, measure, step_flops

REPO_ROOT = Path(__file__).resolve().parent.parent

def test_measure_gives_one_cell_per_strategy_and_size_with_progress():
    config = CostConfig(corpus_sizes=(300, 100), repeats=1, dim=8, batch_size=32, negatives=5)
    progress = []
    costs = measure(config, on_cell=lambda done, total, cost: progress.append((done, total)))
    assert [(c.n_items, c.strategy) for c in costs] == [
        (n_items, strategy) for n_items in (100, 300) for strategy in COST_STRATEGIES]
    cells = 2 * len(COST_STRATEGIES)
    assert progress == [(i, cells) for i in range(1, cells + 1)]
    for cost in costs:
        assert cost.step_seconds > 0 and cost.cpu_seconds > 0
        assert cost.peak_bytes >= cost.state_bytes >= 3 * cost.n_items * 8 * 4  # V, m, v
    # Each cell counts its own step (d = 8, B = 32, K = 5), by hand: the full
    # step grows by 8 B d per item, 200 more items here; a uniform step does
    # not grow with the corpus, and costs 6 B (P + K) d beyond the tower.
    flops = {(c.strategy, c.n_items): c.flops for c in costs}
    assert flops["full", 300] - flops["full", 100] == 8 * 32 * 200 * 8
    assert flops["uniform", 300] == flops["uniform", 100]
    tower = 2 * 32 * (2 * 16 * 32 + 3 * 32 * 8)  # 16 features, 32 hidden units
    assert flops["uniform", 100] == tower + 6 * 32 * (5 + 5) * 8


def test_a_steps_own_memory_is_apart_from_the_table_every_strategy_keeps():
    """The Why sample? page's memory columns: what is kept between steps (the
    item table with Adam's state, 3 n d float32 numbers, for every strategy)
    and the step's own peak beyond it. Ten times the items: the kept memory
    grows with the table, each step's own by less than a tenth of that (a
    sampled step's by the few more distinct candidates; the full step works
    in chunks), and stays below the kept memory at 100,000 items. (Peak memory
    alone, the table included, read as if uniform cost full's memory.)"""
    costs = measure(CostConfig(corpus_sizes=(10_000, 100_000), repeats=1))
    cells = {(c.strategy, c.n_items): c for c in costs}
    for strategy in COST_STRATEGIES:
        small, large = cells[strategy, 10_000], cells[strategy, 100_000]
        for cost in small, large:
            assert cost.step_bytes == cost.peak_bytes - cost.state_bytes > 0
            assert cost.state_bytes >= 3 * cost.n_items * 32 * 4  # V, m, v in float32
        table_growth = 3 * 90_000 * 32 * 4
        assert large.state_bytes - small.state_bytes >= 0.99 * table_growth
        assert large.step_bytes - small.step_bytes < table_growth / 10, strategy
        assert large.step_bytes < large.state_bytes, strategy


def test_step_flops_by_hand():
    # Tower (16 features, 32 hidden, d = 2, B = 1): 2 (2 * 16 * 32 + 3 * 32 * 2) = 2432.
    # Full, n = 100: 8 * 100 * 2 + 2 * 5 * 2 = 1620. Uniform, C = 5 + 3: 6 * 8 * 2 = 96.
    # Hard adds its pool of min(100, 512) items: 2 * 100 * 2 = 400.
    assert step_flops("full", 100, 2, 1, 3, hidden=32) == 2432 + 1620
    assert step_flops("uniform", 100, 2, 1, 3, hidden=32) == 2432 + 96
    assert step_flops("hard", 100, 2, 1, 3, hidden=32) == 2432 + 96 + 400
    assert step_flops("hard", 10**6, 2, 1, 3, hidden=32) == 2432 + 96 + 2 * 512 * 2
    # In-batch, B = 4: the batch's B P = 20 positives at most, whatever n; 6 * 4 * 20 * 2.
    tower_4 = 4 * 2432
    assert step_flops("in-batch", 100, 2, 4, 3, hidden=32) == tower_4 + 960
    assert step_flops("in-batch", 10**6, 2, 4, 3, hidden=32) == tower_4 + 960
    assert step_flops("in-batch", 10, 2, 4, 3, hidden=32) == tower_4 + 6 * 4 * 10 * 2


def formula_value(formula: str, **symbols: int) -> int:
    """A formula as the page writes it, evaluated: ``2B\\min(n, 512)d + 6B(P + K)d``
    with B, n, d, P, K given; side by side is a product, as a student reads it."""
    tokens = re.findall(r"\\min|\d+|[A-Za-z]|[()+,]", formula)
    assert "".join(tokens) == formula.replace(" ", ""), f"not a formula: {formula}"
    python = ""
    for before, token in zip([None, *tokens[:-1]], tokens, strict=True):
        if before and re.fullmatch(r"\d+|[A-Za-z)]", before) and re.fullmatch(
                r"\\min|[A-Za-z(]|\d+", token):
            python += "*"
        python += "min" if token == "\\min" else token
    return eval(python, {"__builtins__": {}, "min": min}, symbols)


@pytest.mark.parametrize("strategy", COST_STRATEGIES)
@pytest.mark.parametrize("dim, batch_size, negatives", [(32, 256, 20), (2, 32, 1), (8, 64, 50)])
def test_the_captions_formula_counts_what_step_flops_counts(strategy, dim, batch_size, negatives):
    """The Why sample? page's caption writes each strategy's GFLOP as the
    tower's formula plus its own (step_cost.ITEM_FLOPS): evaluated, they give
    step_flops at every corpus size, on both sides of hard's pool and of
    in-batch's B P positives."""
    assert set(ITEM_FLOPS) == set(COST_STRATEGIES)
    formula = f"{TOWER_FLOPS} + {ITEM_FLOPS[strategy][1]}"
    for n_items in (100, 511, 512, 513, 1_000, 10_000, 1_000_000):
        assert formula_value(formula, B=batch_size, d=dim, n=n_items, K=negatives,
                             P=PARAMS["positives"].default, F=FEATURES,
                             h=PARAMS["hidden"].default) == step_flops(
            strategy, n_items, dim, batch_size, negatives), (strategy, n_items)


def test_the_flops_text_names_each_strategy_once_with_its_formula():
    text = flops_text(CostConfig(strategies=("hard", "uniform", "popularity"), negatives=1))
    assert "$K$ = 1 negative per query" in text
    assert text.count("**uniform**, **popularity**: ") == 1  # one formula, named together
    for strategy in ("hard", "uniform"):
        assert f"${ITEM_FLOPS[strategy][1]}$" in text
    assert "**full**" not in text and "**in-batch**" not in text


@pytest.mark.parametrize("field, value, phrase", [
    ("corpus_sizes", (0,), "n_items must be an integer from 100 to 1000000"),
    ("corpus_sizes", (), "corpus_sizes must list"),
    ("dim", 64, "dim must be an integer from 2 to 32"),
    ("batch_size", 1.5, "batch_size must be an integer"),
    ("strategies", ("positives-only",), "strategies must be"),
    ("seed", -1, "seed must be"),
])
def test_cost_config_names_the_bad_setting(field, value, phrase):
    with pytest.raises(ValueError, match=phrase):
        CostConfig(**{field: value})


BAD_OPTIONS = [
    ("--items", "0", "items"), ("--items", "-5", "items"), ("--items", "1.5", "items"),
    ("--items", "1000001", "items"), ("--items", "100,abc", "items"), ("--items", ",", "items"),
    ("--dim", "0", "dim"), ("--dim", "33", "dim"), ("--batch", "0", "batch_size"),
    ("--batch-size", "513", "batch_size"), ("--negatives", "0", "negatives"),
    ("--negatives", "51", "negatives"), ("--repeats", "0", "repeats"),
    ("--strategies", "full,foo", "strategies"), ("--strategies", "in-group", "strategies"),
]


@pytest.mark.parametrize("option, value, name", BAD_OPTIONS)
def test_bad_cost_option_exits_2_with_one_line_naming_it(option, value, name, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["cost", option, value])
    assert exit_.value.code == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert len(err.splitlines()) == 1, err
    assert f"argument {option}" in err and f": {name} must be" in err


@pytest.mark.parametrize("text", ["١٠٠٠", "1_000", "٣", "１０００", "1e3", "1000.0", "+1000",
                                  " 1000 ", "1000", "0x3e8"])
def test_cost_reads_a_number_as_train_reads_one(text, capsys):
    """One grammar (recdemo/params.py) for every command's numbers: cost's
    corpus sizes are refused exactly when train refuses the same text for its seed."""
    def accepted(argv) -> bool:
        try:
            build_parser().parse_args(argv)
        except SystemExit:
            return False
        return True

    by_cost = accepted(["cost", "--items", text])
    assert by_cost == accepted(["train", "--seed", text])
    assert by_cost == (text.strip() == "1000"), "ASCII digits only, spaces around ignored"
    if not by_cost:
        assert f"got '{text}'" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [
    ["cost", "--items", "1000", "--items", "2000"],
    ["cost", "--dim", "8", "--dim", "8"],
    ["cost", "--batch", "64", "--batch-size", "64"],  # one option under two names
    ["cost", "--strategies", "full", "--strategies", "uniform"],
    ["train", "--seed", "1", "--seed", "2"],
    ["compare", "--strategies", "full", "--strategies", "uniform"],
    ["mf", "--mf-dim", "3", "--mf-dim", "4"],
])
def test_an_option_given_twice_is_refused_as_a_link_parameter_is(argv, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "must be given once" in err, err


def test_cost_options_are_not_abbreviated(capsys):
    with pytest.raises(SystemExit):
        main(["cost", "--item", "1000"])
    assert "unrecognized arguments: --item" in capsys.readouterr().err


def test_cost_table_has_one_line_per_cell(capsys):
    assert main(["cost", "--items", "200,100", "--repeats", "1",
                 "--strategies", "full,uniform"]) == 0
    header, rule, *rows = capsys.readouterr().out.strip().splitlines()
    assert header.split() == ["items", "strategy", "median", "wall", "ms", "median", "CPU", "ms",
                              "CPU", "ms", "spread", "x", "uniform", "kept", "MiB", "step", "MiB",
                              "GFLOP"]
    assert set(rule.replace(" ", "")) == {"-"}
    assert [row.split()[:2] for row in rows] == [
        ["100", "full"], ["100", "uniform"], ["200", "full"], ["200", "uniform"]]
    assert [row.split()[5] for row in rows][1::2] == ["1.0", "1.0"]  # uniform over itself


def test_cost_json_as_a_user_runs_it():
    run = subprocess.run(
        [sys.executable, "-m", "recdemo", "cost", "--items", "100,1000", "--repeats", "1",
         "--json"], cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    rows = json.loads(run.stdout)
    assert len(rows) == 2 * len(COST_STRATEGIES)
    for row in rows:
        assert {"strategy", "items", "step_seconds", "peak_bytes", "flops"} <= set(row)
        assert isinstance(row["step_seconds"], float) and isinstance(row["peak_bytes"], int)
        assert row["items"] in (100, 1000) and row["strategy"] in COST_STRATEGIES
