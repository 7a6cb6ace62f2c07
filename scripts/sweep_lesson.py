"""Where the lesson holds: every strategy trained across settings, group counts and seeds.

    python scripts/sweep_lesson.py [--seeds 200-209] [--groups 2,3,4,5,6,7,8] [--out FILE]
        [--table FILE]

For each setting (one or two parameters away from the defaults), each group
count and each seed, trains every softmax strategy on the same data (for a
gravity setting, positives-only alone) and writes one JSON row per run: the
settings, the final metrics, the data's references (the oracle and a random
ranking) and the run's verdict against what the lesson expects of it
(recdemo/verdicts.py). ``--table`` then writes recdemo/where_it_holds.json,
which the pages read to say where a run does not do what the lesson says, and
why.
"""

from __future__ import annotations

import argparse
import datetime
import json
import multiprocessing
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor

from recdemo.data import DataConfig, make_dataset
from recdemo.metrics import cross_group_overlap
from recdemo.params import STRATEGIES
from recdemo.references import References, oracle_metrics, random_metrics
from recdemo.train import (
    TrainConfig,
    TrainingDiverged,
    gradient_steps,
    one_blas_thread,
    train,
)
from recdemo.verdicts import expected, verdict

SETTINGS = {
    "defaults": {},
    "10 items a group": {"items_per_group": 10},
    "25 items a group": {"items_per_group": 25},
    "10 queries a group": {"queries_per_group": 10},
    "40 queries a group": {"queries_per_group": 40},
    "120 queries a group": {"queries_per_group": 120},
    "10 items and 10 queries a group": {"items_per_group": 10, "queries_per_group": 10},
    "1 positive": {"positives": 1},
    "2 positives": {"positives": 2},
    "10 positives": {"positives": 10},
    "leak 0": {"leak": 0.0},
    "leak 0.08": {"leak": 0.08},
    "leak 0.15": {"leak": 0.15},
    "leak 0.3": {"leak": 0.3},
    "leak 0.5": {"leak": 0.5},
    "popularity skew 1": {"popularity_skew": 1.0},
    "popularity skew 2": {"popularity_skew": 2.0},
    "1 negative": {"negatives": 1},
    "50 negatives": {"negatives": 50},
    "temperature 0.05": {"temperature": 0.05},
    "temperature 0.2": {"temperature": 0.2},
    "temperature 5": {"temperature": 5.0},
    "no logQ correction": {"logq_correction": False},
    "dim 2": {"dim": 2},
    "dim 32": {"dim": 32},
    "hidden 4": {"hidden": 4},
    "3 epochs": {"epochs": 3},
    "6 epochs": {"epochs": 6},
    "40 epochs": {"epochs": 40},
    "batch size 32": {"batch_size": 32},
    "batch size 512": {"batch_size": 512},
    "learning rate 0.01": {"learning_rate": 0.01},
    "learning rate 0.03": {"learning_rate": 0.03},
    "learning rate 0.1": {"learning_rate": 0.1},
    "learning rate 0.3": {"learning_rate": 0.3},
    "l2 0": {"l2": 0.0},
    "l2 0.001": {"l2": 0.001},
    "l2 0.01": {"l2": 0.01},
    "l2 0.1": {"l2": 0.1},
    "k 3": {"k": 3},
    "k 30": {"k": 30},
    "k 50": {"k": 50},
    # positives-only only: what gravity does to it.
    "gravity 0.01": {"gravity": 0.01},
    "gravity 0.1": {"gravity": 0.1},
    "gravity 1": {"gravity": 1.0},
    "gravity 10": {"gravity": 10.0},
}


def run_case(case):
    """Every strategy on one (setting, groups, seed): a list of result rows."""
    setting, groups, seed = case
    overrides = {"groups": groups, "seed": seed, **SETTINGS[setting]}
    data_fields = {n: v for n, v in overrides.items() if n in DataConfig.__dataclass_fields__}
    train_fields = {n: v for n, v in overrides.items() if n in TrainConfig.__dataclass_fields__}
    data = make_dataset(DataConfig(**data_fields))
    k = train_fields.get("k", TrainConfig.k)
    base = {"setting": setting, "groups": groups, "seed": seed, **overrides,
            "oracle": oracle_metrics(data, k),
            "random": random_metrics(groups, data.config.items_per_group, k)}
    strategies = ["positives-only"] if "gravity" in train_fields else STRATEGIES
    rows = []
    for strategy in strategies:
        run = {"strategy": strategy}
        config = TrainConfig(**{**train_fields, **run})
        try:
            result = train(data, config)
        except TrainingDiverged:
            rows.append({**base, **run, "diverged": True})
            continue
        overlap = cross_group_overlap(result.top_k_snapshots[-1], data.test.groups)
        refs = References(base["oracle"], base["random"], k, data.config.items_per_group, groups)
        rows.append({**base, **run, "diverged": False, **result.final_metrics,
                     "verdict": verdict(result.final_metrics, refs), "expected": expected(config),
                     "cross_group_overlap": overlap,
                     "gradient_steps": gradient_steps(len(data.train), config.epochs,
                                                      config.batch_size)})
    return rows


def held_table(rows: list[dict], command: str) -> dict:
    """Per setting, group count and strategy: [runs that did what the lesson
    expects, runs], with what was swept and how."""
    held: dict = {}
    for row in rows:
        cell = held.setdefault(row["setting"], {}).setdefault(str(row["groups"]), {})
        counts = cell.setdefault(row["strategy"], [0, 0])
        counts[0] += int(not row["diverged"] and row["verdict"] == row["expected"])
        counts[1] += 1
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True).stdout.strip()
    return {"command": command, "date": datetime.date.today().isoformat(), "commit": commit,
            "seeds": sorted({row["seed"] for row in rows}),
            "settings": {name: SETTINGS[name] for name in held}, "held": held}


def table_json(table: dict) -> str:
    """The table as JSON with one line per setting: small, and a change to one
    setting's counts is one line of a diff."""
    def lines(mapping):
        return ",\n".join(f"  {json.dumps(key)}: {json.dumps(value, sort_keys=True)}"
                          for key, value in mapping.items())
    head = {key: table[key] for key in ("command", "date", "commit", "seeds")}
    return ("{\n" + lines(head) + ',\n "settings": {\n' + lines(table["settings"])
            + '\n },\n "held": {\n' + lines(table["held"]) + "\n }\n}\n")


def seeds(text: str) -> list[int]:
    low, _, high = text.partition("-")
    return list(range(int(low), int(high or low) + 1))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=seeds, default=seeds("200-209"))
    parser.add_argument("--groups", default="2,3,4,5,6,7,8")
    parser.add_argument("--settings", default=",".join(SETTINGS),
                        help="comma-separated names of SETTINGS")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", default="artifacts/sweep.json", help="every run's row")
    parser.add_argument("--table", help="also write the held-out table here "
                                        "(recdemo/where_it_holds.json)")
    args = parser.parse_args(argv)
    cases = [(setting, int(g), seed) for setting in args.settings.split(",")
             for g in args.groups.split(",") for seed in args.seeds]
    context = multiprocessing.get_context("forkserver")
    rows = []
    with ProcessPoolExecutor(args.workers, mp_context=context,
                             initializer=one_blas_thread) as pool:
        for index, case_rows in enumerate(pool.map(run_case, cases), start=1):
            rows += case_rows
            print(f"\r{index}/{len(cases)}", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    with open(args.out, "w") as out:
        json.dump(rows, out)
    if args.table:
        command = "python scripts/sweep_lesson.py " + " ".join(argv or sys.argv[1:])
        with open(args.table, "w") as out:
            out.write(table_json(held_table(rows, command)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
