"""Time training: every strategy on the default data, then full vs uniform as the corpus grows.

    .venv/bin/python scripts/benchmark_train.py [--repeats 5]

Prints Markdown tables (for docs/performance.md) and the machine they were measured on.
"train() seconds" are ``TrainResult.train_seconds``: the whole call, including
the metrics measured on the test queries after every epoch, as the app sees it.
Those metrics (an n x n silhouette) grow with the corpus too, so the second
table also times the gradient steps alone: one epoch of sampling candidates
and computing the loss and its gradients, the part the full softmax makes O(n).
The data is generated once per row, outside the timing. Like the app's
training workers, the benchmark uses one BLAS thread.
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import time
from contextlib import contextmanager

import numpy as np

from harness.report import machine_line, markdown_table
from recdemo.data import DataConfig, make_dataset
from recdemo.model import init_params, loss_and_grads, query_tower
from recdemo.params import PARAMS, STRATEGIES
from recdemo.samplers import Batch, make_sampler
from recdemo.train import TrainConfig, one_blas_thread, train

SCALING_ITEMS_PER_GROUP = (40, 160, 640)
SCALING_EPOCHS = 3


def seconds(dataset, config: TrainConfig, repeats: int) -> list[float]:
    return [train(dataset, config).train_seconds for _ in range(repeats)]


def gradient_epoch_seconds(dataset, config: TrainConfig) -> float:
    """One epoch of what each training step computes (candidates, loss, gradients),
    at the initial weights, without the optimizer update or the metrics."""
    rng = np.random.default_rng(config.seed)
    queries = dataset.train
    _, params = init_params(queries.features.shape[1], dataset.n_items, config.dim,
                            config.hidden, rng)
    sampler = make_sampler(config.strategy, config.negatives, dataset, config.temperature,
                           config.logq_correction)
    start = time.perf_counter()
    for first in range(0, len(queries), config.batch_size):
        rows = slice(first, first + config.batch_size)
        batch = Batch(queries.positives[rows], queries.weights[rows], queries.groups[rows])
        tower = query_tower(params, queries.features[rows])
        candidates = sampler(batch, tower[0], params["V"], rng)
        loss_and_grads(params, queries.features[rows], candidates, config.gravity, config.l2,
                       tower)
    return time.perf_counter() - start


def strategies_table(repeats: int) -> str:
    dataset = make_dataset(DataConfig())
    epochs = TrainConfig().epochs
    rows = []
    for strategy in STRATEGIES:
        times = seconds(dataset, TrainConfig(strategy=strategy), repeats)
        median = statistics.median(times)
        rows.append([strategy, f"{median:.3f}", f"{min(times):.3f}", f"{median / epochs:.4f}"])
    return markdown_table(["strategy", "median seconds", "min seconds", "seconds per epoch"],
                          rows)


@contextmanager
def items_per_group_up_to(high: int):
    """The app caps items_per_group to stay interactive; the benchmark goes past
    the cap to show how the full softmax's cost grows with the corpus."""
    original = PARAMS["items_per_group"]
    PARAMS["items_per_group"] = dataclasses.replace(original, high=max(high, original.high))
    try:
        yield
    finally:
        PARAMS["items_per_group"] = original


def scaling_table(repeats: int) -> str:
    rows = []
    with items_per_group_up_to(max(SCALING_ITEMS_PER_GROUP)):
        for per_group in SCALING_ITEMS_PER_GROUP:
            dataset = make_dataset(DataConfig(items_per_group=per_group))
            row = [str(per_group), str(dataset.n_items)]
            steps = []
            for strategy in ("full", "uniform"):
                config = TrainConfig(strategy=strategy, epochs=SCALING_EPOCHS)
                row.append(f"{statistics.median(seconds(dataset, config, repeats)):.3f}")
                steps.append(statistics.median(
                    gradient_epoch_seconds(dataset, config) for _ in range(repeats)))
            full_steps, uniform_steps = steps
            rows.append(row + [f"{1000 * full_steps:.1f}", f"{1000 * uniform_steps:.1f}",
                               f"{full_steps / uniform_steps:.1f}"])
    return markdown_table(["items per group", "items", "full: train() seconds",
                           "uniform: train() seconds", "full: ms per epoch of steps",
                           "uniform: ms per epoch of steps", "full / uniform (steps)"], rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="trainings per cell (default 5)")
    args = parser.parse_args()
    if args.repeats < 1:
        parser.error("--repeats must be at least 1")
    one_blas_thread()
    data, config = DataConfig(), TrainConfig()
    print(f"## Training time per strategy ({args.repeats} runs each)\n")
    print(f"Default data: {data.groups} groups x {data.items_per_group} items, "
          f"{data.queries_per_group} training queries per group; dim {config.dim}, "
          f"{config.epochs} epochs, batch {config.batch_size}, {config.negatives} negatives.\n")
    print(strategies_table(args.repeats))
    print(f"\n## Full softmax vs uniform sampling as the corpus grows "
          f"({data.groups} groups, {SCALING_EPOCHS} epochs, median of {args.repeats})\n")
    print(scaling_table(args.repeats))
    print(f"\n{machine_line()}")


if __name__ == "__main__":
    main()
