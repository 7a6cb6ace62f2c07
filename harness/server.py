"""An app server for a test or a benchmark: ``streamlit run app.py`` (or a
lecture hall, scripts/lecture_hall.py) on a free loopback port, waited for
until its health check answers, stopped afterwards.

    with app_server() as url:  # http://127.0.0.1:PORT
        ...
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]  # the checkout: app.py, app_pages/, scripts/
HOST = "127.0.0.1"  # loopback only: the servers started here listen here and nowhere else
STARTUP_TIMEOUT = 60.0  # seconds until /_stcore/health answers 200
# Where the charts load plotly.js (ui/plot.py: a components.v1 name is its
# declaring module's, ui.plot, and its own, plotly_js). The lecture hall's
# proxy serves this file and no other of the plotly package's folder.
PLOTLY_JS = "/component/ui.plot.plotly_js/plotly.min.js"

_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # a local server


def free_port(host: str = HOST) -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def start_server(port: int, log, processes: int = 0, root: Path = ROOT,
                 env: dict | None = None) -> subprocess.Popen:
    """One Streamlit process on ``port`` (``processes`` 0), or a lecture hall:
    nginx on ``port`` in front of that many Streamlit processes. ``root`` is
    the checkout it runs from (a copy, say); ``env`` is added to the
    environment; its output goes to ``log``."""
    if processes:
        command = [sys.executable, "scripts/lecture_hall.py", "--processes", str(processes),
                   "--port", str(port)]
    else:
        command = [sys.executable, "-m", "streamlit", "run", "app.py",
                   "--server.headless", "true", "--server.port", str(port),
                   "--server.address", HOST, "--browser.gatherUsageStats", "false",
                   "--server.runOnSave", "false"]
    return subprocess.Popen(command, cwd=root, stdout=log, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, env={**os.environ, **(env or {})})


def wait_healthy(port: int, process: subprocess.Popen | None = None, host: str = HOST) -> None:
    """Wait for Streamlit's (or, through nginx, a hall's) health check to
    answer; RuntimeError if ``process`` exits first or STARTUP_TIMEOUT passes."""
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline and (process is None or process.poll() is None):
        try:
            with _NO_PROXY.open(f"http://{host}:{port}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    state = (f"exited with {process.returncode}" if process is not None and process.poll()
             is not None else f"not healthy after {STARTUP_TIMEOUT:.0f} s")
    raise RuntimeError(f"the server on {host}:{port} {state}")


def stop_server(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@contextlib.contextmanager
def app_server(root: Path = ROOT, env: dict | None = None):
    """``streamlit run app.py`` from ``root`` on a free port, with ``env``
    added to the environment; yields its base URL. If it does not come up,
    RuntimeError with the end of its output."""
    port = free_port()
    with tempfile.TemporaryFile() as log:
        process = start_server(port, log, root=root, env=env)
        try:
            try:
                wait_healthy(port, process)
            except RuntimeError as err:
                log.seek(0)
                output = log.read().decode(errors="replace")[-3000:]
                raise RuntimeError(f"{err}; its output:\n{output}") from None
            yield f"http://{HOST}:{port}"
        finally:
            stop_server(process)
