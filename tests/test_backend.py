"""backend/ driven directly: importing it (or ui) sets up nothing, and its
worker pool replaces a worker process that dies. The queue and the caches
have their own tests (test_scheduler.py)."""

from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
import sys
import time
from concurrent.futures.process import BrokenProcessPool

import pytest

from backend.pool import WorkerPool
from harness.server import ROOT

# Run in a fresh interpreter: imports ``modules`` and reports what they did
# to the process. A call of mallopt is caught where any code would reach it,
# through ctypes.CDLL; the BLAS limit is compared for every library numpy
# had loaded before.
IMPORT_AND_REPORT = """
import ctypes, json, multiprocessing, sys, threading
import numpy, threadpoolctl

called = []
class Recorded:
    def __init__(self, library):
        self.library = library
    def __getattr__(self, name):
        if name == "mallopt":
            called.append(name)
        return getattr(self.library, name)
real_cdll = ctypes.CDLL
ctypes.CDLL = lambda *args, **kwargs: Recorded(real_cdll(*args, **kwargs))
blas = {info["filepath"]: info["num_threads"] for info in threadpoolctl.threadpool_info()}
for module in sys.argv[1:]:
    __import__(module)
modules = sorted(sys.modules)
app_session = sys.modules.get("streamlit.runtime.app_session")
print(json.dumps({
    "modules": modules,
    "threads": [thread.name for thread in threading.enumerate()],
    "children": len(multiprocessing.active_children()),
    "mallopt": called,
    "blas_changed": [path for path, info in ((i["filepath"], i) for i in
                     threadpoolctl.threadpool_info()) if path in blas
                     and info["num_threads"] != blas[path]],
    "link_check": app_session is not None
                  and getattr(app_session.sanitize_query_string, "recdemo", False),
}))
"""


def imported(*modules: str) -> dict:
    run = subprocess.run([sys.executable, "-c", IMPORT_AND_REPORT, *modules], cwd=ROOT,
                         capture_output=True, text=True, timeout=120,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def starts_nothing(report: dict) -> None:
    assert report["threads"] == ["MainThread"]
    assert report["children"] == 0
    assert report["mallopt"] == [], "no mallopt on import"
    assert report["blas_changed"] == [], "no BLAS thread limit on import"
    assert not report["link_check"], "Streamlit's link handling left as it is"


@pytest.mark.parametrize("module", ["backend.cache", "backend.scheduler", "backend.pool",
                                    "backend.worker", "backend.process"])
def test_a_backend_module_imports_no_streamlit_and_starts_nothing(module):
    report = imported(module)
    starts_nothing(report)
    packages = {name.split(".")[0] for name in report["modules"]}
    assert not packages & {"streamlit", "ui", "harness"}


def test_importing_ui_sets_up_nothing():
    """The pages' facade and every ui module: the process's set-up is
    ui/start.py's start(), which the app calls."""
    starts_nothing(imported("ui", "ui.work", "ui.runs", "ui.start"))


@pytest.fixture(scope="module")
def pool():
    """Spawned, not from the forkserver: a process has one forkserver, and the
    app's (ui/work.py) must be the first to start it, with its preloads."""
    return WorkerPool(1, multiprocessing.get_context("spawn"))


def test_a_worker_that_died_idle_is_replaced_before_its_next_call(pool):
    first = pool.submit(os.getpid).result(timeout=60)
    (process,) = pool.processes
    process.kill()
    process.join()
    assert pool.submit(os.getpid).result(timeout=60) != first


def test_a_worker_that_dies_in_a_call_fails_only_that_call(pool):
    with pytest.raises(BrokenProcessPool):
        pool.submit(os._exit, 1).result(timeout=60)
    assert pool.submit(sum, [1, 2]).result(timeout=60) == 3


def test_an_express_call_runs_while_the_regular_worker_is_busy():
    pool = WorkerPool(1, multiprocessing.get_context("spawn"), express=1)
    try:
        busy = pool.submit(time.sleep, 600)  # the regular worker: busy until killed
        express = pool.submit(os.getpid, express=True).result(timeout=120)
        assert not busy.done(), "the express call did not wait for the regular one"
        regular_pids = {process.pid for process in pool.processes} - {express}
        assert len(regular_pids) == 1, "an express process of its own"
    finally:
        for process in list(pool.processes):
            process.kill()


def test_an_exception_in_a_call_is_the_callers(pool):
    with pytest.raises(ZeroDivisionError):
        pool.submit(divmod, 1, 0).result(timeout=60)
    assert len(pool.processes) == 1
