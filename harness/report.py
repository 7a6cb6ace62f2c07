"""What a benchmark prints besides its figures: the machine they were
measured on, and Markdown tables."""

from __future__ import annotations

import os
import platform
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


def machine_line() -> str:
    m = machine()
    return (f"Machine: {m['nproc']} CPUs (nproc), {m['cpu']}; numpy {m['numpy']}, "
            f"Python {m['python']}, Streamlit {m['streamlit']}")


def markdown_table(headers: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in rows])
