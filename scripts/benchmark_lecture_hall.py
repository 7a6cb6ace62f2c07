"""A lecture hall, side by side: one Streamlit process against several behind
nginx (scripts/lecture_hall.py), for a class on one shared link and a class on
different configurations.

    .venv/bin/python scripts/benchmark_lecture_hall.py [--students 60] [--processes 0,2]
        [--runs 1] [--timeout 120]

For each setup in --processes (0: one Streamlit process, no proxy; N: nginx in
front of N processes) and each class (every student on the default link;
every student on a configuration of their own, as scripts/benchmark_classroom.py
gives them), a fresh server, the teacher's first visit, then --students open
/train at once, each from an address of their own, through the proxy's sticky
cookie. With --runs N each row is repeated N times and shows the spread.
Prints one Markdown table, with the server's CPU-seconds (its Streamlit
processes and training workers) per student. Not a test: nothing is asserted.
"""

from __future__ import annotations

import argparse
import statistics

from benchmark_classroom import benchmark, cpu_sentence, seconds, summary

from harness.report import machine, machine_line


def setup_name(processes: int) -> str:
    return "1 process, no proxy" if not processes else f"{processes} processes behind nginx"


def spread(values: list[float | None]) -> str:
    values = [v for v in values if v is not None]
    if not values:
        return "n/a"
    if len(values) == 1:
        return seconds(values[0])
    return f"{seconds(min(values))} to {seconds(max(values))}"


def spread_cpu(values: list[float]) -> str:
    """CPU-seconds per student over a row's classes (with a configuration
    each, what one more distinct student costs the server)."""
    if len(values) == 1:
        return f"{values[0]:.3f}"
    return f"{min(values):.3f} to {max(values):.3f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=60)
    parser.add_argument("--processes", default="0,2",
                        help="comma-separated setups: 0 is one process without a proxy")
    parser.add_argument("--runs", type=int, default=1, help="classes per row")
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument("--jitter", type=float, default=0.5)
    args = parser.parse_args()
    setups = [int(p) for p in args.processes.split(",")]
    m = machine()
    print(f"Lecture hall: {args.students} students open /train at once. "
          f"{machine_line()}.\n")
    print("| setup | class | p50 s | p95 s | max s | failures | server RSS peak MB "
          "| server CPU-s (Streamlit + workers) | server CPU-s per student "
          "| other programs CPU-s |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    notes = []
    for shared in (True, False):
        for processes in setups:
            reports = [benchmark(argparse.Namespace(
                students=args.students, shared=shared, browser_tabs=0, timeout=args.timeout,
                jitter=args.jitter, rng_seed=run, processes=processes, kill_workers=0))
                for run in range(args.runs)]
            rows = [summary(report) for report in reports]
            cpu = [report.class_cpu for report in reports]
            workload = "one shared link" if shared else "different configurations"
            print(f"| {setup_name(processes)} | {workload} "
                  f"| {spread([r['p50'] for r in rows])} | {spread([r['p95'] for r in rows])} "
                  f"| {spread([r['max'] for r in rows])} "
                  f"| {sum(r['failures'] for r in rows)} "
                  f"| {statistics.median(r['peak'] for r in rows):.0f} "
                  f"| {statistics.median(c['server'] for c in cpu):.1f} "
                  f"({statistics.median(c['main'] for c in cpu):.1f} + "
                  f"{statistics.median(c['workers'] for c in cpu):.1f}) "
                  f"| {spread_cpu([r['cpu_per_student'] for r in rows])} "
                  f"| {statistics.median(c['others'] for c in cpu):.1f} |", flush=True)
            notes.append(f"- {setup_name(processes)}, {workload}, first run: "
                         f"{cpu_sentence(cpu[0], m['nproc'])}.")
    print("\n" + "\n".join(notes))


if __name__ == "__main__":
    main()
