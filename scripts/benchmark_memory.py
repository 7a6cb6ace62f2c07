"""The server's memory over many large configurations and open tabs, against the
ceiling docs/deployment.md states.

    .venv/bin/python scripts/benchmark_memory.py [--configurations 300] [--tabs 250]
        [--concurrency 8] [--strategy positives-only] [--timeout 180]

Starts a server (`streamlit run app.py`, loopback), opens the home page once,
then opens /train on --configurations distinct configurations at the largest
sizes the parameters allow (scripts/benchmark_classroom.py's LARGEST, seed i
for the i-th), --concurrency at a time, each from an address of its own. Every
tab stays open (its websocket connected, as a browser tab) until --tabs are
open; then the oldest closes as each new one opens. Then every tab closes,
and the server idles 30 s.

Prints the RSS of the server's process tree (Streamlit, the training workers
and their forkserver), its peak (sampled every 0.2 s) and the Streamlit
process alone at each step, against CEILING_MB. The default strategy is
positives-only: at the same sizes every strategy keeps the same snapshots and
draws the same figure, and positives-only is the only one that is its own
baseline (one run per tab, not two), which keeps the benchmark to minutes.
Not a test: nothing is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import time
from pathlib import Path
from urllib.parse import urlencode

from benchmark_classroom import LARGEST, fresh_server, student_address

from harness.processes import PeakRSS, streamlit_processes, tree_rss_kb
from harness.report import machine
from harness.streamlit_client import Visit, load_page, open_session

CEILING_MB = 1536  # the whole server, as docs/deployment.md states it (and why)
IDLE_AFTER_SECONDS = 30


def rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return next(int(line.split()[1]) for line in status.splitlines()
                if line.startswith("VmRSS:")) / 1024


class Server:
    """What a row reports: the tree's RSS and the Streamlit process's."""

    def __init__(self, pid: int):
        self.pid = pid
        self.streamlit = next(iter(streamlit_processes({pid})))

    def row(self, moment: str, peak_mb: float | None = None) -> str:
        peak = f"{peak_mb:.0f}" if peak_mb is not None else ""
        return (f"| {moment} | {tree_rss_kb(self.pid) / 1024:.0f} | {peak} "
                f"| {rss_mb(self.streamlit):.0f} |")


async def open_tabs(port: int, args: argparse.Namespace) -> tuple[list[Visit], list]:
    """Open every configuration's tab; returns the visits and the tabs still open."""
    open_now: collections.deque = collections.deque()
    slots = asyncio.Semaphore(args.concurrency)
    visits = []

    async def tab(i: int) -> None:
        visit = Visit(f"tab {i}", "train",
                      urlencode({**LARGEST, "strategy": args.strategy, "seed": i}),
                      address=student_address(i))
        visits.append(visit)
        async with slots:
            ws = await open_session(port, visit.address, args.timeout)
            await load_page(ws, visit, args.timeout)
            open_now.append(ws)
            while len(open_now) > args.tabs:
                await open_now.popleft().close()

    await asyncio.gather(*(tab(i) for i in range(args.configurations)))
    return visits, list(open_now)


async def measure(port: int, server: Server, args: argparse.Namespace,
                  watch: PeakRSS) -> tuple[list[str], list[Visit], float]:
    """Open the tabs, close them, idle: a row after each step."""
    start = time.perf_counter()
    visits, tabs = await open_tabs(port, args)
    rows = [server.row(f"{args.configurations} configurations opened, {len(tabs)} tabs "
                       "still open", watch.peak_kb / 1024)]
    minutes = (time.perf_counter() - start) / 60
    await asyncio.gather(*(ws.close() for ws in tabs))
    await asyncio.sleep(1)
    rows.append(server.row("every tab closed"))
    await asyncio.sleep(IDLE_AFTER_SECONDS)
    rows.append(server.row(f"{IDLE_AFTER_SECONDS} s later", watch.peak_kb / 1024))
    return rows, visits, minutes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--configurations", type=int, default=300)
    parser.add_argument("--tabs", type=int, default=250, help="tabs kept open at most")
    parser.add_argument("--concurrency", type=int, default=8, help="tabs opening at once")
    parser.add_argument("--strategy", default="positives-only")
    parser.add_argument("--timeout", type=float, default=180.0, help="seconds per tab")
    args = parser.parse_args()
    m = machine()
    with fresh_server(args.timeout) as served:
        server = Server(served.pid)
        rows = [server.row("after the teacher's first visit")]
        with PeakRSS(server.pid) as watch:
            measured, visits, minutes = asyncio.run(measure(served.port, server, args, watch))
        rows += measured
        peak = watch.peak_kb / 1024
    failed = [v for v in visits if not v.ok]
    print(f"Memory: {args.configurations} distinct configurations at the largest sizes "
          f"(strategy {args.strategy}), {args.concurrency} opening at once, at most {args.tabs} "
          f"tabs open; {minutes:.1f} minutes. Machine: {m['nproc']} cores, {m['cpu']}; "
          f"Python {m['python']}, Streamlit {m['streamlit']}.\n")
    print("| moment | server RSS, MB | peak so far | Streamlit process |")
    print("|---|---|---|---|")
    print("\n".join(rows))
    verdict = "under" if peak <= CEILING_MB else "OVER"
    print(f"\nPeak {peak:.0f} MB: {verdict} the ceiling of {CEILING_MB} MB. "
          f"{len(failed)} of {len(visits)} tabs failed"
          + (": " + "; ".join(sorted({v.failure() for v in failed})) if failed else "."))


if __name__ == "__main__":
    main()
