"""Matrix factorization vs the softmax model, measured: the source's table, then two stages.

    .venv/bin/python scripts/benchmark_mf.py

Prints Markdown tables (for docs/mf.md). The first is the source's comparison
("Matrix Factorization vs Softmax DNN") on the default data, one row per
line of it; the second the two-stage pipeline (MF retrieves, the folded
in-group softmax model ranks) on several seeds and group counts. Every model
is scored on the same test positives: the ones MF's fold-in does not see
(recdemo/mf.py, cold_start_split). Training seconds include the metrics of
every frame, as in the app; one BLAS thread, as in the app's workers.
"""

from __future__ import annotations

import argparse

from harness.report import machine_line, markdown_table
from recdemo.data import DataConfig, make_dataset
from recdemo.mf import (
    MFConfig,
    cold_start_split,
    rescored,
    train_mf,
)
from recdemo.mf_comparison import measure
from recdemo.train import TrainConfig, one_blas_thread, train
from recdemo.two_stage import CANDIDATES_PER_K, two_stage

TWO_STAGE_GROUPS = (2, 4, 6, 8)
TWO_STAGE_SEEDS = (0, 1, 2)
TWO_STAGE_MF_DIMS = (4, 8)


def pair(metrics) -> str:
    """spurious@k / within-group recall@k of a metrics dict."""
    return f"{metrics['spurious_at_k']:.2f} / {metrics['within_group_recall_at_k']:.2f}"


def comparison_table() -> str:
    """The MF page's table (recdemo/mf_comparison.py) on the default data."""
    dataset = make_dataset(DataConfig())
    mf_config = MFConfig()
    mf = train_mf(dataset, mf_config)
    observed_only = train_mf(dataset, MFConfig(unobserved_weight=0.0))
    uniform, positives_only, in_group = (train(dataset, TrainConfig(strategy=s))
                                         for s in ("uniform", "positives-only", "in-group"))
    rows = measure(dataset, mf=mf, observed_only=observed_only, positives_only=positives_only,
                   uniform=uniform, in_group=in_group).table
    return markdown_table(["", f"matrix factorization (WALS, dim {mf_config.mf_dim})",
                           f"softmax (dim {TrainConfig().dim})"],
                          [[row.topic, row.mf, row.softmax] for row in rows])


def two_stage_table() -> str:
    rows = []
    for groups in TWO_STAGE_GROUPS:
        for seed in TWO_STAGE_SEEDS:
            dataset = make_dataset(DataConfig(groups=groups, seed=seed))
            scored = cold_start_split(dataset).scored
            uniform, in_group = (
                rescored(train(dataset, TrainConfig(strategy=s, seed=seed)), scored,
                         dataset.item_groups) for s in ("uniform", "in-group"))
            row = [str(groups), str(seed), pair(uniform.final_metrics),
                   pair(in_group.final_metrics)]
            for mf_dim in TWO_STAGE_MF_DIMS:
                retriever = train_mf(dataset, MFConfig(mf_dim=mf_dim, seed=seed))
                result = two_stage(dataset, retriever, in_group)
                row += [pair(result.metrics), f"{result.retrieved_spurious:.2f}"]
            rows.append(row)
    headers = ["groups", "seed", "uniform", "in-group alone"]
    for mf_dim in TWO_STAGE_MF_DIMS:
        headers += [f"MF dim {mf_dim} + in-group", "candidates from other groups"]
    return markdown_table(headers, rows)


def main() -> None:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()
    one_blas_thread()
    data, mf = DataConfig(), MFConfig()
    print("## Matrix factorization vs softmax, measured\n")
    print(f"Default data ({data.groups} groups x {data.items_per_group} items, "
          f"{data.queries_per_group} training queries per group, seed {data.seed}); "
          f"w0 = {mf.unobserved_weight:g}, cold start {mf.cold_start}. Scored on the test "
          f"positives MF's fold-in does not see.\n")
    print(comparison_table())
    print(f"\n## Two stages: MF retrieves {CANDIDATES_PER_K} x k, the in-group model ranks\n")
    print(f"spurious@{mf.k} / within-group recall@{mf.k}, default settings otherwise.\n")
    print(two_stage_table())
    print(f"\n{machine_line()}")


if __name__ == "__main__":
    main()
