"""Make ``import recdemo`` work however pytest is started (``pytest`` or ``python -m pytest``),
and the fixtures of the browser tests: a real app server and one Chromium."""

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))
# The benchmarks' helpers that tests share (scripts/benchmark_browser.py's query_squares).
if str(REPO_ROOT / "scripts") not in sys.path:
    sys.path.append(str(REPO_ROOT / "scripts"))


# ---------------------------------------------------------------- browser tests
# A real Streamlit server and one Chromium for the whole session (tests/test_browser.py).

CHROMIUM = "/usr/bin/chromium"  # Debian's; Playwright's own browser download does not work here
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
SERVER_START_TIMEOUT = 60  # seconds until /_stcore/health answers 200


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def streamlit_server(root: Path = REPO_ROOT, env: dict | None = None):
    """Run ``streamlit run app.py`` from ``root`` (the repo, or a copy of it) on
    a free port, with ``env`` added to the environment; yield its base URL."""
    port = _free_port()
    log = tempfile.TemporaryFile()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
         "--server.port", str(port), "--browser.gatherUsageStats", "false",
         "--server.runOnSave", "false"],
        cwd=root, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        env={**os.environ, **(env or {})},
    )
    no_proxy = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # a local server
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while True:
            try:
                with no_proxy.open(f"{url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, OSError):
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                output = log.read().decode(errors="replace")[-3000:]
                state = (f"exited with {proc.returncode}" if proc.poll() is not None
                         else f"not healthy after {SERVER_START_TIMEOUT} s")
                pytest.fail(f"streamlit server {state}; its output:\n{output}")
            time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def _chromium_path() -> str | None:
    if os.access(CHROMIUM, os.X_OK):
        return CHROMIUM
    return shutil.which("chromium")


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Where Chromium is. Missing: the browser tests skip, but under CI (CI=true) they fail."""
    path = _chromium_path()
    if path is None:
        message = (f"Chromium not found (neither {CHROMIUM} nor `chromium` on PATH); "
                   "install Debian's package: apt-get install chromium")
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true and the browser tests cannot run: {message}", pytrace=False)
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def browser(chromium_path):
    """One Chromium for the session; each test opens its own context (cheap) from it."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def app_url(chromium_path):
    """Base URL of one app server shared by the browser tests (the browser is checked
    first, so a missing one skips before a server starts)."""
    with streamlit_server() as url:
        yield url


@pytest.fixture
def fresh_app_url(chromium_path):
    """Base URL of a server of its own, started for one test and stopped after it:
    for what happens on a fresh server's very first request."""
    with streamlit_server() as url:
        yield url
