"""Which learning rates train? Every strategy, three data sizes, three seeds.

    .venv/bin/python scripts/learning_rates.py [--seeds 3]

Prints a Markdown table (docs/metrics.md reports what it found): for each
learning rate and strategy, how many runs diverged and the range of the
final cross-group AUC of the rest (0.5 is chance: the groups are not told
apart). positives-only and in-group
fold by design (their AUC stays low at any rate); the other six separate the
groups when training works. This measurement sets ``works_up_to`` of
learning_rate in recdemo/params.py, and tests/test_train.py checks its claim.
"""

from __future__ import annotations

import argparse
import itertools

from recdemo.data import DataConfig, make_dataset
from recdemo.params import STRATEGIES
from recdemo.train import TrainConfig, TrainingDiverged, one_blas_thread, train

RATES = (1e-4, 1e-3, 0.01, 0.03, 0.1, 0.2, 0.3, 0.5, 1.0, 1.5, 2.0, 3.0, 10.0)
DATA = ({}, {"groups": 2}, {"groups": 8, "items_per_group": 10, "queries_per_group": 50})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], allow_abbrev=False)
    parser.add_argument("--seeds", type=int, default=3, help="data and training seeds per size")
    args = parser.parse_args()
    one_blas_thread()
    datasets = [make_dataset(DataConfig(seed=seed, **changes))
                for changes, seed in itertools.product(DATA, range(args.seeds))]
    print(f"{len(datasets)} datasets (3 sizes x {args.seeds} seeds), default training settings; "
          "each cell: diverged runs, then the final cross-group AUC of the others (min-max)\n")
    print("| learning_rate | " + " | ".join(STRATEGIES) + " |")
    print("|---" * (len(STRATEGIES) + 1) + "|")
    for rate in RATES:
        cells = []
        for strategy in STRATEGIES:
            aucs, diverged = [], 0
            for data in datasets:
                config = TrainConfig(strategy=strategy, learning_rate=rate, seed=data.config.seed)
                try:
                    aucs.append(train(data, config).final_metrics["cross_group_auc"])
                except TrainingDiverged:
                    diverged += 1
            spread = f"{min(aucs):.2f}-{max(aucs):.2f}" if aucs else "-"
            cells.append(f"{diverged}/{len(datasets)} diverged, {spread}" if diverged else spread)
        print(f"| {rate:g} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
