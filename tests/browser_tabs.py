"""What the browser tests share: the pages' addresses and waits, a check
that a page is healthy (no exception box, no error, no console error), what
a chart shows, and screenshots. Their fixtures (the server, Chromium, a tab)
are in conftest.py."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlparse

from playwright.sync_api import Page, expect

import ui
from harness.browser import CHART, READY
from recdemo.figures.style import COLOR_NAMES
from recdemo.params import PARAMS

EPOCHS = PARAMS["epochs"].default  # default run: a frame and a CSV row per epoch, and epoch 0

VIEWPORT = {"width": 1400, "height": 900}
LOAD_TIMEOUT = 120_000  # ms: a cold page trains several models on a busy 2-core machine
TIMEOUT = 60_000  # ms: any other wait
expect.set_options(timeout=TIMEOUT)  # Playwright's default for expect is 5 s
SCREENSHOTS = Path(__file__).resolve().parents[1] / "artifacts" / "screenshots"
# Every page with a chart (the Exercises page has none: test_an_exercise covers it).
PAGES = {f"/{path}": path or "lesson" for path, _, _ in ui.navigation.PAGES if path != "exercises"}
NAVIGATION = [title for _, title, _ in ui.navigation.PAGES]
NAV_LINKS = ".st-key-navigation [data-testid='stPageLink-NavLink']"  # ui/navigation.py
# A group's legend entry is its color's name (its queries and items trace share it).
GROUP_LEGEND = re.compile(rf"^({'|'.join(COLOR_NAMES)})$")
FRAME_MS = 450  # recdemo.figures.FRAME_MS: one epoch per frame during playback

# Streamlit asks <page>/_stcore/health and <page>/_stcore/host-config when a
# sub-page URL is opened directly, gets 404s and retries at the root
# (streamlit/streamlit#7074). Harmless; the only console errors ignored.
KNOWN_404 = re.compile(r"^/[^/]+/_stcore/(health|host-config)$")


class AppCrashed(AssertionError):
    """The page shows a Python exception (st.exception box)."""


def watch_console(tab: Page) -> list[str]:
    errors: list[str] = []

    def on_console(message):
        if message.type != "error":
            return
        url = message.location.get("url", "")
        if (message.text.startswith("Failed to load resource: the server responded with a "
                                    "status of 404") and KNOWN_404.match(urlparse(url).path)):
            return
        errors.append(f"console: {message.text} ({url})")

    tab.on("console", on_console)
    tab.on("pageerror", lambda error: errors.append(f"page error: {error}"))
    return errors


def open_page(tab: Page, url: str, charts: bool = True) -> None:
    """Go to ``url`` and wait until the script has run and (``charts``) plotly has drawn."""
    tab.goto(url)
    tab.wait_for_selector(READY, timeout=LOAD_TIMEOUT)
    if charts:
        tab.locator(CHART).first.wait_for(state="visible", timeout=TIMEOUT)


def go(tab: Page, path: str, charts: bool = True) -> None:
    open_page(tab, tab.base_url + path, charts)


def go_to_exercises(tab: Page, query: str = "") -> None:
    """The Exercises page, drawn to its end (it has no chart to wait for)."""
    go(tab, "/exercises" + query, charts=False)
    expect(tab.get_by_text(re.compile(r"^The answer to exercise \d+ \(after you have looked\)$"))
           ).to_be_visible()
    tab.wait_for_selector(READY, timeout=LOAD_TIMEOUT)


def wait_for_rerun(tab: Page, changed) -> None:
    """After an interaction that reruns the script: wait for its visible effect
    (``changed``, an auto-retrying expect) and then for the run to finish. Waiting
    for "notRunning" alone could return before the rerun has even started."""
    changed()
    tab.wait_for_selector(READY, timeout=LOAD_TIMEOUT)


def assert_healthy(tab: Page) -> None:
    exceptions = tab.locator("[data-testid='stException']")
    if exceptions.count():
        raise AppCrashed(exceptions.first.inner_text())
    errors = tab.locator("[data-testid='stAlertContentError']")
    assert errors.count() == 0, errors.all_inner_texts()
    assert tab.console_errors == []


CARD_VALUES = ".recdemo-card-value"  # the Train page's numbers (ui/plot.js)


def metric_values(tab: Page) -> list[str]:
    return tab.locator(CARD_VALUES).all_inner_texts()


def chart_state(tab: Page, index: int = 0) -> dict:
    """What chart ``index`` shows: plotly's animation frame, the replay
    controls' frame and range, the title, and the first trace's positions."""
    return tab.locator(CHART).nth(index).evaluate("""plot => {
        const range = plot.parentElement.querySelector('.recdemo-playback input');
        return {
            frame: plot._fullLayout._currentFrame ?? null,
            active: range ? Number(range.value) : null,
            last: range ? Number(range.max) : null,
            shown: plot.parentElement.querySelector('.recdemo-playback output')?.textContent
                ?? null,
            title: plot.querySelector('.gtitle')?.textContent ?? null,
            x: Array.from(plot._fullData[0].x),
            y: Array.from(plot._fullData[0].y),
        };
    }""")


def screenshots(tab: Page, name: str) -> None:
    """``name``.png: what a projector shows (the viewport, 1400x900 unless the test
    chose another); ``name``-full.png: the whole page, as wide. Streamlit scrolls
    inside stMain, not the document, so the whole page needs a viewport as tall as
    stMain's content: the last thing a test does with a page (or it sets the
    viewport back)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=SCREENSHOTS / f"{name}.png")
    screen = tab.viewport_size
    height = tab.evaluate("document.querySelector(\"[data-testid='stMain']\").scrollHeight")
    tab.set_viewport_size({"width": screen["width"],
                           "height": min(max(height, screen["height"]), 8000)})
    tab.wait_for_timeout(500)  # let the charts follow the new layout
    tab.screenshot(path=SCREENSHOTS / f"{name}-full.png")
