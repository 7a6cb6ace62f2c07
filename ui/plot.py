"""A plotly chart that the browser updates in place.

st.plotly_chart gives a chart a new element id whenever its figure changes
(the id hashes the figure), and the browser then throws the chart away and
draws a new one: slow for the 3D picture in Chromium without a GPU, on every
click on a strategy. This chart is a Streamlit component (ui/plot.js) with a
fixed key: its first render draws the chart, the next ones update it with
Plotly.react, several times faster (docs/performance.md), and the chart's
DOM stays.

The browser loads plotly.js once, from the plotly package's own folder (the
version that wrote the figures): a Streamlit component of the first kind
(components.v1) may serve files from any folder, where components.v2 serve
assets only from an installed package's manifest and static serving only
from the app's own static/ folder. Nothing is written anywhere, so the app
runs from a read-only checkout; the package folder's other files (its
datasets, its templates) are public data, and the lecture hall's proxy
serves only plotly.min.js of it.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import plotly
import plotly.graph_objects as go
import plotly.io as pio
import streamlit as st
from streamlit.components import v1 as components_v1

from recdemo.figures import AnimatedFigure
from recdemo.figures.style import FIT_JS, NAMES_JS

# The charts' look without Streamlit's chart theme (which only st.plotly_chart
# applies): white, light grid lines.
pio.templates.default = "plotly_white"

# plotly's own bundle, served at component/ui.plot.plotly_js/plotly.min.js; the
# version in the query string makes a browser fetch it anew when plotly changes.
PLOTLY_FOLDER = Path(plotly.__file__).parent / "package_data"
PLOTLY_FILE = "plotly.min.js"
_COMPONENT = st.components.v2.component(
    "recdemo.plot", isolate_styles=False,
    js="\n".join(path.read_text()
                 for path in (Path(__file__).with_name("plot.js"), FIT_JS, NAMES_JS)))


class SharedFigure:
    """A figure that every session may show (ui/charts.py keeps them), as its
    charts send it: its JSON, written once when it is made (a plotly figure
    is written anew at every page run that shows it), and how it plays back.

    The plotly object itself holds two to ten times as much memory, all of it
    small objects the cache would walk to measure it (longer than writing
    the JSON). Where a plotly figure is needed (the presenter view's larger
    type, the HTML export), plotly_figure() makes it again from the JSON:
    the same figure, whose JSON is the same but for the order of its keys."""

    def __init__(self, fig: go.Figure):
        self.json = pio.to_json(fig, validate=False).encode()
        self.playback = getattr(fig, "playback", None)
        self._animated = isinstance(fig, AnimatedFigure)

    def figure(self) -> go.Figure:
        spec = json.loads(self.json)
        return (AnimatedFigure(spec, self.playback) if self._animated
                else go.Figure(spec, _validate=False))


def plotly_figure(fig: go.Figure | SharedFigure) -> go.Figure:
    """``fig`` as a plotly figure (a SharedFigure's made again)."""
    return fig.figure() if isinstance(fig, SharedFigure) else fig


def figure_json(fig: go.Figure | SharedFigure) -> bytes:
    """What a chart sends of ``fig`` (JSON, UTF-8): a SharedFigure's, as written once."""
    return (fig.json if isinstance(fig, SharedFigure)
            else pio.to_json(fig, validate=False).encode())


@functools.cache
def plotly_url() -> str:
    """Where the browser loads plotly.js from, registering its folder with the
    server once (the registry is the server process's; registering again
    looked up the caller's source file on disk at every chart)."""
    name = components_v1.declare_component("plotly_js", path=PLOTLY_FOLDER).name
    base = st.get_option("server.baseUrlPath").strip("/")
    path = f"component/{name}/{PLOTLY_FILE}?v={plotly.__version__}"
    return f"/{base}/{path}" if base else f"/{path}"


def plot(fig, key: str, config: dict, on_click=None, cards: dict | None = None,
         alt: str | None = None):
    """Draw ``fig`` (a plotly figure, or a SharedFigure) as the chart ``key``.
    With ``on_click``, a click on a point
    calls it; the point is then ``clicked_point(key)``. An animated figure
    (figures.AnimatedFigure with a playback) gets Play/Pause and its frame as
    controls under it; ``cards`` (figures.metric_cards) are shown above it and
    follow the frame on screen; ``alt`` is the text a screen reader gets."""
    rest = {"config": config, "plotly": plotly_url(), "clickable": on_click is not None,
            "playback": getattr(fig, "playback", None), "cards": cards, "alt": alt}
    # One JSON text, in bytes, which Streamlit sends as they are and hashes
    # once: the figure's JSON inside it as it was written. Given a dict,
    # Streamlit would write the figure's text again, escaped, inside its own
    # JSON, and again, sorted, to hash it: for the Train picture that took
    # longer than writing the figure.
    data = b'{"figure": ' + figure_json(fig) + b", " + json.dumps(rest).encode()[1:]
    callbacks = {"on_click_change": on_click} if on_click is not None else {}
    _COMPONENT(key=key, data=data, **callbacks)


def clicked_point(key: str) -> dict | None:
    """The point last clicked in the chart ``key``, as the browser sent it:
    {"trace": its trace's index, "id": its customdata}, or None."""
    state = st.session_state.get(key)
    return None if state is None else state.get("click")
