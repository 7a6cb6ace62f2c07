"""Matrix factorization vs the softmax model, measured: the source's table, then two stages.

    .venv/bin/python scripts/benchmark_mf.py [--repeats 5]

Prints Markdown tables (for the README). The first is the source's comparison
("Matrix Factorization vs Softmax DNN") on the default data, one row per
line of it; the second the two-stage pipeline (MF retrieves, the folded
in-group softmax model ranks) on several seeds and group counts. Every model
is scored on the same test positives: the ones MF's fold-in does not see
(recdemo/mf.py, cold_start_split). Training seconds include the metrics of
every frame, as in the app; one BLAS thread, as in the app's workers.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from anywhere

from benchmark_train import machine, markdown_table  # noqa: E402  (this folder)

from recdemo.data import DataConfig, make_dataset  # noqa: E402
from recdemo.mf import (  # noqa: E402
    MFConfig,
    cold_start_split,
    items_without_interactions,
    rescored,
    train_mf,
)
from recdemo.serving import serving_seconds  # noqa: E402
from recdemo.train import TrainConfig, one_blas_thread, train  # noqa: E402
from recdemo.two_stage import CANDIDATES_PER_K, two_stage  # noqa: E402

TWO_STAGE_GROUPS = (2, 4, 6, 8)
TWO_STAGE_SEEDS = (0, 1, 2)
TWO_STAGE_MF_DIMS = (4, 8)


def pair(metrics) -> str:
    """spurious@k / within-group recall@k of a metrics dict."""
    return f"{metrics['spurious_at_k']:.2f} / {metrics['within_group_recall_at_k']:.2f}"


def comparison_table(repeats: int) -> str:
    dataset = make_dataset(DataConfig())
    scored = cold_start_split(dataset).scored
    mf_config, softmax_config = MFConfig(), TrainConfig()

    def softmax(strategy):
        result = train(dataset, TrainConfig(strategy=strategy))
        return rescored(result, scored, dataset.item_groups)

    mf = train_mf(dataset, mf_config)
    observed_only = train_mf(dataset, MFConfig(unobserved_weight=0.0))
    separated, in_group, positives_only = (softmax(s) for s in ("uniform", "in-group",
                                                                "positives-only"))
    mf_seconds = statistics.median(train_mf(dataset, mf_config).train_seconds
                                   for _ in range(repeats))
    softmax_seconds = statistics.median(train(dataset, softmax_config).train_seconds
                                        for _ in range(repeats))
    serving = serving_seconds(dataset, mf, separated, mf_config.k)
    w0, k = mf_config.unobserved_weight, mf_config.k

    def micro(name):
        return f"{1e6 * serving[name]:.1f} µs"

    rows = [
        ["query features", "none (fold-in); only to find similar queries (average)",
         "the tower's input"],
        [f"new queries: spurious@{k} / within-group recall@{k}",
         f"fold-in {pair(mf.cold_start_metrics['fold-in'])}; "
         f"average {pair(mf.cold_start_metrics['average'])}",
         f"{pair(separated.final_metrics)} (uniform)"],
        ["new items", f"zero row, score 0 ({len(items_without_interactions(dataset))} "
                      f"such items in this data)",
         "its random start, moved only as a sampled negative and by weight decay"],
        [f"folding: spurious@{k}",
         f"w0 = 0: {observed_only.final_metrics['spurious_at_k']:.2f}; "
         f"w0 = {w0:g}: {mf.final_metrics['spurious_at_k']:.2f}",
         f"positives-only {positives_only.final_metrics['spurious_at_k']:.2f}; "
         f"in-group {in_group.final_metrics['spurious_at_k']:.2f}; "
         f"uniform {separated.final_metrics['spurious_at_k']:.2f}"],
        ["training seconds (median)", f"{mf_seconds:.3f}", f"{softmax_seconds:.3f} (uniform)"],
        ["serving, per query", f"precomputed list {micro('mf_precomputed')}; "
                               f"lookup + score {micro('mf_lookup')}; "
                               f"fold-in + score {micro('mf_fold_in')}",
         f"tower + score {micro('softmax')}"],
    ]
    return markdown_table(["", f"matrix factorization (WALS, dim {mf_config.mf_dim})",
                           f"softmax (dim {softmax_config.dim})"], rows)


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
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="trainings timed (default 5)")
    args = parser.parse_args()
    if args.repeats < 1:
        parser.error("--repeats must be at least 1")
    one_blas_thread()
    data, mf = DataConfig(), MFConfig()
    print("## Matrix factorization vs softmax, measured\n")
    print(f"Default data ({data.groups} groups x {data.items_per_group} items, "
          f"{data.queries_per_group} training queries per group, seed {data.seed}); "
          f"w0 = {mf.unobserved_weight:g}, cold start {mf.cold_start}. Scored on the test "
          f"positives MF's fold-in does not see.\n")
    print(comparison_table(args.repeats))
    print(f"\n## Two stages: MF retrieves {CANDIDATES_PER_K} x k, the in-group model ranks\n")
    print(f"spurious@{mf.k} / within-group recall@{mf.k}, default settings otherwise.\n")
    print(two_stage_table())
    print(f"\n{machine()}")


if __name__ == "__main__":
    main()
