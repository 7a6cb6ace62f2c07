"""What abusive sessions cost an honest student: the wait for a new configuration.

    .venv/bin/python scripts/benchmark_abuse.py [--scenario all] [--timeout 180]

Each scenario runs on a fresh server (`streamlit run app.py`, loopback), after
the teacher's first visit to the home page:

- leavers: 30 sessions, each from its own address, open /train on a different
  largest `hard` configuration and leave a second later; then a student opens
  a new configuration.
- clicker: one tab on the largest `hard` configuration clicks the seed's "+"
  20 times in 4 s (a rerun with the seed's new value each time, as the
  browser sends); then a student opens a new configuration.
- compare: 4 tabs from one address open /compare at the largest sizes, each
  on its own seed (eight runs each, 32 in all), and stay; a second later a
  student opens a new configuration.
- clear-cache: five students open the default /train page again and again,
  for 10 s on a quiet server, then for 30 s while another client sends
  Streamlit's clear_cache message 60 times; the medians of both.
- mf: 24 sessions, each from its own address, open /mf at the largest sizes
  (mf_dim 32), each with its own unobserved weight w0 (0.01 to 0.24), and
  stay; a second later a student opens a new configuration.
- upload: five uploads of 150 MB each to Streamlit's upload endpoint, as a
  file uploader would send them (the XSRF cookie of a page visit, the id of
  the session), all at once; then a student opens a new configuration.

The student (an address of their own) asks for the default sizes with a seed
nobody used (the Train page trains that run and its positives-only baseline),
once before the abuse on the same fresh server (the baseline, measured in the
same minute) and once after it starts. Prints a Markdown table: the student's
seconds to a finished page with its chart, the baseline, the training
workers' CPU-seconds from the start of the abuse until they were idle (no
worker CPU for 2 s) and when that was, the server's peak RSS (its process
tree, sampled every 0.2 s) and the machine's load average. Not a test:
nothing is asserted; on a shared machine, note what else ran (the last columns).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from urllib.parse import urlencode

from benchmark_classroom import LARGEST, fresh_server
from streamlit.proto.WidgetStates_pb2 import WidgetStates

from harness.processes import (
    PeakRSS,
    cpu_seconds,
    processes_cpu_seconds,
    training_workers,
)
from harness.report import machine
from harness.streamlit_client import (
    Visit,
    clear_cache_request,
    load_page,
    open_session,
    read_run,
    rerun_request,
    upload_status,
)

SCENARIOS = ("leavers", "clicker", "compare", "clear-cache", "mf", "upload")
# The MF page at the largest sizes the parameters allow.
LARGEST_MF = {"groups": 8, "items_per_group": 60, "queries_per_group": 300,
              "test_queries_per_group": 50, "positives": 10, "mf_dim": 32}
UPLOAD_BYTES = 150 * 2**20
IDLE_SECONDS = 2.0  # no worker CPU for this long: the server has stopped training
# What issue 9 measured before the queue (same workloads, same machine).
BEFORE = {"leavers": "88 s; 183 worker CPU-s over 105 s",
          "clicker": "about 15 runs queued: 83 worker CPU-s, idle after 48 s",
          "compare": "29.7 s",
          "clear-cache": "median 0.08 s quiet, 0.46 s during the flood",
          # What issue 17 measured before this work.
          "mf": "median 5.7 s, max 10.5 s (baseline 0.15 s)",
          "upload": "accepted: 727 -> 1,480 MB, held for minutes"}


class WorkerCPU:
    """The training workers' CPU-seconds since start (workers that die are replaced:
    what a dead one used is kept)."""

    def __init__(self, server_pid: int):
        self.server_pid = server_pid
        self.used: dict[int, float] = {}
        self.start = self.total()

    def total(self) -> float:
        for pid in training_workers(self.server_pid):
            self.used[pid] = processes_cpu_seconds({pid})
        return sum(self.used.values())

    async def until_idle(self, began: float, timeout: float) -> tuple[float, float]:
        """Wait until the workers used no CPU for IDLE_SECONDS; returns their
        CPU-seconds since start, and when they went idle (seconds after ``began``)."""
        last, last_change = self.total(), time.perf_counter()
        deadline = time.perf_counter() + timeout
        while time.perf_counter() - last_change < IDLE_SECONDS and time.perf_counter() < deadline:
            await asyncio.sleep(0.25)
            now = self.total()
            if now - last > 0.02:
                last, last_change = now, time.perf_counter()
        return last - self.start, last_change - began


def student_visit(seed: int) -> Visit:
    return Visit("student", page="train", query_string=urlencode({"seed": seed}),
                 address="10.9.9.9")


async def open_page(port: int, visit: Visit, timeout: float) -> Visit:
    """One student: open the page, wait for it, leave."""
    async with await open_session(port, visit.address, timeout) as ws:
        await load_page(ws, visit, timeout)
    return visit


async def drain(ws) -> None:
    """Read and drop what the server sends, as a browser tab would."""
    try:
        async for _ in ws:
            pass
    except Exception:  # the tab is closed at the end of the scenario
        pass


async def leavers(port: int, timeout: float) -> dict:
    async def leave(i: int) -> None:
        async with await open_session(port, f"10.66.{i // 250}.{i % 250 + 1}", timeout) as ws:
            await ws.send(rerun_request("train", urlencode({**LARGEST, "seed": i})))
            await asyncio.sleep(1.0)
    await asyncio.gather(*(leave(i) for i in range(30)))
    return {"student": await open_page(port, student_visit(1001), timeout)}


async def clicker(port: int, timeout: float) -> dict:
    query = urlencode(LARGEST)
    seed_widget = []

    def find_seed(msg) -> None:
        if msg.WhichOneof("type") == "delta" and msg.delta.HasField("new_element"):
            element = msg.delta.new_element
            if element.WhichOneof("type") == "number_input" and \
                    element.number_input.label == "seed":
                seed_widget.append(element.number_input.id)

    async with await open_session(port, "10.77.0.1", timeout) as ws:
        await ws.send(rerun_request("train", query))
        async with asyncio.timeout(timeout):
            await read_run(ws, find_seed)
        reader = asyncio.create_task(drain(ws))
        for seed in range(1, 21):  # 20 clicks on "+" in 4 s
            widgets = WidgetStates()
            state = widgets.widgets.add()
            state.id, state.double_value = seed_widget[0], seed
            await ws.send(rerun_request("train", query, widgets))
            await asyncio.sleep(0.2)
        student = await open_page(port, student_visit(1002), timeout)
        reader.cancel()
    return {"student": student}


async def compare(port: int, timeout: float) -> dict:
    tabs = [await open_session(port, "10.88.0.1", timeout) for _ in range(4)]
    for seed, ws in enumerate(tabs):  # 32 different runs
        await ws.send(rerun_request("compare", urlencode({**LARGEST, "seed": seed})))
    readers = [asyncio.create_task(drain(ws)) for ws in tabs]
    await asyncio.sleep(1.0)
    student = await open_page(port, student_visit(1003), timeout)
    for ws, reader in zip(tabs, readers, strict=True):
        reader.cancel()
        await ws.close()
    return {"student": student}


async def clear_cache(port: int, timeout: float) -> dict:
    async def loads(seconds: float) -> list[Visit]:
        """Five students opening the default page again and again, for ``seconds``."""
        visits, end = [], time.perf_counter() + seconds

        async def student() -> None:
            while time.perf_counter() < end:
                visits.append(await open_page(port, student_visit(0), timeout))
        await asyncio.gather(*(student() for _ in range(5)))
        return visits

    quiet = await loads(10.0)

    async def flood(ws) -> None:
        for _ in range(60):  # 60 in 30 s
            await ws.send(clear_cache_request())
            await asyncio.sleep(0.5)

    async with await open_session(port, "10.99.0.1", timeout) as ws:
        reader = asyncio.create_task(drain(ws))
        flooding = asyncio.create_task(flood(ws))
        flooded = await loads(30.0)
        await flooding
        reader.cancel()
    return {"quiet": quiet, "student": flooded}


async def mf(port: int, timeout: float) -> dict:
    async def tab(i: int):
        ws = await open_session(port, f"10.55.0.{i + 1}", timeout)
        w0 = round(0.01 * (i + 1), 2)
        await ws.send(rerun_request("mf", urlencode({**LARGEST_MF, "unobserved_weight": w0})))
        return ws

    tabs = await asyncio.gather(*(tab(i) for i in range(24)))
    readers = [asyncio.create_task(drain(ws)) for ws in tabs]
    await asyncio.sleep(1.0)
    student = await open_page(port, student_visit(1004), timeout)
    for ws, reader in zip(tabs, readers, strict=True):
        reader.cancel()
        await ws.close()
    return {"student": student}


async def upload(port: int, timeout: float) -> dict:
    statuses = await asyncio.gather(*(upload_status(port, UPLOAD_BYTES, timeout=timeout)
                                      for _ in range(5)))
    return {"student": await open_page(port, student_visit(1005), timeout),
            "note": f"answers {', '.join(map(str, statuses))}"}


def median_and_p90(visits: list[Visit]) -> str:
    times = sorted(v.seconds for v in visits if v.ok)
    if not times:
        return "n/a"
    return (f"{statistics.median(times):.2f} s (p90 {times[int(0.9 * (len(times) - 1))]:.2f}, "
            f"{len(times)} loads)")


def scenario_row(name: str, result: dict, cpu: tuple[float, float], others: float,
                 baseline: Visit, peak_mb: float, load: float) -> str:
    visits = result["student"] if isinstance(result["student"], list) else [result["student"]]
    failed = [v.failure() for v in [*visits, baseline] if not v.ok]
    times = [v.seconds for v in visits if v.ok]
    if name == "clear-cache":
        wait = (f"median {median_and_p90(result['quiet'])} quiet, "
                f"{median_and_p90(visits)} during the flood")
    else:
        wait = f"{times[0]:.2f} s" if times else "n/a"
    problems = "; ".join(failed + ([result["note"]] if "note" in result else [])) or "none"
    base = f"{baseline.seconds:.2f} s" if baseline.ok else "n/a"
    return (f"| {name} | {wait} | {base} | {cpu[0]:.1f} worker CPU-s, idle after {cpu[1]:.1f} s "
            f"| {peak_mb:.0f} MB | {BEFORE[name]} | {problems} | {others:.1f} | {load:.1f} |")


async def run_scenario(name: str, port: int, server_pid: int, timeout: float) -> str:
    load = os.getloadavg()[0]
    baseline = await open_page(port, student_visit(900 + SCENARIOS.index(name)), timeout)
    workers = WorkerCPU(server_pid)
    began, machine_before = time.perf_counter(), cpu_seconds(server_pid)
    scenario = {"leavers": leavers, "clicker": clicker, "compare": compare,
                "clear-cache": clear_cache, "mf": mf, "upload": upload}[name]
    with PeakRSS(server_pid) as rss:
        result = await scenario(port, timeout)
        used = await workers.until_idle(began, timeout)
    after = cpu_seconds(server_pid)
    others = (after["machine"] - machine_before["machine"]) - (
        after["server"] - machine_before["server"]) - (after["self"] - machine_before["self"])
    return scenario_row(name, result, used, max(0.0, others), baseline, rss.peak_kb / 1024, load)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", choices=(*SCENARIOS, "all"), default="all")
    parser.add_argument("--timeout", type=float, default=180.0,
                        help="seconds a page load, or the wait for idle workers, may take")
    args = parser.parse_args()
    m = machine()
    print(f"Abusive sessions against one server; machine: {m['nproc']} cores, {m['cpu']}; "
          f"Python {m['python']}, Streamlit {m['streamlit']}.\n")
    print("| scenario | the student's wait | baseline (same server, before) "
          "| training (from the abuse until idle) | server RSS peak | before (issues 9, 17) "
          "| failures | other programs' CPU-s | load average |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name in SCENARIOS if args.scenario == "all" else (args.scenario,):
        with fresh_server(args.timeout) as server:
            print(asyncio.run(run_scenario(name, server.port, server.pid, args.timeout)),
                  flush=True)
        if server.tracebacks:
            print(f"({name}: the server logged {server.tracebacks} tracebacks)", file=sys.stderr)


if __name__ == "__main__":
    main()
