"""Streamlit's websocket protocol as a browser speaks it, for the scripts next
to this file: open a session (through a proxy's cookie, from an address of
its own), ask for a page run, read the ForwardMsgs until that run finished.
"""

from __future__ import annotations

import asyncio
import urllib.request
from collections.abc import Callable

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetStates
from websockets.typing import Subprotocol

HOST = "127.0.0.1"  # loopback only: the scripts' servers listen here and nowhere else
COOKIE = "recdemo_backend"  # the lecture hall's sticky cookie (scripts/lecture_hall.py)


def rerun_request(page: str, query: str, widgets: WidgetStates | None = None) -> bytes:
    """A rerun with the URL's query string and page name, as the frontend sends
    on a page load (``widgets`` empty) or after a widget changed. The
    page_script_hash stays empty: the server resolves the page from its name."""
    msg = BackMsg()
    msg.rerun_script.query_string = query
    msg.rerun_script.page_name = page
    if widgets is not None:
        msg.rerun_script.widget_states.CopyFrom(widgets)
    return msg.SerializeToString()


def clear_cache_request() -> bytes:
    """What the app menu's "Clear cache" sends (any client can send it)."""
    msg = BackMsg()
    msg.clear_cache = True
    return msg.SerializeToString()


def _sticky_cookie(host: str, port: int, headers: dict, timeout: float) -> str | None:
    """The lecture hall's cookie, from a plain GET of the home page, as a
    browser has it before it opens the websocket (None without a proxy)."""
    request = urllib.request.Request(f"http://{host}:{port}/", headers=headers)
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(request, timeout=timeout) as response:
        for header in response.headers.get_all("Set-Cookie") or []:
            if header.startswith(f"{COOKIE}="):
                return header.split(";", 1)[0]
    return None


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
