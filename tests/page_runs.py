"""What the AppTest page tests share: open a page as a browser does, read its
charts (ui/plot.py) and its numbers."""

import json
from pathlib import Path

from streamlit.testing.v1 import AppTest

from ui.navigation import PAGES as NAVIGATION
from ui.navigation import page_file

APP = str(Path(__file__).resolve().parents[1] / "app.py")
PAGES = [page_file(path) for path, _, _ in NAVIGATION]  # every page of the app
TIMEOUT = 90  # pages that train several strategies take seconds on 2 cores


def open_page(page: str, timeout: float = TIMEOUT, **query) -> AppTest:
    """Open ``page`` the way a browser does: the link's query string, then the page."""
    at = AppTest.from_file(APP, default_timeout=timeout)
    at.query_params.update({name: str(value) for name, value in query.items()})
    at.switch_page(page)
    return at.run()


def no_exceptions(at: AppTest) -> bool:
    return not at.exception and not at.error


def metric_values(at: AppTest) -> dict[str, str]:
    """The Train page's numbers at the last epoch, as its chart shows them above
    the picture (the cards follow the epoch: ui/plot.js)."""
    cards = chart_data(at, "embedding_chart")["cards"]["cards"]
    return {card["label"]: card["values"][-1] for card in cards}


def charts(at: AppTest) -> list:
    """The page's charts (ui/plot.py: a Streamlit component drawing plotly)."""
    return [c for c in at.get("bidi_component") if c.proto.component_name == "recdemo.plot"]


def chart_data(at: AppTest, key: str) -> dict:
    """What the chart ``key`` sends the browser (JSON in bytes, ui/plot.py): the
    figure, the config..."""
    found = [c for c in charts(at) if key in c.proto.id]
    assert len(found) == 1, f"expected one chart {key}"
    return json.loads(found[0].proto.bytes)


def chart_spec(at: AppTest, key: str) -> dict:
    return chart_data(at, key)["figure"]


def said(at: AppTest) -> str:
    return "\n".join(element.value for kind in ("markdown", "caption", "warning")
                     for element in at.get(kind))
