"""Streamlit's websocket protocol as a browser speaks it, for the tests and
the benchmarks: open a session (through a proxy's cookie, from an address of
its own), ask for a page run, read the ForwardMsgs until that run finished
(load_page: and what it showed, a Visit); and what a browser could upload
(upload_status).
"""

from __future__ import annotations

import asyncio
import http.client
import http.cookies
import time
import urllib.request
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import websockets
from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetStates
from websockets.typing import Subprotocol

from harness.server import HOST

COOKIE = "recdemo_backend"  # the lecture hall's sticky cookie (scripts/lecture_hall.py)


def rerun_request(page: str, query_string: str, widgets: WidgetStates | None = None) -> bytes:
    """A rerun with the URL's query string and page name, as the frontend sends
    on a page load (``widgets`` empty) or after a widget changed. The
    page_script_hash stays empty: the server resolves the page from its name."""
    msg = BackMsg()
    msg.rerun_script.query_string = query_string
    msg.rerun_script.page_name = page
    if widgets is not None:
        msg.rerun_script.widget_states.CopyFrom(widgets)
    return msg.SerializeToString()


def clear_cache_request() -> bytes:
    """What the app menu's "Clear cache" sends (any client can send it)."""
    msg = BackMsg()
    msg.clear_cache = True
    return msg.SerializeToString()


def _page_cookies(host: str, port: int, headers: dict, timeout: float,
                  path: str = "/") -> dict[str, str]:
    """The cookies a plain GET of ``path`` sets, as a browser has them before
    it opens the websocket: the home page gives the lecture hall's sticky
    cookie (none without a proxy), the health check Streamlit's XSRF token."""
    request = urllib.request.Request(f"http://{host}:{port}{path}", headers=headers)
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    cookies = http.cookies.SimpleCookie()
    with opener.open(request, timeout=timeout) as response:
        for header in response.headers.get_all("Set-Cookie") or []:
            cookies.load(header)
    return {name: morsel.value for name, morsel in cookies.items()}


def _sticky_cookie(host: str, port: int, headers: dict, timeout: float) -> str | None:
    value = _page_cookies(host, port, headers, timeout).get(COOKIE)
    return None if value is None else f"{COOKIE}={value}"


async def open_session(port: int, address: str | None = None, timeout: float = 60.0,
                       host: str = HOST):
    """A websocket to the app, like a browser tab's: it first loads the home
    page (and keeps a proxy's sticky cookie), then connects. ``address`` is
    sent as X-Forwarded-For: the server trusts it from loopback (uvicorn's
    default), so each simulated student is a client of its own."""
    headers = {"X-Forwarded-For": address} if address else {}
    cookie = await asyncio.to_thread(_sticky_cookie, host, port, headers, timeout)
    if cookie:
        headers["Cookie"] = cookie
    return await websockets.connect(f"ws://{host}:{port}/_stcore/stream",
                                    subprotocols=[Subprotocol("streamlit")],
                                    additional_headers=headers, max_size=None,
                                    open_timeout=timeout,
                                    ping_interval=None)  # browsers send no pings


async def read_run(ws, on_message: Callable[[ForwardMsg], None] = lambda msg: None) -> str:
    """Read ForwardMsgs, each passed to ``on_message``, until a page run finished:
    "success", "compile error", or "closed" if the server closed the websocket.
    A run stopped early for a rerun is followed by the next run, read too."""
    async for data in ws:
        msg = ForwardMsg.FromString(data)
        on_message(msg)
        if msg.WhichOneof("type") == "script_finished":
            if msg.script_finished == ForwardMsg.FINISHED_SUCCESSFULLY:
                return "success"
            if msg.script_finished == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                return "compile error"
    return "closed"


XSRF_COOKIE = "_streamlit_xsrf"


async def upload_status(port: int, size: int, host: str = HOST, timeout: float = 60.0) -> int:
    """The HTTP status Streamlit's upload endpoint (PUT /_stcore/upload_file/
    <session>/<file>) answers to a file of ``size`` bytes, sent as a browser's
    file uploader would: with the XSRF cookie of a page visit and the id of
    the session it opened. The body is sent in 1 MB pieces, and a server that
    answers early (413) is read without sending the rest."""
    cookies = await asyncio.to_thread(_page_cookies, host, port, {}, timeout)
    sticky = {"Cookie": f"{COOKIE}={cookies[COOKIE]}"} if COOKIE in cookies else {}
    cookies |= await asyncio.to_thread(_page_cookies, host, port, sticky, timeout,
                                       "/_stcore/health")
    cookie = "; ".join(f"{name}={value}" for name, value in cookies.items())
    session = []

    def note(msg: ForwardMsg) -> None:
        if msg.WhichOneof("type") == "new_session":
            session.append(msg.new_session.initialize.session_id)

    async with websockets.connect(f"ws://{host}:{port}/_stcore/stream",
                                  subprotocols=[Subprotocol("streamlit")],
                                  additional_headers={"Cookie": cookie}, max_size=None,
                                  open_timeout=timeout, ping_interval=None) as ws:
        await ws.send(rerun_request("", ""))
        async with asyncio.timeout(timeout):
            await read_run(ws, note)
        return await asyncio.to_thread(_put_file, host, port, session[0], size,
                                       {"Cookie": cookie,
                                        "X-Xsrftoken": cookies.get(XSRF_COOKIE, "")}, timeout)


def _put_file(host: str, port: int, session: str, size: int, headers: dict,
              timeout: float) -> int:
    boundary = uuid.uuid4().hex
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"data.bin\"\r\nContent-Type: application/octet-stream\r\n\r\n").encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    connection = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        connection.putrequest("PUT", f"/_stcore/upload_file/{session}/{uuid.uuid4().hex}")
        for name, value in {**headers, "Content-Length": str(len(head) + size + len(tail)),
                            "Content-Type": f"multipart/form-data; boundary={boundary}"}.items():
            connection.putheader(name, value)
        connection.endheaders()
        try:
            connection.send(head)
            piece = b"\0" * 2**20
            for start in range(0, size, len(piece)):
                connection.send(piece[:min(len(piece), size - start)])
            connection.send(tail)
        except OSError:  # the server answered early and closed: read its answer
            pass
        return connection.getresponse().status
    finally:
        connection.close()


def widget_states(states: dict[str, tuple[str, object]]) -> WidgetStates:
    """What a browser sends for its widgets, or anything else: {widget id:
    (a WidgetState value field, its value)}, e.g. {seed_id: ("double_value",
    float("nan"))}, {slider_id: ("double_array_value", [6.0])}."""
    message = WidgetStates()
    for widget_id, (field_name, value) in states.items():
        state = message.widgets.add()
        state.id = widget_id
        if field_name.endswith("_array_value"):
            getattr(state, field_name).data.extend(value)
        else:
            setattr(state, field_name, value)
    return message


class ControlIds(dict):
    """An on_message for read_run: {widget key: widget id} of the widgets a
    page run draws (Streamlit's id of a widget with a key ends with it)."""

    def __call__(self, msg: ForwardMsg) -> None:
        if msg.WhichOneof("type") != "delta" or not msg.delta.HasField("new_element"):
            return
        element = msg.delta.new_element
        widget = getattr(element, element.WhichOneof("type") or "", None)
        widget_id = getattr(widget, "id", "")
        if widget_id.startswith("$$ID-"):
            self[widget_id.split("-", 2)[2]] = widget_id


@dataclass
class Visit:
    """One page load: what was asked, and what came back."""

    who: str
    page: str  # Streamlit's page_name: the URL path without the leading slash
    query_string: str
    address: str | None = None  # the student's own address (X-Forwarded-For)
    seconds: float | None = None  # from the rerun request to a successful script_finished
    chart: bool = False
    exception: str = ""
    error: str = ""
    problem: str = ""  # timeout, lost connection, ...
    bytes: int = 0

    @property
    def ok(self) -> bool:
        return (self.seconds is not None and self.chart and not self.exception
                and not self.error and not self.problem)

    def failure(self) -> str:
        reasons = [self.problem, self.exception and f"exception: {self.exception}",
                   self.error and f"st.error: {self.error}",
                   "" if self.chart or self.problem else "no chart"]
        return "; ".join(r for r in reasons if r)


def note_delta(visit: Visit, delta) -> None:
    if not delta.HasField("new_element"):
        return
    element = delta.new_element
    kind = element.WhichOneof("type")
    if kind == "bidi_component" and element.bidi_component.component_name == "recdemo.plot":
        visit.chart = True  # a chart (ui/plot.py)
    elif kind == "exception":
        error = element.exception
        visit.exception = visit.exception or f"{error.type}: {error.message}"
    elif kind == "alert" and element.alert.format == Alert.ERROR:
        visit.error = visit.error or element.alert.body


async def load_page(ws, visit: Visit, timeout: float) -> None:
    """Ask for one page run and read ForwardMsgs until it finished successfully.

    A run that stops early for a rerun is followed by a new run (new_session),
    which starts the page's contents afresh. Messages that are not about the
    contents (session status, page_not_found, page_info_changed...) are skipped."""
    def note(msg: ForwardMsg) -> None:
        kind = msg.WhichOneof("type")
        visit.bytes += msg.ByteSize()
        if kind == "new_session":
            visit.chart, visit.exception, visit.error = False, "", ""
        elif kind == "delta":
            note_delta(visit, msg.delta)
        elif kind == "session_event" and msg.session_event.HasField(
                "script_compilation_exception"):
            visit.exception = msg.session_event.script_compilation_exception.message

    start = time.perf_counter()
    await ws.send(rerun_request(visit.page, visit.query_string))
    try:
        async with asyncio.timeout(timeout):
            outcome = await read_run(ws, note)
    except TimeoutError:
        visit.problem = f"timeout after {timeout:.0f} s"
        return
    if outcome == "success":
        visit.seconds = time.perf_counter() - start
    else:
        visit.problem = {"closed": "connection closed by the server"}.get(outcome, outcome)


def run_in_thread(coroutine):
    """asyncio.run in a thread of its own: Playwright's sync API (the browser
    tests, in the same session) keeps an event loop running in this one."""
    with ThreadPoolExecutor(max_workers=1) as thread:
        return thread.submit(asyncio.run, coroutine).result()
