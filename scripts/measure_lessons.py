"""Measure the lessons of in-batch and mixed negatives, the switch, and sampled evaluation.

    .venv/bin/python scripts/measure_lessons.py [--seeds 100-107] [--groups 4,6,8] [--small]

Prints Markdown tables, one per question, on the default data and training
(the seed is the data's and the training's), every run trained once:

1. Do in-batch and mixed separate, by the verdict rule (recdemo/verdicts.py)
   against each data's references, and does the lesson hold with them?
2. At popularity_skew 2, does the logQ correction raise in-batch's (and
   mixed's) within-group recall, on how many seeds, by how much?
3. Does positives-only switched to uniform at half the epochs end separated?
4. How do the sampled protocols (100 negatives from the corpus, or from the
   query's own group) rank the strategies, against the exact ones?
5. Negatives seen: what share of each strategy's negatives (and of their
   push) comes from other groups, and, at popularity_skew 2, how much of the
   push lands on the most popular tenth of the items, with and without logQ.

The tests assert what these tables support, on other seeds
(tests/test_inbatch_lessons.py).
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
from concurrent.futures import ProcessPoolExecutor

import numpy as np

from recdemo.data import DataConfig, make_dataset
from recdemo.negatives import group_matrix, per_item
from recdemo.params import LOGQ_STRATEGIES, STRATEGIES
from recdemo.references import references
from recdemo.sampled_metrics import PROTOCOL_METRICS, protocol_metrics
from recdemo.train import TrainConfig, one_blas_thread, train
from recdemo.verdicts import FOLDS, SEPARATES, STORY, verdict

CHECKED = ("positives-only", "in-group", "full", "uniform", "hard")  # test_phenomenon.py's
SKEW = 2.0
HALF = TrainConfig().epochs // 2  # the switch of question 3
SMALL = {"items_per_group": 30, "queries_per_group": 140}  # --small: fewer items, a quicker look
ORDER = {"spurious_at_k": -1}  # lower is better; every other metric: higher


def negatives_facts(result, data) -> dict:
    """What a run's negatives-seen tables say: the share of its negatives (and
    of their push) from other groups than the query's, and the share of the
    push on the most popular tenth of the items."""
    facts = {}
    for name, table in (("negatives", result.negatives_seen), ("push", result.pushed_down)):
        by_group = group_matrix(table.sum(axis=0, dtype=float), data.item_groups)
        other = by_group[~np.eye(len(by_group), dtype=bool)].sum()
        facts[f"other-group {name}"] = other / by_group.sum() if by_group.sum() else np.nan
    popular = data.item_popularity >= np.quantile(data.item_popularity, 0.9)
    push = per_item(result.pushed_down)
    facts["push on the popular tenth"] = push[popular].sum() / push.sum() if push.sum() else np.nan
    return facts


def run_case(case) -> dict:
    """Every strategy on the default data (exact and sampled metrics, negatives
    seen), popularity, in-batch and mixed with and without logQ at popularity
    skew 2 (and full there, for reference), and positives-only switched to
    uniform at half the epochs."""
    groups, seed, sizes = case
    data = make_dataset(DataConfig(groups=groups, seed=seed, **sizes))
    refs = references(data, TrainConfig().k)
    out = {}
    for strategy in STRATEGIES:
        result = train(data, TrainConfig(strategy=strategy, seed=seed))
        out[strategy] = {**result.final_metrics, "verdict": verdict(result.final_metrics, refs),
                         **negatives_facts(result, data),
                         **protocol_metrics(result.query_embeddings, result.item_embeddings,
                                            data.test, data.item_groups, result.config.k)}
    switched = train(data, TrainConfig(strategy="positives-only", seed=seed, switch_at=HALF,
                                       switch_to="uniform")).final_metrics
    out["switched"] = {**switched, "verdict": verdict(switched, refs)}
    skewed = make_dataset(DataConfig(groups=groups, seed=seed, popularity_skew=SKEW, **sizes))
    for strategy in LOGQ_STRATEGIES:
        for logq in (True, False):
            result = train(skewed, TrainConfig(strategy=strategy, seed=seed, logq_correction=logq))
            out[f"{strategy} skew logq {logq}"] = {**result.final_metrics,
                                                   **negatives_facts(result, skewed)}
    result = train(skewed, TrainConfig(strategy="full", seed=seed))
    out["full skew"] = {**result.final_metrics, **negatives_facts(result, skewed)}
    return out


def lesson_holds(out: dict, strategies=CHECKED) -> bool:
    """Does each of ``strategies`` get the verdict the lesson's story gives it?"""
    return all(out[s]["verdict"] == STORY[s] for s in strategies)


def table(headers, rows) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    return "\n".join(lines + ["| " + " | ".join(map(str, row)) + " |" for row in rows])


def spread(values) -> str:
    """median (min to max), 3 decimals."""
    return f"{statistics.median(values):.3f} ({min(values):.3f} to {max(values):.3f})"


def separation_table(results, groups_list) -> str:
    rows = []
    for groups in groups_list:
        cases = [out for (g, _), out in results.items() if g == groups]
        row = [groups, len(cases), sum(lesson_holds(out) for out in cases),
               sum(lesson_holds(out, (*CHECKED, "in-batch", "mixed")) for out in cases)]
        for strategy in ("in-batch", "mixed", "uniform"):
            row += [sum(out[strategy]["verdict"] == SEPARATES for out in cases),
                    spread([out[strategy]["cross_group_auc"] for out in cases]),
                    spread([out[strategy]["spurious_at_k"] for out in cases])]
        rows.append(row)
    return table(["groups", "seeds", "lesson holds (as in test_phenomenon)",
                  "lesson holds, in-batch and mixed too",
                  "in-batch separates", "in-batch AUC", "in-batch spurious@10",
                  "mixed separates", "mixed AUC", "mixed spurious@10",
                  "uniform separates", "uniform AUC", "uniform spurious@10"], rows)


def logq_table(results, groups_list) -> str:
    rows = []
    for groups in groups_list:
        cases = [out for (g, _), out in results.items() if g == groups]
        for strategy in LOGQ_STRATEGIES:
            on = np.array([out[f"{strategy} skew logq True"]["within_group_recall_at_k"]
                           for out in cases])
            off = np.array([out[f"{strategy} skew logq False"]["within_group_recall_at_k"]
                            for out in cases])
            auc_off = [out[f"{strategy} skew logq False"]["cross_group_auc"] for out in cases]
            full = [out["full skew"]["within_group_recall_at_k"] for out in cases]
            gain = on - off
            rows.append([groups, strategy, f"{(gain > 0).sum()} of {len(cases)}",
                         spread(gain), spread(on), spread(off), spread(full), spread(auc_off)])
    return table(["groups", "strategy", "logQ raises within-group recall on",
                  "gain in within-group recall", "with logQ", "without logQ",
                  "full (reference)", "AUC without logQ"], rows)


def switch_table(results, groups_list) -> str:
    rows = []
    for groups in groups_list:
        cases = [out for (g, _), out in results.items() if g == groups]
        auc = [out["switched"]["cross_group_auc"] for out in cases]
        spurious = [out["switched"]["spurious_at_k"] for out in cases]
        plain = [out["positives-only"]["spurious_at_k"] for out in cases]
        uniform = [out["uniform"]["spurious_at_k"] for out in cases]
        ratio = [s / p for s, p in zip(spurious, plain, strict=True)]
        gain = [a - out["positives-only"]["cross_group_auc"] for a, out in zip(auc, cases,
                                                                               strict=True)]
        verdicts = [out["switched"]["verdict"] for out in cases]
        rows.append([groups, f"{verdicts.count(SEPARATES)} of {len(cases)}",
                     f"{verdicts.count(FOLDS)} of {len(cases)}",
                     spread(auc), spread(gain),
                     spread(spurious), spread(ratio), spread(uniform), spread(plain)])
    return table(["groups", "separates", "folds", "AUC",
                  "AUC over positives-only's", "spurious@10", "over positives-only's",
                  "uniform from the start: spurious@10", "positives-only: spurious@10"], rows)


def ranks(out, metric) -> dict[str, int]:
    """1 = best, by ``metric``, over every strategy."""
    sign = ORDER.get(metric, 1)
    order = sorted(STRATEGIES, key=lambda s: -sign * out[s][metric])
    return {strategy: order.index(strategy) + 1 for strategy in STRATEGIES}


def kendall_tau(a: dict, b: dict) -> float:
    """Kendall's tau between two rankings of the same strategies (no ties)."""
    names = list(a)
    pairs = [(i, j) for i in range(len(names)) for j in range(i + 1, len(names))]
    agree = sum(np.sign(a[names[i]] - a[names[j]]) == np.sign(b[names[i]] - b[names[j]])
                for i, j in pairs)
    return (2 * agree - len(pairs)) / len(pairs)


def protocol_tables(results) -> str:
    cases = list(results.values())
    rows = []
    for strategy in STRATEGIES:
        rows.append([strategy, *(spread([out[strategy][m] for out in cases])
                                 for m in ("spurious_at_k", *PROTOCOL_METRICS))])
    values = table(["strategy", "spurious@10", *PROTOCOL_METRICS], rows)
    rows = []
    for strategy in STRATEGIES:
        medians = [statistics.median([ranks(out, m)[strategy] for out in cases])
                   for m in ("spurious_at_k", *PROTOCOL_METRICS)]
        rows.append([strategy, *(f"{median:g}" for median in medians)])
    rank_table = table(["strategy (median rank of 8, 1 = best)", "spurious@10",
                        *PROTOCOL_METRICS], rows)
    pairs = [("sampled_recall_at_k", "recall_at_k"),
             ("own_group_sampled_recall_at_k", "within_group_recall_at_k"),
             ("own_group_sampled_recall_at_k", "recall_at_k"),
             ("sampled_recall_at_k", "spurious_at_k")]
    rows = []
    for sampled, exact in pairs:
        taus = [kendall_tau(ranks(out, sampled), ranks(out, exact)) for out in cases]
        same_best = sum(min(ranks(out, sampled), key=ranks(out, sampled).get)
                        == min(ranks(out, exact), key=ranks(out, exact).get) for out in cases)
        rows.append([sampled, exact, spread(taus), f"{same_best} of {len(cases)}"])
    agreement = table(["sampled protocol", "exact metric", "Kendall tau of the 8 ranks",
                       "same best strategy"], rows)
    rows = []
    for groups in sorted({g for g, _ in results}):
        mine = [out for (g, _), out in results.items() if g == groups]
        in_group = [out["in-group"] for out in mine]
        gap = [row["own_group_sampled_recall_at_k"]
               - max(out[s]["own_group_sampled_recall_at_k"] for s in STRATEGIES if s != "in-group")
               for row, out in zip(in_group, mine, strict=True)]
        rows.append([groups, f"{sum(r['spurious_at_k'] > 0.9 for r in in_group)} of {len(mine)}",
                     spread([r["spurious_at_k"] for r in in_group]),
                     spread([r["own_group_sampled_recall_at_k"] for r in in_group]), spread(gap),
                     spread([ranks(out, "own_group_sampled_recall_at_k")["in-group"]
                             for out in mine]),
                     spread([ranks(out, "sampled_recall_at_k")["in-group"] for out in mine]),
                     spread([ranks(out, "recall_at_k")["in-group"] for out in mine])])
    facts = table(["groups", "in-group: spurious@10 > 0.9", "spurious@10",
                   "own-group sampled recall@10", "minus the best other strategy's",
                   "its rank of 8, own-group sampled", "its rank, corpus sampled",
                   "its rank, exact recall@10"], rows)
    return "\n\n".join([values, rank_table, agreement, facts])


def negatives_tables(results) -> str:
    cases = list(results.values())
    facts = ("other-group negatives", "other-group push")
    rows = [[strategy, *(spread([out[strategy][f] for out in cases]) for f in facts)]
            for strategy in STRATEGIES if strategy != "positives-only"]
    by_strategy = table(["strategy (default data)", "share of negatives from other groups",
                         "share of the push from other groups"], rows)
    rows = [["full", spread([out["full skew"]["push on the popular tenth"] for out in cases]),
             ""]]
    for strategy in LOGQ_STRATEGIES:
        on = [out[f"{strategy} skew logq True"]["push on the popular tenth"] for out in cases]
        off = [out[f"{strategy} skew logq False"]["push on the popular tenth"] for out in cases]
        rows.append([strategy, spread(on), spread(off)])
    popular = table([f"push on the most popular tenth of the items (skew {SKEW:g})",
                     "with logQ", "without logQ"], rows)
    return by_strategy + "\n\n" + popular


def parse_seeds(text: str) -> list[int]:
    if "-" in text:
        low, high = text.split("-")
        return list(range(int(low), int(high) + 1))
    return [int(seed) for seed in text.split(",")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="100-107", help="e.g. 100-107 or 1,2,3")
    parser.add_argument("--groups", default="4,6,8")
    parser.add_argument("--small", action="store_true",
                        help=f"smaller data: {SMALL} (else the default data)")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    seeds, groups_list = parse_seeds(args.seeds), [int(g) for g in args.groups.split(",")]
    sizes = SMALL if args.small else {}
    cases = [(groups, seed, sizes) for groups in groups_list for seed in seeds]
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(max_workers=args.workers, mp_context=context,
                             initializer=one_blas_thread) as pool:
        results = {(groups, seed): out for (groups, seed, _), out
                   in zip(cases, pool.map(run_case, cases), strict=True)}
    data = f"data {SMALL}" if args.small else "default data"
    print(f"Seeds {args.seeds}, groups {args.groups}; {data} and default training "
          f"(leak 0.05, {TrainConfig().epochs} epochs).\n")
    print("## 1. Fold or separate (the verdict rule)\n")
    print(separation_table(results, groups_list))
    print(f"\n## 2. The logQ correction at popularity_skew {SKEW:g}\n")
    print(logq_table(results, groups_list))
    print(f"\n## 3. positives-only, then uniform after epoch {HALF}\n")
    print(switch_table(results, groups_list))
    print("\n## 4. Sampled vs exact evaluation (k = 10, every case above)\n")
    print(protocol_tables(results))
    print("\n## 5. Negatives seen (every case above; all epochs)\n")
    print(negatives_tables(results))


if __name__ == "__main__":
    main()
