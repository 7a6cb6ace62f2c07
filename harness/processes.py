"""A server under measurement (harness/server.py starts one): its process
tree, the RSS and CPU time of its processes (Streamlit, the training
workers), and the machine's CPU time.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

RSS_SAMPLE_SECONDS = 0.2


def parent_pid(pid: int) -> int | None:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except OSError:
        return None


def process_tree(pid: int) -> set[int]:
    """``pid`` and all its descendants."""
    parents = {int(entry.name): parent_pid(int(entry.name))
               for entry in Path("/proc").iterdir() if entry.name.isdigit()}
    family, frontier = {pid}, [pid]
    while frontier:
        parent = frontier.pop()
        children = [p for p, pp in parents.items() if pp == parent and p not in family]
        family.update(children)
        frontier.extend(children)
    return family


def tree_rss_kb(pid: int) -> int:
    """VmRSS of ``pid`` and all its descendants, in kB (0 once it is gone)."""
    total = 0
    for member in process_tree(pid):
        try:
            status = Path(f"/proc/{member}/status").read_text()
        except OSError:
            continue
        total += next((int(line.split()[1]) for line in status.splitlines()
                       if line.startswith("VmRSS:")), 0)
    return total


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def streamlit_processes(pids: set[int]) -> set[int]:
    """The Streamlit servers among ``pids``, where every session's script runs."""
    return {pid for pid in pids if "streamlit run" in command_line(pid)}


def training_workers(server_pid: int) -> set[int]:
    """The training worker processes of a server (or a lecture hall): the
    children of a multiprocessing forkserver (forked, they share its command line)."""
    forked = {pid for pid in process_tree(server_pid)
              if "multiprocessing.forkserver" in command_line(pid)}
    return {pid for pid in forked if parent_pid(pid) in forked}


def processes_cpu_seconds(pids: set[int]) -> float:
    """CPU time used so far by the processes still alive among ``pids``."""
    ticks = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def cpu_seconds(server_pid: int) -> dict[str, float]:
    """CPU time used so far: by the server's process tree (and its Streamlit
    processes, where every session's script runs), by this script, by
    its other children (Playwright's driver and Chromium), by the whole machine
    (all cores). Differences of two readings tell how busy the server was, and
    whether other programs shared the cores."""
    server = process_tree(server_pid)
    helpers = process_tree(os.getpid()) - server - {os.getpid()}
    user, nice, system, idle, iowait, irq, softirq, steal = map(
        int, Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9])
    return {"server": processes_cpu_seconds(server),
            "main": processes_cpu_seconds(streamlit_processes(server)),
            "self": time.process_time(),
            "browser": processes_cpu_seconds(helpers),
            "machine": (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")}


def snapshot(server_pid: int) -> dict:
    return {"time": time.perf_counter(), "rss_kb": tree_rss_kb(server_pid),
            "cpu": cpu_seconds(server_pid)}


def cpu_use(before: dict, after: dict) -> dict[str, float]:
    """Wall seconds between two snapshots, and the CPU seconds spent in them."""
    spent = {k: after["cpu"][k] - before["cpu"][k] for k in before["cpu"]}
    others = spent["machine"] - spent["server"] - spent["self"] - spent["browser"]
    return {"wall": after["time"] - before["time"], "server": spent["server"],
            "main": spent["main"], "workers": max(0.0, spent["server"] - spent["main"]),
            "benchmark": spent["self"], "browser": spent["browser"], "others": max(0.0, others)}


class PeakRSS:
    """Samples a process tree's RSS every 0.2 s in a thread, inside a ``with`` block."""

    def __init__(self, pid: int):
        self.pid, self.peak_kb = pid, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak_kb = max(self.peak_kb, tree_rss_kb(self.pid))
            self._stop.wait(RSS_SAMPLE_SECONDS)

    def __enter__(self) -> PeakRSS:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
