"""A Streamlit server under measurement, for the benchmarks next to this file:
start one (or a lecture hall, scripts/lecture_hall.py) on a free loopback
port, wait until it answers, stop it; its process tree, the RSS and CPU time
of its processes (Streamlit, the training workers), and the machine's.
"""

from __future__ import annotations

import os
import platform
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import streamlit
from streamlit_client import HOST

ROOT = Path(__file__).resolve().parents[1]
STARTUP_TIMEOUT = 60.0
RSS_SAMPLE_SECONDS = 0.2


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def start_server(port: int, log, processes: int = 0) -> subprocess.Popen:
    """One Streamlit process on ``port`` (``processes`` 0), or a lecture hall:
    nginx on ``port`` in front of that many Streamlit processes."""
    if processes:
        command = [sys.executable, "scripts/lecture_hall.py", "--processes", str(processes),
                   "--port", str(port)]
    else:
        command = [sys.executable, "-m", "streamlit", "run", "app.py",
                   "--server.headless", "true", "--server.port", str(port),
                   "--server.address", HOST, "--browser.gatherUsageStats", "false"]
    return subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)


def wait_healthy(server: subprocess.Popen, port: int) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline and server.poll() is None:
        try:
            with urllib.request.urlopen(f"http://{HOST}:{port}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.25)
    raise RuntimeError(f"server not healthy after {STARTUP_TIMEOUT:.0f} s "
                       f"(exit code {server.poll()})")


def stop_server(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=10)


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


def machine() -> dict:
    cpuinfo = Path("/proc/cpuinfo").read_text()
    model = next((line.split(":", 1)[1].strip() for line in cpuinfo.splitlines()
                  if line.startswith("model name")), platform.processor() or platform.machine())
    return {"nproc": len(os.sched_getaffinity(0)), "cpu": model,
            "python": platform.python_version(), "streamlit": streamlit.__version__}
