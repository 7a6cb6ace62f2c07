"""The library's CPU time for a class of distinct students, phase by phase.

    .venv/bin/python scripts/cpu_per_student.py [--students 30] [--repeats 3]

What the Train page asks of the library when the classroom benchmark's
students open it (scripts/benchmark_classroom.py: student i on strategy
STRATEGIES[i % 8], seed i // 8), done in this one process with one BLAS
thread, each phase timed with the process's CPU clock: the datasets, the
runs (each student's, its logQ-flipped twin where the page shows one, the
positives-only baseline of each seed), the references, the figures and
their JSON, and the rest of the page's library calls (claims, cards, the
inspected query's top-k, the charts' texts). Work that students share (a
seed's dataset, baseline and references) is done once, as the server does,
and counted once. "of which the metrics after each epoch" times a
history's frames again (history.Frames, as training keeps them) on each
run's snapshots.

Prints a Markdown table of CPU milliseconds per student, the median of
--repeats classes. Without Streamlit, the network, the worker processes or
two processes sharing the cores, it is the floor of what the benchmark
measures. Not a test: nothing is asserted.
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import statistics
import time
from collections import Counter

import plotly.io as pio
from threadpoolctl import threadpool_limits

from harness.report import machine_line
from recdemo import claims, claims_practice, figures
from recdemo.data import DataConfig, make_dataset
from recdemo.history import Frames
from recdemo.metrics import recommendations
from recdemo.params import LOGQ_STRATEGIES, STRATEGIES
from recdemo.references import references
from recdemo.train import TrainConfig, train

PHASES = ("dataset", "training", "of which the metrics after each epoch", "references",
          "figure: embedding", "figure: negatives seen", "figure: training curves",
          "figures to JSON", "claims, cards, top-k, texts")


def timed(spent: Counter, phase: str, work, *arguments):
    start = time.process_time()
    value = work(*arguments)
    spent[phase] += time.process_time() - start
    return value


def frames_again(dataset, result) -> None:
    """What training spends on its frames: Frames.add on every snapshot."""
    frames = Frames(dataset.test, dataset.item_groups, result.config.k)
    for Q, V in zip(result.query_snapshots, result.item_snapshots, strict=True):
        frames.add(Q, V)
    frames.arrays()


def page_texts(dataset, config, result, baseline, other, refs) -> None:
    """The Train page's other library calls: claims, cards, the inspected
    query's top-k, the charts' texts."""
    label = figures.run_label(config)
    claims.verdict_claim(label, result, refs, {})
    if other is not None:
        claims_practice.logq_claim(config.strategy, result, other, refs)
    claims.beyond_claim(label, result.final_metrics, refs)
    claims.references_text(refs)
    figures.metric_cards(result, baseline if baseline is not result else None)
    recommendations(result.query_embeddings[0], result.item_embeddings,
                    dataset.item_groups, dataset.test.groups[0], config.k)
    claims_practice.negatives_claims(label, result, dataset)
    figures.embedding_alt(dataset, result, 3)
    figures.negatives_alt(dataset, result)
    figures.training_curves_alt(result)


class Class:
    """The shared work of a class (each seed's dataset, runs, references),
    made once, and the CPU time of each phase."""

    def __init__(self):
        self.spent: Counter = Counter()
        self.datasets, self.runs, self.refs = {}, {}, {}

    def run(self, seed: int, config: TrainConfig):
        if (seed, config) not in self.runs:
            result = timed(self.spent, "training", train, self.datasets[seed], config)
            timed(self.spent, "of which the metrics after each epoch", frames_again,
                  self.datasets[seed], result)
            self.runs[seed, config] = result
        return self.runs[seed, config]

    def student(self, strategy: str, seed: int) -> None:
        if seed not in self.datasets:
            self.datasets[seed] = timed(self.spent, "dataset", make_dataset, DataConfig(seed=seed))
        dataset, config = self.datasets[seed], TrainConfig(strategy=strategy)
        result = self.run(seed, config)
        baseline = self.run(seed, TrainConfig(strategy="positives-only"))
        other = (self.run(seed, dataclasses.replace(
            config, logq_correction=not config.logq_correction))
            if strategy in LOGQ_STRATEGIES else None)
        if seed not in self.refs:
            self.refs[seed] = timed(self.spent, "references", references, dataset, config.k)
        shown = [("figure: embedding", figures.embedding_figure, (dataset, result, 3, 0)),
                 ("figure: training curves", figures.training_curves_figure, (result,))]
        if strategy != "positives-only":
            shown.append(("figure: negatives seen", figures.negatives_figure, (dataset, result)))
        for phase, make, arguments in shown:
            fig = timed(self.spent, phase, make, *arguments)
            timed(self.spent, "figures to JSON", functools.partial(pio.to_json, validate=False),
                  fig)
        timed(self.spent, "claims, cards, top-k, texts", page_texts, dataset, config, result,
              baseline, other, self.refs[seed])


def one_class(students: int) -> Counter:
    work = Class()
    for i in range(students):
        work.student(STRATEGIES[i % len(STRATEGIES)], i // len(STRATEGIES))
    return work.spent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    threadpool_limits(1)  # as the server and its workers run
    pio.templates.default = "plotly_white"  # as ui/plot.py sets it
    one_class(8)  # warm up: imports, first calls
    classes = [one_class(args.students) for _ in range(args.repeats)]
    print(f"The library's CPU time for {args.students} students, each on a configuration "
          f"of their own (the classroom benchmark's), median of {args.repeats} classes. "
          f"{machine_line()}.\n")
    print("| phase | CPU ms per student |\n|---|---|")
    total = []
    for phase in PHASES:
        per_student = [spent[phase] / args.students * 1000 for spent in classes]
        print(f"| {phase} | {statistics.median(per_student):.1f} |")
    for spent in classes:
        total.append(sum(seconds for phase, seconds in spent.items()
                         if not phase.startswith("of which")) / args.students * 1000)
    print(f"| **all** | **{statistics.median(total):.1f}** |")


if __name__ == "__main__":
    main()
