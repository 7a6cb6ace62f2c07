"""scripts/lecture_hall.py: nginx in front of two Streamlit processes under
supervisord, each browser kept on one process by its cookie (its websocket,
its page loads and its /media/ files), the page served through the proxy,
and nothing else: no version, no internal address, no metrics, no upload;
plotly.js whole to a slow client; a process that dies is replaced."""

import asyncio
import http.client
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from http.cookies import SimpleCookie
from pathlib import Path

import pytest
import websockets
from websockets.typing import Subprotocol

from harness.browser import READY, STRATEGY_RADIO
from harness.processes import command_line, process_tree
from harness.server import PLOTLY_JS, ROOT, free_port
from harness.streamlit_client import (
    COOKIE,
    Visit,
    load_page,
    open_session,
    read_run,
    rerun_request,
    run_in_thread,
    upload_status,
)

pytestmark = pytest.mark.slow  # nginx in front of two Streamlit processes

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
BACKEND = "X-Recdemo-Backend"  # the process that answered, as the proxy says
NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class Hall(int):
    """The hall's port, with its process id and its backends' ports by number."""

    pid: int
    backends: dict[str, int]

    def backend_pid(self, number: str) -> int | None:
        """The Streamlit process serving as backend ``number`` now."""
        option = f"--server.port {self.backends[number]} "
        return next((pid for pid in process_tree(self.pid)
                     if "streamlit run" in command_line(pid) and option in command_line(pid)),
                    None)


@pytest.fixture(scope="module")
def hall():
    """The lecture hall on a free port, two processes; yields it (a Hall)."""
    if not os.access(NGINX, os.X_OK):
        message = "nginx not found; install Debian's package: apt-get install nginx"
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true and the lecture hall cannot run: {message}", pytrace=False)
        pytest.skip(message)
    port = free_port()
    process = subprocess.Popen([sys.executable, "scripts/lecture_hall.py", "--processes", "2",
                                "--port", str(port)], cwd=ROOT, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True)
    try:
        ready = process.stdout.readline()  # printed once both processes and nginx are up
        assert ready.startswith("Lecture hall:"), f"did not start (exit code {process.poll()})"
        served = Hall(port)
        served.pid = process.pid
        served.backends = dict(re.findall(r"backend (\d+) 127\.0\.0\.1:(\d+)", ready))
        served.backends = {number: int(port) for number, port in served.backends.items()}
        yield served
    finally:
        process.terminate()
        process.wait(timeout=30)


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
        assert run_in_thread(websocket_backend(hall, cookie)) == (first, "success")
    assert len(backends) == 2, "browsers spread over both processes"


def test_the_train_page_loads_through_the_proxy(hall):
    visit = Visit("student", "train", "seed=3", address="10.0.0.7")

    async def load():
        async with await open_session(hall, visit.address) as ws:
            await load_page(ws, visit, timeout=120)

    run_in_thread(load())
    assert visit.ok, visit.failure()


def test_the_proxy_names_no_version_and_no_internal_address(hall):
    request = urllib.request.Request(f"http://127.0.0.1:{hall}/")
    with NO_PROXY.open(request, timeout=30) as response:
        assert response.headers["Server"] == "nginx"
        assert response.headers[BACKEND] in hall.backends, "a number, not an address"


@pytest.mark.parametrize("path", ["/_stcore/metrics", "/app/static/.gitignore",
                                  "/component/ui.plot.plotly_js/widgetbundle.js",
                                  "/_stcore/agent/openapi.json", "/_stcore/script-health-check"])
def test_the_proxy_serves_nothing_the_app_does_not_use(hall, path):
    assert get(hall, path)[0] == 404


def test_the_hall_refuses_every_upload(hall):
    assert run_in_thread(upload_status(int(hall), 1)) == 404, "the endpoint is closed"
    assert run_in_thread(upload_status(int(hall), 10 * 2**20)) == 413, \
        "refused before it is read"


def test_a_slow_client_gets_plotly_js_whole(hall):
    """Read at 500 KB/s, as a student on slow Wi-Fi: nginx buffers the rest
    of the answer in its temporary files, which its workers must be able to write."""
    import plotly

    whole = (Path(plotly.__file__).parent / "package_data" / "plotly.min.js").stat().st_size
    connection = http.client.HTTPConnection("127.0.0.1", int(hall), timeout=60)
    connection.request("GET", PLOTLY_JS)
    response = connection.getresponse()
    received, start = 0, time.monotonic()
    while piece := response.read(50_000):
        received += len(piece)
        time.sleep(max(0.0, start + received / 500_000 - time.monotonic()))
    connection.close()
    assert (response.status, received) == (200, whole)


def test_a_backend_that_dies_is_replaced(hall):
    dead = hall.backend_pid("1")
    os.kill(dead, signal.SIGKILL)
    deadline = time.monotonic() + 60  # a deadline, not a measurement: supervisord takes about 1 s
    while (hall.backend_pid("1") in (None, dead)
           or get_backend_of(hall, "1") is None):
        assert time.monotonic() < deadline, "backend 1 was not replaced"
        time.sleep(0.5)


def get_backend_of(hall, number: str) -> str | None:
    """A cookie that backend ``number`` answers, once it answers again (None before)."""
    for _ in range(16):
        status, backend, value = get(hall, "/")
        if status == 200 and backend == number:
            return value
    return None


@pytest.mark.browser
def test_a_click_made_while_the_socket_moves_to_another_process_lands(hall, browser):
    """A tab's process dies under it; a click right then, while its socket
    moves to the other process, is taken there (ui/widget_guard.py), not lost."""
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 1400, "height": 900})
    try:
        tab = context.new_page()
        answer = tab.goto(f"http://127.0.0.1:{hall}/train?seed=8", timeout=120_000)
        number = answer.headers[BACKEND.lower()]
        tab.wait_for_selector(f"{READY} .js-plotly-plot", timeout=120_000)
        os.kill(hall.backend_pid(number), signal.SIGKILL)
        radio = tab.locator(STRATEGY_RADIO)
        radio.get_by_text("in-group", exact=True).click(timeout=60_000)
        expect(tab).to_have_url(re.compile(r"[?&]strategy=in-group"), timeout=60_000)
        tab.wait_for_selector(READY, timeout=60_000)
        expect(radio.get_by_role("radio", name="in-group")).to_be_checked(timeout=60_000)
        expect(tab.locator(".js-plotly-plot .gtitle").first).to_contain_text(
            "in-group", timeout=60_000)
        assert tab.locator("[data-testid='stException']").count() == 0
        assert "seed=8" in tab.url, "the other settings stay"
    finally:
        context.close()
