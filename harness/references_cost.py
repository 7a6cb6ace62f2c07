"""The references' CPU-seconds measured as a worker spends them: in a fresh
process (one that has imported more, ui say, hands freed memory back to the
system and faults it in again at every call), with one BLAS thread, the
fastest of three calls after a warm-up. tests/test_work_cost.py checks the
estimate against it; scripts/fit_work_cost.py fits the estimate to it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from recdemo.data import DataConfig

ROOT = Path(__file__).resolve().parents[1]


def references_cpu_seconds(data: DataConfig) -> float:
    script = f"""
import time
from threadpoolctl import threadpool_limits
from recdemo.data import DataConfig, make_dataset
from recdemo.references import references
dataset = make_dataset({data!r})
with threadpool_limits(1):
    references(dataset, 10)
    times = []
    for _ in range(3):
        start = time.process_time()
        references(dataset, 10)
        times.append(time.process_time() - start)
print(min(times))
"""
    return float(subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                                check=True, cwd=ROOT).stdout)
