"""Widget values from the websocket checked like link values (ui/widget_guard.py):
crafted messages, as any client can send, to a real server. A bad value ends
in the notice a bad link gets, never a traceback, and the session goes on;
a click sent to a session that never drew the page (its socket moved to
another process) is taken, not dropped; and a link too long for Streamlit
says so."""

import asyncio
import math

import pytest
from streamlit.proto.Alert_pb2 import Alert

from harness.server import app_server
from harness.streamlit_client import (
    ControlIds,
    open_session,
    read_run,
    rerun_request,
    run_in_thread,
    widget_states,
)

pytestmark = pytest.mark.slow  # a real server

TIMEOUT = 120


@pytest.fixture(scope="module")
def port():
    with app_server() as url:
        yield int(url.rsplit(":", 1)[1])


class Run:
    """What one page run showed: exceptions, warnings, the URL's query (None:
    the page did not change it), a chart."""

    def __init__(self):
        self.exceptions, self.warnings, self.query, self.chart = [], [], None, False
        self.ids = ControlIds()

    def __call__(self, msg) -> None:
        self.ids(msg)
        kind = msg.WhichOneof("type")
        if kind == "page_info_changed":
            self.query = msg.page_info_changed.query_string
        elif kind == "new_session":
            self.exceptions, self.warnings, self.chart = [], [], False
        elif kind == "delta" and msg.delta.HasField("new_element"):
            element = msg.delta.new_element
            which = element.WhichOneof("type")
            if which == "exception":
                self.exceptions.append(f"{element.exception.type}: {element.exception.message}")
            elif which == "alert" and element.alert.format == Alert.WARNING:
                self.warnings.append(element.alert.body)
            elif (which == "bidi_component"
                  and element.bidi_component.component_name == "recdemo.plot"):
                self.chart = True


async def page_run(ws, query: str, widgets=None) -> Run:
    shown = Run()
    await ws.send(rerun_request("train", query, widgets))
    async with asyncio.timeout(TIMEOUT):
        assert await read_run(ws, shown) == "success"
    return shown


# (control, the WidgetState field and value sent, what the notice must say)
CRAFTED = [
    ("groups", ("int_value", 5), "groups must be an integer from 2 to 8"),
    ("groups", ("double_array_value", [1e9]), "groups must be an integer from 2 to 8"),
    ("groups", ("double_array_value", [4.0, 5.0]), "groups must be an integer"),
    ("leak", ("double_array_value", [float("nan")]), "leak must be a number from 0 to 0.5"),
    ("seed", ("double_value", math.nan), "seed must be an integer"),
    ("seed", ("double_value", math.inf), "seed must be an integer"),
    ("seed", ("double_value", 2.5), "seed must be an integer"),
    ("seed", ("string_value", "3"), "seed must be an integer"),
    ("strategy", ("int_value", 1), "strategy must be one of"),
    ("strategy", ("double_value", 2.0), "strategy must be one of"),
    ("strategy", ("string_value", "no-such"), "strategy must be one of"),
    ("logq_correction", ("int_value", 7), "logq_correction must be true or false"),
]


@pytest.mark.parametrize("control, sent, notice", CRAFTED)
def test_a_crafted_widget_value_ends_in_a_notice_and_the_session_goes_on(port, control, sent,
                                                                           notice):
    async def session():
        async with await open_session(port, timeout=TIMEOUT) as ws:
            first = await page_run(ws, "seed=5")
            crafted = await page_run(ws, "seed=5", widget_states(
                {first.ids[f"control_{control}"]: sent}))
            after = await page_run(ws, "seed=5", widget_states(
                {first.ids["control_strategy"]: ("string_value", "full")}))
            return first, crafted, after

    first, crafted, after = run_in_thread(session())
    assert first.chart and not first.exceptions
    assert not crafted.exceptions, crafted.exceptions
    assert any(w.startswith("Control value ignored:") and notice in w
               for w in crafted.warnings), crafted.warnings
    assert crafted.chart and crafted.query in (None, "seed=5"), "the setting is kept"
    assert not after.exceptions and after.chart, "the next run works"
    assert after.query == "seed=5&strategy=full"


def test_a_click_sent_to_a_session_that_never_drew_the_page_is_taken(port):
    """A tab's socket moved to another process (its own died): the new
    session's first run carries the click the tab made meanwhile."""
    async def sessions():
        async with await open_session(port, timeout=TIMEOUT) as ws:
            drawn = await page_run(ws, "seed=6")
        async with await open_session(port, timeout=TIMEOUT) as ws:  # a session of its own
            moved = await page_run(ws, "seed=6", widget_states({
                drawn.ids["control_strategy"]: ("string_value", "in-group"),
                drawn.ids["control_seed"]: ("int_value", 6)}))
        return moved

    moved = run_in_thread(sessions())
    assert not moved.exceptions and moved.chart
    assert moved.query == "seed=6&strategy=in-group"


@pytest.mark.parametrize("query", ["seed=" + "9" * 600_000, "&".join(["k=1"] * 1001)])
def test_a_link_streamlit_drops_for_its_size_is_named_in_a_notice(port, query):
    async def session():
        async with await open_session(port, timeout=TIMEOUT) as ws:
            await page_run(ws, "")  # ui imported: from the second session on (ui/settings.py)
        async with await open_session(port, timeout=TIMEOUT) as ws:
            return await page_run(ws, query)

    shown = run_in_thread(session())
    assert not shown.exceptions and shown.chart
    assert any(w.startswith(f"Link ignored: it has {len(query):,} characters") for w in
               shown.warnings), shown.warnings


@pytest.mark.parametrize("value", ["abc", "1,", ",", "1,2,3", "٣,1", "9" * 5000])
def test_a_link_that_names_the_dropped_link_marker_itself_is_harmless(port, value):
    async def session():
        async with await open_session(port, timeout=TIMEOUT) as ws:
            return await page_run(ws, f"recdemo-dropped-link={value}")

    shown = run_in_thread(session())
    assert not shown.exceptions and shown.chart
