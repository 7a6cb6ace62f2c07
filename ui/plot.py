"""A plotly chart that the browser updates in place.

st.plotly_chart gives a chart a new element id whenever its figure changes
(the id hashes the figure), and the browser then throws the chart away and
draws a new one: for the 3D picture that took 0.5 to 1 s in Chromium without
a GPU, on every click on a strategy. This chart is a Streamlit component
(ui/plot.js) with a fixed key: its first render draws the chart, the next
ones update it with Plotly.react (0.1 to 0.2 s), and the chart's DOM stays.

The browser loads plotly.js once, from the app's static folder: a copy of the
plotly package's own bundle, the version that wrote the figures. The app's
.streamlit/config.toml turns static serving on.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import plotly
import plotly.io as pio
import streamlit as st

# The charts' look without Streamlit's chart theme (which only st.plotly_chart
# applies): white, light grid lines.
pio.templates.default = "plotly_white"

STATIC = Path(__file__).resolve().parents[1] / "static"  # served at app/static/
PLOTLY_JS = f"plotly-{plotly.__version__}.min.js"
_PLOTLY_BUNDLE = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
_COMPONENT = st.components.v2.component(
    "recdemo.plot", js=(Path(__file__).parent / "plot.js").read_text(), isolate_styles=False)
NO_STATIC = ("The charts need Streamlit's static file serving: start the app from its "
             "own folder (the folder of app.py), where "
             ".streamlit/config.toml turns it on.")


def publish_plotly_js() -> None:
    """Put plotly.js in the static folder, once (a copy written under another
    name and renamed, so no browser ever loads half of it)."""
    target = STATIC / PLOTLY_JS
    if target.exists():
        return
    STATIC.mkdir(exist_ok=True)
    partial = target.with_name(f"{target.name}.{os.getpid()}.partial")
    shutil.copyfile(_PLOTLY_BUNDLE, partial)
    os.replace(partial, target)


def plotly_url() -> str:
    base = st.get_option("server.baseUrlPath").strip("/")
    return f"/{base}/app/static/{PLOTLY_JS}" if base else f"/app/static/{PLOTLY_JS}"


def plot(fig, key: str, config: dict, on_click=None):
    """Draw ``fig`` as the chart ``key``. With ``on_click``, a click on a point
    calls it; the point is then ``clicked_point(key)``."""
    if not st.get_option("server.enableStaticServing"):
        st.error(NO_STATIC, icon="🚫")
        return
    publish_plotly_js()
    data = {"figure": pio.to_json(fig, validate=False), "config": config,
            "plotly": plotly_url(), "clickable": on_click is not None}
    callbacks = {"on_click_change": on_click} if on_click is not None else {}
    _COMPONENT(key=key, data=data, **callbacks)


def clicked_point(key: str) -> dict | None:
    """The point last clicked in the chart ``key``, as the browser sent it:
    {"trace": its trace's index, "id": its customdata}, or None."""
    state = st.session_state.get(key)
    return None if state is None else state.get("click")
