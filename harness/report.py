"""What a benchmark prints besides its figures: the machine they were
measured on, and Markdown tables."""

from __future__ import annotations

import os
import platform
import time
from pathlib import Path

import numpy as np
import streamlit


def machine() -> dict:
    cpuinfo = Path("/proc/cpuinfo").read_text()
    model = next((line.split(":", 1)[1].strip() for line in cpuinfo.splitlines()
                  if line.startswith("model name")), platform.processor() or platform.machine())
    return {"nproc": len(os.sched_getaffinity(0)), "cpu": model,
            "python": platform.python_version(), "numpy": np.__version__,
            "streamlit": streamlit.__version__}


def speed_probe(repeats: int = 5) -> float:
    """CPU milliseconds of a fixed numpy workload shaped like the app's (small
    matrix products, exponentials, sorts of score rows), the fastest of
    ``repeats``. The same code on the same machine measures differently from
    one hour to the next (a virtual machine shares its host): tables measured
    at different times compare only together with their probes."""
    rng = np.random.default_rng(0)
    x, w = rng.standard_normal((128, 16)), rng.standard_normal((16, 32))
    scores = rng.standard_normal((180, 240))
    best = float("inf")
    for _ in range(repeats):
        start = time.process_time()
        for _ in range(200):
            np.exp(np.maximum(x @ w, 0.0)).sum(axis=1)
        for _ in range(20):
            np.argsort(scores, axis=1)
        best = min(best, time.process_time() - start)
    return 1000 * best


def machine_line() -> str:
    m = machine()
    return (f"Machine: {m['nproc']} CPUs (nproc), {m['cpu']}; numpy {m['numpy']}, "
            f"Python {m['python']}, Streamlit {m['streamlit']}; speed probe "
            f"{speed_probe():.1f} ms (harness/report.py: lower is faster)")


def markdown_table(headers: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in rows])
