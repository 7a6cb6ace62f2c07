"""Fit recdemo/work_cost.py's seconds per unit to measured CPU-seconds.

    .venv/bin/python scripts/fit_work_cost.py [--configs 24] [--seed 0]
        [--kinds MF,MF_COMPARISON,STEP_COST,REFERENCES]

Times random configurations of each kind of work the app gives its workers
(a matrix factorization run, the MF page's measurement, a cell of the Why
sample? page's measurement, in this process; the references, in a fresh
process each, harness/references_cost.py), with one BLAS thread as the
workers have, after a warm-up call of each kind. Fits each kind's terms
(work_cost.*_terms) by non-negative least squares on the relative error,
and prints the constants to put in recdemo/work_cost.py with how far the
fitted estimates fall from the measurements. The measurement's own training
(MF and uniform again) is priced by the MF and softmax estimates, so its
terms are fitted to what it costs beyond them. CPU-seconds, not wall-clock:
steadier on a shared machine, but not immune to it: note the load.
"""

from __future__ import annotations

import argparse
import functools
import os
import random
import time
from dataclasses import replace

import numpy as np
from scipy.optimize import nnls
from threadpoolctl import threadpool_limits

from harness.references_cost import references_cpu_seconds
from recdemo import work_cost
from recdemo.data import DataConfig, make_dataset
from recdemo.mf import MFConfig, train_mf
from recdemo.mf_comparison import measure
from recdemo.params import COST_STRATEGIES
from recdemo.step_cost import CostConfig, measure_step
from recdemo.train import TrainConfig, train


def cpu_seconds(function, *arguments) -> tuple[float, object]:
    start = time.process_time()
    result = function(*arguments)
    return time.process_time() - start, result


def random_data(rng: random.Random) -> DataConfig:
    items = rng.randint(10, 60)
    return DataConfig(groups=rng.randint(2, 8), items_per_group=items,
                      queries_per_group=rng.randint(10, 300),
                      test_queries_per_group=rng.randint(5, 50),
                      positives=rng.randint(1, min(10, items - 1)), seed=rng.randint(0, 99))


def random_mf(rng: random.Random, data: DataConfig) -> MFConfig:
    """A random MF run on ``data`` (by the average where a query brings nothing
    to fold in: one positive each)."""
    cold_start = rng.choice(("fold-in", "average")) if data.positives > 1 else "average"
    return MFConfig(mf_dim=rng.choice((2, 4, 8, 16, 32)), unobserved_weight=rng.random() / 4,
                    cold_start=cold_start, seed=data.seed)


def mf_rows(rng: random.Random, configs: int):
    for _ in range(configs):
        data = random_data(rng)
        config = random_mf(rng, data)
        seconds, _ = cpu_seconds(train_mf, make_dataset(data), config)
        yield work_cost.mf_terms(data, config), seconds


def comparison_rows(rng: random.Random, configs: int):
    for _ in range(configs):
        data = random_data(rng)
        dataset = make_dataset(data)
        mf = random_mf(rng, data)
        softmax = {strategy: TrainConfig(strategy=strategy, epochs=rng.randint(5, 40),
                                         dim=rng.choice((4, 16, 32)), seed=data.seed)
                   for strategy in ("uniform", "positives-only", "in-group")}
        runs = {name: train(dataset, config) for name, config in softmax.items()}
        mf_seconds, mf_run = cpu_seconds(train_mf, dataset, mf)
        uniform_seconds, _ = cpu_seconds(train, dataset, softmax["uniform"])
        observed = train_mf(dataset, replace(mf, unobserved_weight=0.0))
        seconds, _ = cpu_seconds(functools.partial(
            measure, mf=mf_run, observed_only=observed, positives_only=runs["positives-only"],
            uniform=runs["uniform"], in_group=runs["in-group"]), dataset)
        yield work_cost.comparison_terms(data, mf), max(seconds - mf_seconds - uniform_seconds,
                                                        1e-3)


def step_cost_rows(rng: random.Random, configs: int):
    for index in range(configs):
        strategy = COST_STRATEGIES[index % len(COST_STRATEGIES)]
        largest = 1_000_000 if strategy != "full" or index % 3 == 0 else 200_000
        n_items = int(10 ** rng.uniform(2, np.log10(largest)))
        config = CostConfig(corpus_sizes=(n_items,), strategies=(strategy,),
                            dim=rng.choice((8, 16, 32)), batch_size=rng.choice((64, 128, 256, 512)),
                            negatives=rng.choice((5, 20, 50)), repeats=rng.randint(1, 5))
        seconds, _ = cpu_seconds(measure_step, strategy, n_items, config)
        yield work_cost.step_cost_terms(strategy, n_items, config), seconds


def references_rows(rng: random.Random, configs: int):
    """The app's default data (at the default leak and a large one: every
    page asks for its references), its smallest, and ``configs`` random ones,
    each measured as a worker runs it (harness/references_cost.py)."""
    smallest = DataConfig(groups=2, items_per_group=10, queries_per_group=10,
                          test_queries_per_group=5, positives=1)
    fixed = [replace(DataConfig(), leak=leak) for leak in (0.05, 0.3)] + [smallest]
    for data in fixed + [replace(random_data(rng), leak=rng.choice((0.0, 0.05, 0.1, 0.3, 0.5)))
                         for _ in range(configs)]:
        yield work_cost.references_terms(data), references_cpu_seconds(data)


def fit(rows) -> tuple[np.ndarray, np.ndarray]:
    """Seconds per unit of each term (non-negative), minimizing the relative
    error; and the estimates over the measurements."""
    terms = np.array([row[0] for row in rows])
    measured = np.array([row[1] for row in rows])
    coefficients, _ = nnls(terms / measured[:, None], np.ones(len(measured)))
    return coefficients, terms @ coefficients / measured


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--configs", type=int, default=24, help="configurations of each kind")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--kinds", default="MF,MF_COMPARISON,STEP_COST,REFERENCES",
                        help="which kinds to fit, comma-separated")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    print(f"load average before: {os.getloadavg()[0]:.2f}", flush=True)
    kinds = {"MF_COEFFICIENTS": mf_rows, "MF_COMPARISON_COEFFICIENTS": comparison_rows,
             "STEP_COST_COEFFICIENTS": step_cost_rows, "REFERENCES_COEFFICIENTS": references_rows}
    with threadpool_limits(1):
        for name, rows in kinds.items():
            if name.removesuffix("_COEFFICIENTS") not in args.kinds.split(","):
                continue
            list(rows(random.Random(-1), 1))  # warm-up: imports, first calls
            coefficients, ratio = fit(list(rows(rng, args.configs)))
            print(f"{name} = ({', '.join(f'{c:.2g}' for c in coefficients)})")
            print(f"    estimate / measured: median {np.median(ratio):.2f}, "
                  f"from {ratio.min():.2f} to {ratio.max():.2f}; within 2x for "
                  f"{np.mean((ratio >= 0.5) & (ratio <= 2)):.0%} of {len(ratio)}", flush=True)
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
