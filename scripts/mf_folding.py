"""When does observed-only matrix factorization fold? By dimension, l2 and sweeps.

    .venv/bin/python scripts/mf_folding.py [--seeds 5]

Prints Markdown tables of spurious@k on the test queries (folded in, scored
on the positives the fold-in does not see), mean and range over seeds, for
w0 = 0 (observed-only) and the default w0:

1. by MF dimension and group count, as the app trains it (recdemo.mf.train_mf):
   the measurements behind the default ``mf_dim``;
2. by the l2 weight and the number of sweeps, at the default dimension,
   which recdemo/mf.py keeps as constants: what they would change.
"""

from __future__ import annotations

import argparse

import numpy as np

from harness.report import markdown_table
from recdemo.data import DataConfig, make_dataset
from recdemo.metrics import spurious_at_k
from recdemo.mf import L2, SWEEPS, MFConfig, cold_start_split, train_mf
from recdemo.train import one_blas_thread
from recdemo.wals import init_factors, interaction_matrix, solve_rows, sweep

DIMS = (2, 3, 4, 6, 8, 12, 16)
GROUPS = (2, 4, 6, 8)
L2_WEIGHTS = (0.01, 0.1, 1.0)
SWEEP_COUNTS = (5, 10, 20, 50)


def spread(values) -> str:
    return f"{np.mean(values):.2f} ({min(values):.2f}-{max(values):.2f})"


def by_dimension(seeds: int) -> str:
    default = MFConfig()
    rows = []
    for w0 in (0.0, default.unobserved_weight):
        for groups in GROUPS:
            row = [f"{w0:g}", str(groups)]
            for dim in DIMS:
                row.append(spread([
                    train_mf(make_dataset(DataConfig(groups=groups, seed=seed)),
                             MFConfig(unobserved_weight=w0, mf_dim=dim, seed=seed))
                    .final_metrics["spurious_at_k"] for seed in range(seeds)]))
            rows.append(row)
    return markdown_table(["w0", "groups", *(f"dim {d}" for d in DIMS)], rows)


def spurious_after(dataset, dim, w0, l2, sweep_counts, seed) -> list[float]:
    """spurious@k of WALS with l2 weight ``l2``, after each number of sweeps."""
    A = interaction_matrix(dataset.train.positives, dataset.n_items)
    known = interaction_matrix(cold_start_split(dataset).known, dataset.n_items)
    U, V = init_factors(*A.shape, dim, np.random.default_rng([seed, 1]))
    found = []
    for number in range(1, max(sweep_counts) + 1):
        U, V = sweep(A, U, V, w0, l2)
        if number in sweep_counts:
            Q = solve_rows(known, V, w0, l2)
            found.append(spurious_at_k(Q @ V.T, dataset.test.groups, dataset.item_groups,
                                       MFConfig().k))
    return found


def by_l2_and_sweeps(seeds: int) -> str:
    default = MFConfig()
    rows = []
    for w0 in (0.0, default.unobserved_weight):
        for l2 in L2_WEIGHTS:
            for groups in GROUPS[1:]:
                runs = np.array([
                    spurious_after(make_dataset(DataConfig(groups=groups, seed=seed)),
                                   default.mf_dim, w0, l2, SWEEP_COUNTS, seed)
                    for seed in range(seeds)])
                rows.append([f"{w0:g}", f"{l2:g}", str(groups),
                             *(spread(column) for column in runs.T)])
    return markdown_table(["w0", "l2", "groups",
                           *(f"{n} sweeps" for n in SWEEP_COUNTS)], rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5, help="seeds per cell (default 5)")
    args = parser.parse_args()
    if args.seeds < 1:
        parser.error("--seeds must be at least 1")
    one_blas_thread()
    k = MFConfig().k
    print(f"## spurious@{k} by MF dimension (l2 {L2:g}, {SWEEPS} "
          f"sweeps; mean (min-max) over {args.seeds} seeds)\n")
    print(by_dimension(args.seeds))
    print(f"\n## spurious@{k} by l2 and sweeps (dim {MFConfig().mf_dim})\n")
    print(by_l2_and_sweeps(args.seeds))


if __name__ == "__main__":
    main()
