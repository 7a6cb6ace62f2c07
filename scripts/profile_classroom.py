"""Where a class's CPU goes: the classroom benchmark under a sampling profiler.

    .venv/bin/python scripts/profile_classroom.py [--students 30] [--rate 100]
        [--py-spy PATH] [--raw FILE]

Starts a fresh server as scripts/benchmark_classroom.py does, lets the
teacher visit the home page, then attaches py-spy (a sampling profiler,
https://github.com/benfred/py-spy; not a dependency of the app: install it
with `pip install py-spy`, or name its binary with --py-spy) to the server's
whole process tree (the Streamlit process and the training workers) for as
long as the class loads, and prints a Markdown table: each phase's share of
the samples of the Streamlit process and of the workers, and their CPU
seconds per distinct student (the samples' shares times the CPU time
/proc says each side used). py-spy samples without stopping the processes
(--nonblocking), so it barely slows the class, but its figures are
estimates: read them against the benchmark's own CPU seconds.

A phase is the first rule of PHASES whose text occurs in a sample's stack,
from the innermost frame out: so "figure: embedding" is the figure's own
code, and numpy or plotly code it calls counts there too. Not a test:
nothing is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import os
import random
import re
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from benchmark_classroom import fresh_server, run_class, student_visits

from harness.processes import cpu_use, snapshot
from harness.report import machine_line

# (phase, text in a sample's stack). A phase of PHASES owns everything it
# calls (numpy, plotly): the first of them whose text occurs anywhere in the
# stack names the sample's phase, so the more specific come first. Else the
# innermost frame that matches one of WHERE names it: Streamlit's own work
# called from the page is Streamlit's, not the page's.
PHASES = [
    ("train: metrics and snapshots after each epoch", "recdemo/history.py"),
    ("train: negatives seen", "recdemo/negatives.py"),
    ("train: samplers", "recdemo/samplers.py"),
    ("train: loss and gradients", "recdemo/model.py"),
    ("train: Adam", "recdemo/adam.py"),
    ("train: other", "recdemo/train.py"),
    ("references (the oracle)", "recdemo/references.py"),
    ("dataset", "recdemo/data.py"),
    ("figure: embedding", "recdemo/figures/embedding.py"),
    ("figure: negatives seen", "recdemo/figures/negatives.py"),
    ("figure: other figures", "recdemo/figures/"),
    ("figure to JSON", "plotly/io/_json.py"),
    ("claims and verdicts", "recdemo/claims"),
    ("pickling runs between server and workers", "multiprocessing/connection.py"),
]
WHERE = [
    ("metrics on the page (recommendations, protocols)", "recdemo/metrics.py"),
    ("other library code", "recdemo/"),
    ("work queue (scheduler, caches)", "backend/"),
    ("ui/ (settings, controls, charts)", "(ui/"),
    ("the Train page script", "(train.py:"),
    ("Streamlit: protobuf messages", "google/protobuf"),
    ("Streamlit: websocket and server", "streamlit/web/"),
    ("Streamlit: websocket and server", "tornado/"),
    ("Streamlit: websocket and server", "asyncio/"),
    ("Streamlit: elements and widgets", "streamlit/elements"),
    ("Streamlit: script runner", "streamlit/runtime/scriptrunner"),
    ("Streamlit: other", "streamlit/"),
]
OTHER = "Python itself, other threads"
# py-spy leaves out threads the system reports sleeping, but catches some on
# their way in or out of a wait: a sample whose innermost frame is one of
# these is a thread waiting (for a lock, a timer, the network), not working.
WAITING = "(threads caught waiting: not counted)"
WAITS = ("Condition.wait (threading.py", "Event.wait (threading.py", "EpollSelector.select",
         "polling_path_watcher.py:90", "Queue.get (queue.py", "SimpleQueue.get")


def side(stack: str) -> str:
    """Which process a sample is from: py-spy's raw stacks start with
    process "PID:COMMAND" frames, outermost first."""
    commands = re.findall(r'process \d+:"([^"]*)"', stack)
    last = commands[-1] if commands else ""
    return "workers" if "forkserver" in last else "Streamlit"


def phase(stack: str) -> str:
    innermost = stack.rsplit(";", 1)[-1]
    if any(wait in innermost for wait in WAITS):
        return WAITING
    for name, text in PHASES:
        if text in stack:
            return name
    for frame in stack.split(";")[::-1]:  # innermost first
        for name, text in WHERE:
            if text in frame:
                return name
    return OTHER


def aggregate(raw: Path) -> dict[str, collections.Counter]:
    counts: dict[str, collections.Counter] = {"Streamlit": collections.Counter(),
                                               "workers": collections.Counter()}
    for line in raw.read_text().splitlines():
        stack, _, n = line.rpartition(" ")
        if stack and n.isdigit():
            counts[side(stack)][phase(stack)] += int(n)
    return counts


def table(counts: dict[str, collections.Counter], cpu: dict[str, float], students: int) -> str:
    """Each phase's CPU milliseconds per student: its share of its side's
    samples (those caught waiting left out) times that side's CPU seconds
    (from /proc) over the students."""
    seconds = {"Streamlit": cpu["main"], "workers": cpu["workers"]}
    lines = ["| process | phase | samples | ms per student |", "|---|---|---|---|"]
    for where, counter in counts.items():
        working = sum(n for name, n in counter.items() if name != WAITING) or 1
        for name, n in counter.most_common():
            ms = "" if name == WAITING else f"{1000 * seconds[where] * n / working / students:.1f}"
            lines.append(f"| {where} | {name} | {n} | {ms} |")
        lines.append(f"| {where} | **all** | {sum(counter.values())} "
                     f"| **{1000 * seconds[where] / students:.1f}** |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument("--rate", type=int, default=100, help="py-spy samples per second")
    parser.add_argument("--py-spy", default=shutil.which("py-spy") or "py-spy",
                        help="the py-spy binary")
    parser.add_argument("--raw", type=Path, help="keep py-spy's raw output in this file")
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("--jitter", type=float, default=0.5)
    args = parser.parse_args()
    raw = args.raw or Path(tempfile.mkstemp(suffix=".txt")[1])
    with fresh_server(args.timeout) as server:
        profiler = subprocess.Popen(
            [args.py_spy, "record", "--pid", str(server.pid), "--subprocesses",
             "--nonblocking", "--rate", str(args.rate), "--format", "raw",
             "--output", str(raw)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            asyncio.run(asyncio.sleep(2.0))  # py-spy attaches to every process
            before = snapshot(server.pid)
            visits, after, _ = asyncio.run(run_class(
                server.port, student_visits(args.students, shared=False), args.jitter,
                args.timeout, random.Random(0), server.pid))
        finally:
            profiler.send_signal(signal.SIGINT)
            profiler.wait(timeout=60)
    failed = sum(not v.ok for v in visits)
    cpu = cpu_use(before, after)
    print(f"Profile of a class of {args.students} students, each on a configuration of "
          f"their own (scripts/benchmark_classroom.py's), py-spy at {args.rate} Hz. "
          f"{machine_line()}.\n")
    print(f"The class took {cpu['wall']:.1f} s; the server used {cpu['server']:.2f} CPU-s "
          f"({cpu['main']:.2f} Streamlit, {cpu['workers']:.2f} workers): "
          f"**{cpu['server'] / args.students:.3f} CPU-s per distinct student**; "
          f"other programs {cpu['others']:.1f} CPU-s; {failed} failures.\n")
    print(table(aggregate(raw), cpu, args.students))
    if not args.raw:
        os.unlink(raw)


if __name__ == "__main__":
    main()
