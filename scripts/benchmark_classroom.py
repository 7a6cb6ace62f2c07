"""A class of students opening the Train page at once, against one Streamlit server.

    .venv/bin/python scripts/benchmark_classroom.py [--students 30] [--shared]
        [--browser-tabs 3] [--timeout 60] [--jitter 0.5] [--runs 1] [--json results.json]
        [--processes N] [--kill-workers TIMES]

Starts its own server (`streamlit run app.py` on a free loopback port), opens
the home page once, as the teacher does before the class, then lets every
student open /train at the same moment (each after a seeded random delay of at
most --jitter seconds). Student i asks for strategy STRATEGIES[i % 8] with seed
i // 8 (8 strategies), so no two students share a configuration and the server trains and
draws each one once; --shared gives every student the default strategy and
seed instead, to show the caches sharing one run between them.

Students are simulated at the protocol level, one websocket each, speaking
Streamlit's own protobufs (harness/streamlit_client.py): the BackMsg a browser
sends on page load, then the ForwardMsgs up to a successful script_finished.
Each student has an address of their own (X-Forwarded-For), as on a network.
A student succeeds when that run drew a Plotly chart and showed no exception
and no st.error, within
--timeout seconds. Students stay connected until the whole class is done, like
open tabs. Afterwards --browser-tabs real Chromium tabs open /train at once,
on configurations nobody trained yet, to check what the browser sees.

Prints Markdown: seconds to a finished run (p50, p95, max), failures, the
server's memory (RSS of its process tree, peak sampled every 0.2 s, and after),
the CPU seconds the server used, in all and per student (with a configuration
each, what one more distinct student costs), and other programs' (on a shared
machine they slow the class down), and the machine. Not a test: nothing is
asserted.

--processes N serves the class through scripts/lecture_hall.py: nginx in
front of N Streamlit processes (scripts/benchmark_lecture_hall.py compares).
--kill-workers 2 kills the server's training workers twice, a second apart,
while the class loads: every student should still get their chart.

With --runs N the class is run N times, each on a fresh server, and a table
gives each run's figures and how many met the p95 target (3 s): on a shared
machine one class can be lucky or unlucky.

Streamlit's STREAMLIT_* environment variables reach the server, so a setting
can be tried without editing the app, e.g.
    STREAMLIT_RUNNER_POST_SCRIPT_GC=false .venv/bin/python scripts/benchmark_classroom.py
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import random
import signal
import statistics
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import websockets
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import async_playwright

from harness.browser import CHROMIUM, CHROMIUM_ARGS, READY
from harness.processes import (
    RSS_SAMPLE_SECONDS,
    PeakRSS,
    cpu_use,
    snapshot,
    training_workers,
)
from harness.report import machine, machine_line
from harness.server import HOST, free_port, start_server, stop_server, wait_healthy
from harness.streamlit_client import Visit, load_page, open_session
from recdemo.params import PARAMS, STRATEGIES

# The largest run the parameter ranges allow (40 epochs at batch 128 stay within
# train.MAX_STEPS): 4 s of one worker with `hard`, 9 MB of snapshots.
LARGEST = {"groups": 8, "items_per_group": 60, "queries_per_group": 300,
           "test_queries_per_group": 50, "positives": 10, "strategy": "hard", "negatives": 50,
           "dim": 32, "hidden": 64, "epochs": 40, "batch_size": 128}


@dataclass
class Tab:
    url: str
    seconds: float | None = None
    exceptions: int = 0
    problem: str = ""


@dataclass
class Report:
    machine: dict
    students: int
    shared: bool
    teacher: Visit | None = None
    visits: list[Visit] = field(default_factory=list)
    rss_mb: dict = field(default_factory=dict)
    class_cpu: dict = field(default_factory=dict)
    tabs: list[Tab] = field(default_factory=list)
    tabs_cpu: dict = field(default_factory=dict)
    server_tracebacks: int = 0
    processes: int = 0  # 0: one Streamlit process; else a lecture hall of that many
    killed: list[int] = field(default_factory=list)  # training workers killed, each time


# ---------------------------------------------------------------- the server

async def student(port: int, visit: Visit, delay: float, timeout: float,
                  finished: asyncio.Future, class_over: asyncio.Event) -> None:
    """Arrive after ``delay``, load the page, report it in ``finished``, then
    stay connected (an open tab) until the class is over."""
    await asyncio.sleep(delay)
    try:
        async with await open_session(port, visit.address, timeout) as ws:
            await load_page(ws, visit, timeout)
            finished.set_result(visit)
            await class_over.wait()
    except (OSError, TimeoutError, websockets.exceptions.WebSocketException) as err:
        if not finished.done():  # a failure on leaving does not undo the visit
            visit.problem = visit.problem or f"connection: {err!r}"
    finally:
        if not finished.done():
            finished.set_result(visit)


async def kill_workers(server_pid: int, times: int, first: float, every: float) -> list[int]:
    """Kill the server's training workers ``times`` times: after ``first``
    seconds, then every ``every`` seconds. Returns how many died each time."""
    killed = []
    await asyncio.sleep(first)
    for index in range(times):
        if index:
            await asyncio.sleep(every)
        workers = training_workers(server_pid)
        for pid in workers:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        killed.append(len(workers))
    return killed


async def run_class(port: int, visits: list[Visit], jitter: float, timeout: float,
                    rng: random.Random, server_pid: int,
                    kills: int = 0) -> tuple[list[Visit], dict, list[int]]:
    """All students at once (and the worker kills, from half the jitter on, a
    second apart); returns their visits, a snapshot of the server taken once
    all of them are done, while they are all still connected, and the kills."""
    loop = asyncio.get_running_loop()
    finished = [loop.create_future() for _ in visits]
    class_over = asyncio.Event()
    tasks = [asyncio.create_task(student(port, visit, rng.uniform(0, jitter), timeout, done,
                                         class_over))
             for visit, done in zip(visits, finished, strict=True)]
    killer = asyncio.create_task(kill_workers(server_pid, kills, jitter / 2, 1.0))
    try:
        async with asyncio.timeout(jitter + 2 * timeout + 10):
            done = await asyncio.gather(*finished)
        after = snapshot(server_pid)
    finally:
        class_over.set()
        await asyncio.wait(tasks, timeout=10)
    return done, after, await killer


async def teacher(port: int, timeout: float) -> Visit:
    """The teacher opens the home page once before the class: its first run of
    app.py registers st.navigation's pages."""
    visit = Visit("teacher", page="", query_string="")
    done = asyncio.get_running_loop().create_future()
    class_over = asyncio.Event()
    class_over.set()  # leave as soon as the page is there
    await student(port, visit, 0.0, timeout, done, class_over)
    return visit


def student_visits(students: int, shared: bool) -> list[Visit]:
    visits = []
    for i in range(students):
        if shared:
            strategy, seed = PARAMS["strategy"].default, PARAMS["seed"].default
        else:
            strategy, seed = STRATEGIES[i % len(STRATEGIES)], i // len(STRATEGIES)
        query_string = urlencode({"strategy": strategy, "seed": seed})
        visits.append(Visit(f"student {i}", page="train", query_string=query_string,
                            address=student_address(i)))
    return visits


def student_address(i: int) -> str:
    """Student i's own (made-up) address: on a real network each student's
    machine has one, and the server's per-client budget counts by it."""
    return f"10.{i // 62500 % 256}.{i // 250 % 250}.{i % 250 + 1}"


# ---------------------------------------------------------------- browser tabs

def tab_urls(port: int, tabs: int, students: int) -> list[str]:
    """Different strategies, on seeds no student used, so each tab trains."""
    first_seed = math.ceil(students / len(STRATEGIES))
    return [f"http://{HOST}:{port}/train?" + urlencode(
        {"strategy": STRATEGIES[k % len(STRATEGIES)], "seed": first_seed + k // len(STRATEGIES)})
        for k in range(tabs)]


async def open_tab(page, tab: Tab, timeout: float) -> None:
    milliseconds = timeout * 1000
    start = time.perf_counter()
    try:
        await page.goto(tab.url, wait_until="commit", timeout=milliseconds)
        await page.wait_for_selector(".js-plotly-plot", timeout=milliseconds)
        await page.wait_for_selector(READY, timeout=milliseconds)
        tab.seconds = time.perf_counter() - start
        tab.exceptions = await page.locator("[data-testid='stException']").count()
    except PlaywrightError as err:  # timeouts included
        tab.problem = str(err).splitlines()[0]


async def browser_tabs(urls: list[str], timeout: float,
                       server_pid: int) -> tuple[list[Tab], dict]:
    """One Chromium, one tab per URL, all opened at once. Returns the tabs and
    the CPU use from the first tab opened to the last one done."""
    tabs = [Tab(url) for url in urls]
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                                   timeout=timeout * 1000)
        try:
            context = await browser.new_context()
            pages = [await context.new_page() for _ in tabs]
            before = snapshot(server_pid)
            await asyncio.gather(*(open_tab(page, tab, timeout)
                                   for page, tab in zip(pages, tabs, strict=True)))
            used = cpu_use(before, snapshot(server_pid))  # before Chromium exits
        finally:
            await browser.close()
    return tabs, used


# ---------------------------------------------------------------- report

def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile: the smallest value with at least q% of the values at or below."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def summary(report: Report) -> dict:
    times = [v.seconds for v in report.visits if v.ok]
    return {
        "students": report.students,
        "succeeded": len(times),
        "failures": len(report.visits) - len(times),
        "p50": statistics.median(times) if times else None,
        "p95": percentile(times, 95) if times else None,
        "max": max(times) if times else None,
        "mb_per_student": statistics.median(v.bytes for v in report.visits) / 1e6,
        # The server's CPU time (Streamlit and the workers) per student: with
        # a configuration each, what one more distinct student costs.
        "cpu_per_student": (report.class_cpu["server"] / report.students
                            if report.class_cpu else None),
        **report.rss_mb,
    }


def seconds(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def cpu_sentence(c: dict, cores: int) -> str:
    browser = f", Chromium {c['browser']:.1f} CPU-s" if c["browser"] >= 0.05 else ""
    return (f"{c['wall']:.1f} s; in it the server used {c['server']:.1f} CPU-s "
            f"({c['server'] / c['wall']:.2f} of {cores} cores on average; its Streamlit processes "
            f"{c['main']:.1f}, the training workers {c['workers']:.1f}), this script "
            f"{c['benchmark']:.1f} CPU-s{browser} and other programs {c['others']:.1f} CPU-s")


def markdown(report: Report) -> str:
    s, m, c = summary(report), report.machine, report.class_cpu
    if report.shared:
        workload = (f"all {report.students} students ask for the same configuration "
                    "(default strategy and seed): it is trained and drawn once and shared")
    else:
        n = len(STRATEGIES)
        workload = (f"student i asks for strategy STRATEGIES[i % {n}], seed i // {n}: "
                    f"{report.students} distinct configurations, each trained and drawn once")
    where = ("one server" if not report.processes else
             f"a lecture hall (nginx, {report.processes} Streamlit processes)")
    times = "once" if len(report.killed) == 1 else f"{len(report.killed)} times, a second apart"
    killed = (f" The training workers were killed {times} "
              f"({', '.join(map(str, report.killed))} processes), while the class loaded."
              if report.killed else "")
    lines = [
        f"Classroom benchmark: {report.students} students open /train at once on {where}; "
        f"{workload}.{killed}",
        f"{machine_line()}.",
        "",
        f"Teacher's first visit to /: {seconds(report.teacher.seconds)} s"
        + ("" if report.teacher.ok else f" (failed: {report.teacher.failure()})") + ".",
        "",
        "| students | p50 s | p95 s | max s | failures | server CPU-s per student "
        "| MB received per student | server RSS before | peak | after (MB) |",
        "|---|---|---|---|---|---|---|---|---|---|",
        f"| {s['students']} | {seconds(s['p50'])} | {seconds(s['p95'])} | {seconds(s['max'])} "
        f"| {s['failures']} | {s['cpu_per_student']:.3f} | {s['mb_per_student']:.2f} "
        f"| {s['before']:.0f} | {s['peak']:.0f} | {s['after']:.0f} |",
        "",
        "Seconds from the page request to a finished run with the chart, over the students "
        "that succeeded (p95 is nearest-rank). A failure: no chart, an exception, an "
        "st.error, a timeout or a lost connection. MB: the ForwardMsgs' protobuf bytes. "
        "Server CPU-s: its Streamlit process and its training workers, over the class. "
        "RSS covers the server's process tree, "
        f"sampled every {RSS_SAMPLE_SECONDS} s; 'after' is with every student still connected.",
        "",
        f"The class took {cpu_sentence(c, m['nproc'])}.",
        "",
        "| strategy | students | median s | max s |",
        "|---|---|---|---|",
    ]
    for strategy in STRATEGIES:
        times = [v.seconds for v in report.visits
                 if v.ok and f"strategy={strategy}&" in v.query_string]
        if times:
            lines.append(f"| {strategy} | {len(times)} | {statistics.median(times):.2f} "
                         f"| {max(times):.2f} |")
    failed = [v for v in report.visits if not v.ok]
    if failed:
        lines += ["", "Failures:"] + [f"- {v.who} ({v.query_string}): {v.failure()}"
                                      for v in failed]
    if report.server_tracebacks:
        lines += ["", f"The server logged {report.server_tracebacks} tracebacks."]
    if report.tabs:
        lines += ["", f"{len(report.tabs)} Chromium tabs opened at once after the class, on "
                  "configurations nobody had trained yet (time to the chart drawn and the "
                  "script finished):", "",
                  "| tab | seconds | stException elements | problem |", "|---|---|---|---|"]
        lines += [f"| {t.url.split('/', 3)[3]} | {seconds(t.seconds)} | {t.exceptions} "
                  f"| {t.problem} |" for t in report.tabs]
        lines += ["", f"Server RSS peak during the tabs: {report.rss_mb['tabs_peak']:.0f} MB. "
                  f"The tabs took {cpu_sentence(report.tabs_cpu, m['nproc'])}."]
    return "\n".join(lines)


# ---------------------------------------------------------------- main

@dataclass
class Served:
    """A fresh server on ``port``, its process tree under ``pid``."""

    port: int
    pid: int
    teacher: Visit | None = None
    log: str = ""  # what it printed, once it stopped

    @property
    def tracebacks(self) -> int:
        return self.log.count("Traceback (most recent call last)")


@contextlib.contextmanager
def fresh_server(timeout: float, processes: int = 0):
    """A server (or a lecture hall of ``processes``) on a free loopback port,
    after the teacher's first visit to the home page; stopped on leaving."""
    port = free_port()
    with tempfile.TemporaryFile("w+") as log:
        process = start_server(port, log, processes)
        served = Served(port, process.pid)
        try:
            wait_healthy(port, process)
            served.teacher = asyncio.run(teacher(port, timeout))
            yield served
        finally:
            stop_server(process)
            log.seek(0)
            served.log = log.read()
            if served.teacher is None:
                print(served.log[-3000:], file=sys.stderr)


def benchmark(args: argparse.Namespace) -> Report:
    report = Report(machine(), args.students, args.shared, processes=args.processes)
    with fresh_server(args.timeout, args.processes) as server:
        report.teacher = server.teacher
        visits = student_visits(args.students, args.shared)
        before = snapshot(server.pid)
        with PeakRSS(server.pid) as watch:
            report.visits, after, report.killed = asyncio.run(run_class(
                server.port, visits, args.jitter, args.timeout, random.Random(args.rng_seed),
                server.pid, args.kill_workers))
        report.rss_mb = {"before": before["rss_kb"] / 1024, "peak": watch.peak_kb / 1024,
                         "after": after["rss_kb"] / 1024}
        report.class_cpu = cpu_use(before, after)
        if args.browser_tabs:
            with PeakRSS(server.pid) as watch:
                report.tabs, report.tabs_cpu = asyncio.run(browser_tabs(
                    tab_urls(server.port, args.browser_tabs, args.students), args.timeout,
                    server.pid))
            report.rss_mb["tabs_peak"] = watch.peak_kb / 1024
    report.server_tracebacks = server.tracebacks
    return report


TARGET_P95 = 3.0  # seconds: what a class should wait at most, but for one or two students


def spread(reports: list[Report]) -> str:
    """One row per run (each on a fresh server), and how often the p95 met the target:
    on a shared machine one class can be unlucky, so one run proves little."""
    rows = [summary(r) | {"cpu": r.class_cpu} for r in reports]
    lines = ["", f"## {len(reports)} runs, each on a fresh server", "",
             "| run | p50 s | p95 s | max s | failures | server CPU-s (main + workers) "
             "| per student | other programs CPU-s |", "|---|---|---|---|---|---|---|---|"]
    for index, row in enumerate(rows, start=1):
        cpu = row["cpu"]
        lines.append(f"| {index} | {seconds(row['p50'])} | {seconds(row['p95'])} "
                     f"| {seconds(row['max'])} | {row['failures']} | {cpu['server']:.1f} "
                     f"({cpu['main']:.1f} + {cpu['workers']:.1f}) "
                     f"| {row['cpu_per_student']:.3f} | {cpu['others']:.1f} |")
    p95s = [row["p95"] for row in rows if row["p95"] is not None]
    met = sum(p95 <= TARGET_P95 for p95 in p95s)
    per_student = [row["cpu_per_student"] for row in rows]
    lines += ["", f"p95 within {TARGET_P95:g} s in {met} of {len(reports)} runs; median p95 "
              f"{seconds(statistics.median(p95s) if p95s else None)} s, from "
              f"{seconds(min(p95s, default=None))} to {seconds(max(p95s, default=None))} s. "
              f"Server CPU-s per student: median {statistics.median(per_student):.3f}, from "
              f"{min(per_student):.3f} to {max(per_student):.3f}."]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument("--shared", action="store_true",
                        help="every student asks for the default strategy and seed")
    parser.add_argument("--browser-tabs", type=int, default=3,
                        help="real Chromium tabs opened after the class (0 skips them)")
    parser.add_argument("--timeout", type=float, default=60.0,
                        help="seconds one student or tab may take")
    parser.add_argument("--jitter", type=float, default=0.5,
                        help="students arrive within this many seconds")
    parser.add_argument("--rng-seed", type=int, default=0, help="seed of the arrival jitter")
    parser.add_argument("--runs", type=int, default=1,
                        help="classes to run, each on a fresh server; the first is reported "
                             "in full, then a row per run")
    parser.add_argument("--processes", type=int, default=0,
                        help="serve through scripts/lecture_hall.py: nginx in front of this "
                             "many Streamlit processes (0, the default: one process, no proxy)")
    parser.add_argument("--kill-workers", type=int, default=0, metavar="TIMES",
                        help="kill the training workers this many times, a second apart, "
                             "while the class loads")
    parser.add_argument("--json", type=Path, help="also write the results to this JSON file")
    args = parser.parse_args()
    if (args.students < 1 or args.browser_tabs < 0 or args.timeout <= 0 or args.jitter < 0
            or args.runs < 1 or args.processes < 0 or args.kill_workers < 0):
        parser.error("needs --students >= 1, --browser-tabs >= 0, --timeout > 0, --jitter >= 0, "
                     "--runs >= 1, --processes >= 0, --kill-workers >= 0")
    reports = [benchmark(args)]
    print(markdown(reports[0]), flush=True)
    for _ in range(args.runs - 1):  # the browser tabs only once: they measure Chromium
        reports.append(benchmark(argparse.Namespace(**{**vars(args), "browser_tabs": 0})))
    if args.runs > 1:
        print(spread(reports))
    if args.json:
        data = [{"summary": summary(report),
                 "failures": {v.who: v.failure() for v in report.visits if not v.ok},
                 **asdict(report)} for report in reports]
        args.json.write_text(json.dumps(data if args.runs > 1 else data[0], indent=2) + "\n")


if __name__ == "__main__":
    main()
