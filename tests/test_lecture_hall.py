"""scripts/lecture_hall.py: nginx in front of two Streamlit processes, each
browser kept on one process by its cookie (its websocket, its page loads and
its /media/ files), and the page served through the proxy."""

import asyncio
import os
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from http.cookies import SimpleCookie

import pytest
import websockets
from websockets.typing import Subprotocol

from tests.conftest import REPO_ROOT, _free_port

sys.path.insert(0, str(REPO_ROOT / "scripts"))
from benchmark_classroom import Visit, load_page  # noqa: E402
from streamlit_client import COOKIE, open_session, read_run, rerun_request  # noqa: E402

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
BACKEND = "X-Recdemo-Backend"  # the process that answered, as the proxy says
NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@pytest.fixture(scope="module")
def hall():
    """The lecture hall on a free port, two processes; yields its port."""
    if not os.access(NGINX, os.X_OK):
        message = "nginx not found; install Debian's package: apt-get install nginx"
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true and the lecture hall cannot run: {message}", pytrace=False)
        pytest.skip(message)
    port = _free_port()
    process = subprocess.Popen([sys.executable, "scripts/lecture_hall.py", "--processes", "2",
                                "--port", str(port)], cwd=REPO_ROOT, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True)
    try:
        ready = process.stdout.readline()  # printed once both processes and nginx are up
        assert ready.startswith("Lecture hall:"), f"did not start (exit code {process.poll()})"
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)


def run(coroutine):
    """asyncio.run in a thread of its own: Playwright's sync API (the browser
    tests, in the same session) keeps an event loop running in this one."""
    with ThreadPoolExecutor(max_workers=1) as thread:
        return thread.submit(asyncio.run, coroutine).result()


def get(port: int, path: str, cookie: str | None = None):
    """(status, the backend that answered, the Set-Cookie value or None)."""
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}",
                                     headers={"Cookie": cookie} if cookie else {})
    try:
        with NO_PROXY.open(request, timeout=30) as response:
            status, headers = response.status, response.headers
    except urllib.error.HTTPError as err:
        status, headers = err.code, err.headers
    set_cookie = SimpleCookie(headers.get("Set-Cookie", ""))
    sent = set_cookie[COOKIE].value if COOKIE in set_cookie else None
    return status, headers[BACKEND], sent


async def websocket_backend(port: int, cookie: str) -> tuple[str, str]:
    """Open a session with the cookie, run the home page: (backend, outcome)."""
    async with websockets.connect(f"ws://127.0.0.1:{port}/_stcore/stream",
                                  subprotocols=[Subprotocol("streamlit")],
                                  additional_headers={"Cookie": cookie}, max_size=None) as ws:
        await ws.send(rerun_request("", ""))
        async with asyncio.timeout(60):
            outcome = await read_run(ws)
        return ws.response.headers[BACKEND], outcome


def test_a_browser_stays_on_one_process(hall):
    backends = set()
    for _ in range(16):  # sixteen browsers, each with a fresh cookie
        status, first, value = get(hall, "/")
        assert status == 200 and value, "the first visit sets the cookie"
        cookie = f"{COOKIE}={value}"
        backends.add(first)
        assert get(hall, "/_stcore/health", cookie)[:2] == (200, first)
        status, media, again = get(hall, "/media/no-such-file.html", cookie)
        assert (status, media, again) == (404, first, None), "/media/ reaches its process"
        assert run(websocket_backend(hall, cookie)) == (first, "success")
    assert len(backends) == 2, "browsers spread over both processes"


def test_the_train_page_loads_through_the_proxy(hall):
    visit = Visit("student", "train", "seed=3", address="10.0.0.7")

    async def load():
        async with await open_session(hall, visit.address) as ws:
            await load_page(ws, visit, timeout=120)

    run(load())
    assert visit.ok, visit.failure()
