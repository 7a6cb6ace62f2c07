"""The app in a real Chromium, driven by Playwright, against a real `streamlit run`.

What AppTest (tests/test_pages.py) cannot see: that the pages load in a
browser without a console error, that plotly draws the charts, that playback,
chart clicks, share links, presenter links and downloads work where a teacher
uses them. Screenshots of every page land in artifacts/screenshots/.

The server, the browser and the skip-or-fail rule for a missing Chromium are
fixtures in conftest.py, over harness/.
"""

from __future__ import annotations

import csv
import json
import os
import re
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Page, expect

import ui
from harness.accessibility import app_violations, show_whole_page
from harness.browser import CHART, READY, STRATEGY_RADIO, query_squares
from harness.layout import first_screen_share, layout_problems, main_chart
from recdemo.figures.style import COLOR_NAMES
from recdemo.metrics import METRICS
from recdemo.params import PARAMS
from tests.colors import contrast

EPOCHS = PARAMS["epochs"].default  # default run: a frame and a CSV row per epoch, and epoch 0

pytestmark = pytest.mark.browser

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


# ---------------------------------------------------------------- fixtures and helpers

@pytest.fixture(scope="session")
def base_url(app_url, browser):
    """The shared server, opened once at its root: a fresh server's first visit to a
    sub-page shows a "Page not found" dialog (test_fresh_server_deep_link covers
    that), and the root page trains the default runs the other pages reuse."""
    context = browser.new_context(viewport=VIEWPORT)
    try:
        open_page(context.new_page(), app_url + "/", charts=False)
    finally:
        context.close()
    return app_url


@pytest.fixture
def page(browser, base_url):
    """A fresh browser context and page (own cookies, own Streamlit session) per test.
    ``page.console_errors`` lists the console errors and page errors, known noise removed."""
    context = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
    context.set_default_timeout(TIMEOUT)
    tab = context.new_page()
    tab.console_errors = watch_console(tab)
    tab.base_url = base_url
    yield tab
    context.close()


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


# ---------------------------------------------------------------- every page

@pytest.mark.parametrize("path", list(PAGES))
def test_page_loads_without_errors_and_draws(page, path):
    go(page, path)
    assert_healthy(page)
    assert page.locator(CHART).count() >= 1
    # plotly drew marks, not an empty frame
    assert page.locator(f"{CHART} .scatterlayer .point, {CHART} .heatmaplayer image, "
                        f"{CHART} .barlayer .point").count() > 0
    expect(page.locator("[data-testid='stSidebar']")).to_be_visible()
    screenshots(page, PAGES[path])


# ---------------------------------------------------------------- accessibility

@pytest.fixture(scope="session")
def axe_core() -> None:
    """axe-core, from axe-playwright-python (pinned in requirements.txt).
    Missing: the axe tests skip with the reason, but under CI (CI=true) they
    fail, as for a missing Chromium."""
    try:
        import axe_playwright_python  # noqa: F401
    except ImportError:
        message = "axe-playwright-python is not installed: pip install -r requirements.txt"
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true and the axe tests cannot run: {message}", pytrace=False)
        pytest.skip(message)


VIEWS = {"student": "", "presenter": "?present=true"}


def described(found: list[dict]) -> str:
    return "\n".join(f"{f['rule']}{' (undecided)' * f['undecided']} at {f['target']}: "
                     f"{f['message']}\n    {f['html']}" for f in found)


@pytest.mark.parametrize("view", list(VIEWS))
@pytest.mark.parametrize("path", [f"/{path}" for path, _, _ in ui.navigation.PAGES])
def test_axe_finds_nothing_in_the_apps_own_markup(page, axe_core, path, view):
    """axe-core (the default rules: WCAG A and AA, and best practices) on
    every page in both views, the whole page in the viewport (axe checks the
    contrast of visible text only), finds nothing in the app's own markup.

    The rule (harness/accessibility.py): a finding is excused only when its
    element lies inside Streamlit's own widgets, the parts Streamlit draws
    from its own markup where the app gives a label or a value and nothing
    else: the header and toolbar, the skip link, the sidebar's header, page
    navigation, resize handle and collapse buttons, the input widgets'
    controls (slider, number input, select box, radio, toggle, button,
    download and link button), their help icons, and the toolbars over
    tables and code. Even there, a rule about a name, a label or a text the
    app gives (a button, link or field without a name, an image without its
    alternative text, an empty heading or table header, the heading order)
    counts. Everything else is the app's and counts: headings, text, links,
    alerts, formulas, expanders, tables and data frames (their column names
    are the app's), the charts (ui/plot.js), the presenter view's CSS. A
    contrast axe cannot decide ("incomplete") counts too on the app's text
    (axe-core 4.12 left the sidebar's faded link there, which 4.14 measured
    at 2.8:1), but in formulas and charts' SVG, whose texts axe cannot place
    over a background. The next test plants findings on
    both sides of the rule."""
    if path == "/exercises":
        go_to_exercises(page, VIEWS[view])
    else:
        go(page, path + VIEWS[view])
    assert_healthy(page)
    show_whole_page(page)
    found = app_violations(page)
    assert not found, described(found)


PLANTED = """() => {
    const add = (selector, html) => document.querySelector(selector)
        .insertAdjacentHTML('beforeend', html);
    document.querySelector("[data-testid='stMain'] h1").insertAdjacentHTML('afterend',
        '<h4 id="app-heading">a heading three levels down</h4><a id="app-link" href="/"></a>'
        + '<p id="app-faded" style="color: #ccc">faded text</p>');
    add(".st-key-navigation [data-testid='stPageLink']", '<a id="nav-link" href="/"></a>');
    add("[data-testid='stSelectbox']", '<p id="widget-faded" style="color: #eee">faded</p>');
    add("[data-testid='stHeader']", '<p id="header-faded" style="color: #eee">faded</p>');
}"""


def test_the_axe_rule_excuses_only_streamlits_own_widgets(page, axe_core):
    """Findings planted on both sides of the rule: in the app's markup, a
    heading out of order, a faded text and a link without a name are found;
    a link without a name in Streamlit's page navigation is found too (its
    name would be the app's); a faded text in Streamlit's header or inside a
    select box is Streamlit's."""
    go_to_exercises(page)
    for part in ("[data-testid='stMain'] h1", ".st-key-navigation [data-testid='stPageLink']",
                 "[data-testid='stSelectbox']", "[data-testid='stHeader']"):
        page.locator(part).first.wait_for(state="attached")  # drawn before findings go in
    page.evaluate(PLANTED)
    found = {(f["rule"], f["target"][0]) for f in app_violations(page)}
    assert {("heading-order", "#app-heading"), ("color-contrast", "#app-faded"),
            ("link-name", "#app-link"), ("link-name", "#nav-link")} <= found, found
    assert not {target for _, target in found} & {"#widget-faded", "#header-faded"}, found


# ---------------------------------------------------------------- the Train page

def test_train_strategy_radio_redraws_chart_and_metrics(page):
    go(page, "/train")
    chart = page.locator(CHART).first
    assert chart.locator(".scatterlayer .point").count() > 100
    before, values = chart_state(page), metric_values(page)
    assert before["title"].startswith("uniform")
    radio = page.locator(STRATEGY_RADIO)
    expect(radio.get_by_role("radio", name="uniform")).to_be_checked()

    radio.get_by_text("positives-only", exact=True).click()
    wait_for_rerun(page, lambda: expect(chart.locator(".gtitle")).to_contain_text(
        "positives-only"))
    assert_healthy(page)
    expect(radio.get_by_role("radio", name="positives-only")).to_be_checked()
    assert "strategy=positives-only" in page.url
    after = chart_state(page)
    assert (after["x"], after["y"]) != (before["x"], before["y"]), "the points moved"
    assert chart.locator(".scatterlayer .point").count() > 100
    label = page.locator(".recdemo-card-label").first.inner_text()
    assert label.startswith("spurious")
    uniform, folded = float(values[0]), float(metric_values(page)[0])
    assert folded > 2 * uniform and folded > 0.3, (uniform, folded)


def test_playback_by_keyboard_alone(page):
    """Tab to Play and press it: the epoch advances, the title and the numbers
    follow it; press again to pause; Tab to the epoch and set one with the
    arrow keys. No mouse anywhere."""
    go(page, "/train")
    final = chart_state(page)
    assert (final["active"], final["last"], final["shown"]) == (EPOCHS, EPOCHS,
                                                                f"epoch {EPOCHS} of {EPOCHS}")
    numbers_at_the_end = metric_values(page)
    play = page.get_by_role("button", name="Play").first  # the embedding chart's: the first
    for _ in range(200):  # Tab until Play has the focus
        page.keyboard.press("Tab")
        if play.evaluate("button => button === document.activeElement"):
            break
    else:
        pytest.fail("Tab never reached Play")
    page.keyboard.press("Enter")
    page.wait_for_function("""() => Number(document.querySelector('.recdemo-playback input')
                                           .value) >= 4""")
    page.keyboard.press("Enter")  # the same button, now Pause
    page.wait_for_timeout(FRAME_MS)
    paused = chart_state(page)
    assert 4 <= paused["active"] < EPOCHS and paused["frame"] == str(paused["active"])
    assert paused["title"].startswith(f"uniform, epoch {paused['active']} of {EPOCHS}")
    assert metric_values(page) != numbers_at_the_end, "the numbers follow the epoch"
    page.wait_for_timeout(3 * FRAME_MS)
    assert chart_state(page)["active"] == paused["active"], "paused"

    page.keyboard.press("Tab")  # to the epoch
    page.keyboard.press("Home")
    expect(page.locator(".recdemo-playback output").first).to_have_text(f"epoch 0 of {EPOCHS}")
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    at_3 = chart_state(page)
    assert (at_3["frame"], at_3["active"], at_3["shown"]) == ("3", 3, f"epoch 3 of {EPOCHS}")
    assert (at_3["x"], at_3["y"]) != (final["x"], final["y"]), "epoch 3 is drawn"
    assert_healthy(page)


def test_folded_group_names_are_listed_one_under_another(page):
    """Where the groups fold, their names (drawn at each group's center) would
    be written over one another; recdemo/figures/names.js lists them one
    under another, inside the picture, at every frame a student stops on and
    as a 3D scene turns. On a phone positives-only folds: harness/layout.py finds no two
    names of one picture that overlap and none cut by its picture, in 2D at
    the end and at epochs 0 and 7, in 3D at the end and after a drag."""
    page.set_viewport_size({"width": 390, "height": 844})

    def name_problems() -> list[str]:
        return [problem for problem in layout_problems(page) if "group name" in problem]

    go(page, "/train?components=2&strategy=positives-only")
    assert name_problems() == []
    moved = page.locator(f"{CHART} .scatterlayer g.text[transform]")
    assert moved.count() > 0, "the groups fold here: some names were moved"
    for epoch in ("0", "7"):
        page.locator(".recdemo-playback input").first.fill(epoch)
        expect(page.locator(".recdemo-playback output").first).to_have_text(
            f"epoch {epoch} of {EPOCHS}")
        page.wait_for_timeout(300)  # drawn, and its names placed
        assert name_problems() == [], epoch

    go(page, "/train?components=3&strategy=positives-only")
    page.wait_for_timeout(500)  # the scene draws its names after the chart's events
    assert name_problems() == []
    assert page.locator(f"{CHART} [class^='annotation-scene'][transform]").count() > 0
    def scene() -> dict:
        return next(area["box"] for area in main_chart(page)["areas"] if area["name"] == "scene")

    page.locator(f"{CHART} #scene").first.scroll_into_view_if_needed()
    x, y = scene()["x"] + scene()["width"] / 2, scene()["y"] + scene()["height"] / 2
    camera = page.locator(CHART).first.evaluate(CAMERA)
    page.mouse.move(x, y)
    page.mouse.down()
    for step in range(1, 9):  # a hand's pace: the scene turns on each move
        page.mouse.move(x + 15 * step, y + 3 * step)
        page.wait_for_timeout(50)
    page.mouse.up()
    page.wait_for_timeout(500)
    assert page.locator(CHART).first.evaluate(CAMERA) != camera, "the drag turned the scene"
    assert name_problems() == [], "after turning the scene"
    assert_healthy(page)


def test_a_group_name_by_a_narrow_pictures_side_is_moved_inside(page):
    """Compare's pictures are narrow on a phone: here positives-only's brown
    group has its center by the picture's left edge, and its name ran past
    it. names.js moves such a name in just far enough."""
    page.set_viewport_size({"width": 390, "height": 844})
    go(page, "/compare?items_per_group=10&positives=10&leak=0&epochs=2")
    page.wait_for_timeout(500)  # drawn, and its names placed
    assert [problem for problem in layout_problems(page) if "group name" in problem] == []
    moved = page.locator(f"{CHART} .scatterlayer g.text[transform^='translate(']")
    assert moved.evaluate_all("names => names.filter(name => !name.getAttribute('transform')"
                              ".startsWith('translate(0,')).length") > 0, "a name moved sideways"
    assert_healthy(page)


def test_the_keyboards_choice_of_strategy_is_outlined(page):
    """Tab to the strategy's radio buttons and move with the arrows: the
    option the keyboard is on has an outline of at least 3:1 against the page
    (WCAG's non-text contrast), not Streamlit's light grey box alone."""
    go(page, "/train")
    radio = page.locator(STRATEGY_RADIO)
    for _ in range(200):  # Tab until a strategy has the focus (past the label's "?")
        page.keyboard.press("Tab")
        if radio.evaluate("radio => radio.contains(document.activeElement)"
                          " && document.activeElement.type === 'radio'"):
            break
    else:
        pytest.fail("Tab never reached the strategies")
    outline = radio.evaluate(
        "radio => { const label = radio.querySelector('label:has(input:focus-visible)');"
        " const s = getComputedStyle(label);"
        " return [s.outlineStyle, parseFloat(s.outlineWidth), s.outlineColor]; }")
    style, width, color = outline
    assert style == "solid" and width >= 2, outline
    assert contrast(color, "#FFFFFF") >= 3.0, color


def test_the_keyboards_page_link_is_outlined(page):
    """Tab to the sidebar's link to the page on screen: it has an outline of at
    least 3:1 against the sidebar. Streamlit marks a focused page link with
    the light grey box it also gives the current page, so on the current
    page's link the keyboard's place did not show at all."""
    go(page, "/train")
    current = page.locator(NAV_LINKS).filter(has_text="Train")
    for _ in range(20):
        page.keyboard.press("Tab")
        if current.evaluate("link => link === document.activeElement"):
            break
    else:
        pytest.fail("Tab never reached the Train link")
    style, width, color = current.evaluate(
        "link => { const s = getComputedStyle(link);"
        " return [s.outlineStyle, parseFloat(s.outlineWidth), s.outlineColor]; }")
    assert style == "solid" and width >= 2, (style, width)
    assert contrast(color, "#F0F2F6") >= 3.0, color


def test_a_phone_tabs_into_the_page_not_the_closed_sidebar(page):
    """On a phone the sidebar starts closed, off the screen's left side: its
    links and controls were still Tab stops, some thirty of them with no
    focus to be seen before the page's first. Closed, it has none; opened,
    they are there."""
    page.set_viewport_size({"width": 390, "height": 844})
    go(page, "/train")
    sidebar = page.locator("[data-testid='stSidebar']")
    expect(sidebar).to_have_attribute("data-collapsed", "true")
    stops = []
    for _ in range(8):
        page.keyboard.press("Tab")
        stops.append(page.evaluate("""() => { const e = document.activeElement;
            const r = e.getBoundingClientRect();
            return {inSidebar: Boolean(e.closest("[data-testid='stSidebar']")),
                    onScreen: r.right > 0 && r.left < innerWidth}; }"""))
    assert not any(stop["inSidebar"] or not stop["onScreen"] for stop in stops), stops
    page.locator("[data-testid='stExpandSidebarButton']").click()
    expect(sidebar).to_have_attribute("data-collapsed", "false")
    link = page.locator(NAV_LINKS).first
    link.focus()
    assert link.evaluate("link => link === document.activeElement"), "the open sidebar's links"


FOCUSED = """() => { const e = document.activeElement;
    return [e.getAttribute('aria-label'), Boolean(e.closest("[data-testid='stSidebar']"))]; }"""


def test_a_phones_sidebar_opened_by_keyboard_takes_the_focus(page):
    """On a phone the open sidebar lies over the page. Opened from the
    keyboard, its button went and the focus with it: the next Tab went on
    into the page behind the sidebar, whose controls only Shift+Tab reached.
    The focus moves to the sidebar's close button, the next Tab to its first
    link; Enter there, or Escape anywhere in it, closes it and the focus is
    back on the open button (ui/sidebar_focus.js)."""
    page.set_viewport_size({"width": 390, "height": 844})
    go(page, "/train")
    sidebar = page.locator("[data-testid='stSidebar']")
    for close_by in ("Enter", "Escape"):
        page.locator("[data-testid='stExpandSidebarButton']").focus()
        page.keyboard.press("Enter")
        expect(sidebar).to_have_attribute("data-collapsed", "false")
        page.wait_for_function("() => document.activeElement.getAttribute('aria-label')"
                               " === 'Collapse sidebar'")
        page.keyboard.press("Tab")
        assert page.evaluate(FOCUSED) == [None, True], "Tab goes on into the sidebar"
        # Once the sidebar has slid in (Streamlit ignores a close while it slides).
        page.wait_for_function("() => document.querySelector(\"[data-testid='stSidebar']\")"
                               ".getAnimations().length === 0")
        if close_by == "Enter":
            page.keyboard.press("Shift+Tab")
        page.keyboard.press(close_by)
        expect(sidebar).to_have_attribute("data-collapsed", "true")
        page.wait_for_function("() => document.activeElement.getAttribute('aria-label')"
                               " === 'Expand sidebar'")
        assert page.console_errors == []


def test_a_tablets_sidebar_opened_by_keyboard_can_be_closed_by_keyboard(page):
    """On a tablet (768 px) the sidebar starts closed too, and opens beside the
    page; Streamlit shows its close button on hover only, so a keyboard could
    neither find the sidebar's controls after opening it nor close it. The
    focus moves to its first link; there its close button shows, one
    Shift+Tab away."""
    page.set_viewport_size({"width": 768, "height": 1024})
    go(page, "/train")
    sidebar = page.locator("[data-testid='stSidebar']")
    expect(sidebar).to_have_attribute("data-collapsed", "true")
    page.locator("[data-testid='stExpandSidebarButton']").focus()
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.activeElement.closest(\"[data-testid='stSidebar']\")")
    assert page.evaluate("() => document.activeElement.innerText").endswith("Lesson")
    page.keyboard.press("Shift+Tab")
    close = page.locator("[data-testid='stSidebarCollapseButton'] button")
    expect(close).to_be_focused()
    expect(close).to_be_visible()
    page.keyboard.press("Enter")
    expect(sidebar).to_have_attribute("data-collapsed", "true")
    expect(page.locator("[data-testid='stExpandSidebarButton']")).to_be_focused()
    assert page.console_errors == []


def test_query_inspector_select_box(page):
    go(page, "/train")
    inspector = page.locator("[data-testid='stSelectbox']").filter(has_text="Inspect a query")
    inspector.locator("input").click()
    page.keyboard.type("query 37 (")
    page.get_by_role("option", name=re.compile(r"^query 37 \(")).click()
    wait_for_rerun(page, lambda: expect(page.get_by_text(re.compile(r"of query 37 \("))
                   ).to_be_visible())
    assert_healthy(page)
    assert re.search(r"[?&]query=37(&|$)", page.url), page.url
    expect(page.get_by_text(re.compile(
        r"^Top 10 of query 37 \(\w+\) after training: \d+ spurious"))).to_be_visible()
    table = page.locator("[data-testid='stDataFrame']")
    expect(table).to_be_visible()
    # a header (rank, item, group, spurious) and a row per pick, #1 to #10
    expect(table.locator("table [role='row']")).to_have_count(1 + PARAMS["k"].default)
    expect(table.locator("table [role='columnheader']")).to_have_count(4)
    expect(inspector.get_by_role("combobox")).to_have_value(re.compile(r"^query 37 \("))


# The square's id reaches the page as plotly customdata. The figure sends ids as
# typed arrays; a 2-D one made a selected point's customdata arrive as
# {"0": id, "1": item}, and pages/train.py's on_click failed with KeyError.
def test_clicking_a_query_square_inspects_it(page):
    go(page, "/train?components=2")  # plotly draws 2D points in SVG, where a test can find them
    chart = page.locator(CHART).first
    chart.scroll_into_view_if_needed()
    # The query square farthest from any other point (query 0 is inspected
    # already), so plotly's "closest point" is it.
    target = next((square for square in query_squares(page) if square["query"] != 0), None)
    assert target is not None and target["gap"] > 8, target
    query = target["query"]
    page.mouse.move(target["x"], target["y"])
    expect(chart.locator(".hoverlayer").first).to_contain_text(f"query {query} (")
    page.mouse.click(target["x"], target["y"])
    page.wait_for_function(
        """query => new RegExp(`[?&]query=${query}(&|$)`).test(location.search)
                    || document.querySelector("[data-testid='stException']")""", arg=query)
    page.wait_for_selector(READY, timeout=LOAD_TIMEOUT)
    assert_healthy(page)
    expect(page.get_by_text(re.compile(rf"of query {query} \("))).to_be_visible()
    expect(page.locator("[data-testid='stSelectbox']").filter(has_text="Inspect a query")
           .get_by_role("combobox")).to_have_value(re.compile(rf"^query {query} \("))


# How far the page has scrolled: Streamlit scrolls stMain, not the document.
SCROLLED = """() => document.scrollingElement.scrollTop
    + document.querySelector("[data-testid='stMain']").scrollTop"""
CAMERA = "plot => JSON.stringify(plot._fullLayout.scene._scene.getCamera())"


def test_the_wheel_over_the_3d_picture_scrolls_the_page(page):
    """A student scrolling down the Train page on a projector with the pointer
    over the 3D picture scrolls the page: the scene does not zoom (scrollZoom
    off, ui/charts.py), nor does it swallow the wheel (plotly's scene prevents
    the scroll even then: ui/plot.js keeps the wheel from it)."""
    screen = {"width": 1280, "height": 720}  # the smaller projector view
    page.set_viewport_size(screen)
    go(page, "/train")
    chart = page.locator(CHART).first
    scene = next(area["box"] for area in main_chart(page)["areas"] if area["name"] == "scene")
    bottom = min(scene["y"] + scene["height"], screen["height"])
    assert bottom - scene["y"] > 100, ("the 3D picture starts on the first screen", scene)
    camera = chart.evaluate(CAMERA)
    page.mouse.move(scene["x"] + scene["width"] / 2, (scene["y"] + bottom) / 2)
    before = page.evaluate(SCROLLED)
    page.mouse.wheel(0, 400)
    page.wait_for_function(f"before => ({SCROLLED})() > before + 100", arg=before)
    page.wait_for_timeout(300)  # a zoom, had there been one, is drawn by now
    assert chart.evaluate(CAMERA) == camera, "the wheel zoomed the scene"
    assert_healthy(page)


# ---------------------------------------------------------------- links

def test_shared_link_opens_the_same_view(page):
    go(page, "/train?strategy=hard&groups=4&seed=3")
    assert_healthy(page)
    expect(page.locator(STRATEGY_RADIO).get_by_role("radio", name="hard")).to_be_checked()
    chart = page.locator(CHART).first
    expect(chart.locator(".gtitle")).to_contain_text("hard")
    legend = chart.locator(".legend .traces").filter(has_text=GROUP_LEGEND)
    colors = legend.locator("path.scatterpts").evaluate_all(
        "paths => paths.map(path => getComputedStyle(path).fill)")
    assert len(colors) == 4 and len(set(colors)) == 4, colors
    expect(page.locator("[data-testid='stSidebar']").get_by_role("slider", name="groups")
           ).to_have_value("4")
    for name, value in (("strategy", "hard"), ("groups", "4"), ("seed", "3")):
        assert f"{name}={value}" in page.url, page.url


# The page's warnings, not the share box's: on this loopback server it warns
# that its links carry 127.0.0.1 (test_the_share_box_warns_of_a_loopback_address).
MAIN_WARNINGS = "[data-testid='stMain'] [data-testid='stAlertContentWarning']"


def test_bad_link_value_warns_and_the_page_still_draws(page):
    go(page, "/train?groups=99")
    warning = page.locator(MAIN_WARNINGS)
    expect(warning).to_have_count(1)
    expect(warning).to_contain_text(re.compile(r"^.*Link parameter ignored: groups\b"))
    assert_healthy(page)
    chart = page.locator(CHART).first
    assert chart.locator(".scatterlayer .point").count() > 100
    legend = chart.locator(".legend .traces").filter(has_text=GROUP_LEGEND)
    expect(legend).to_have_count(6)  # the default number of groups


# The injections of issue 9: markdown in a link value rendered a link to another
# site, and an image every student's browser fetched.
INJECTIONS = ["/train?seed=[click%20me](https://evil.example/phish)",
              "/train?seed=!%5Bt%5D(https://evil.example/t.png)"]


@pytest.mark.parametrize("path", INJECTIONS)
def test_a_link_value_cannot_put_a_link_or_an_image_into_the_page(page, path):
    app = urlparse(page.base_url).netloc
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    go(page, path)
    assert_healthy(page)
    expect(page.locator(MAIN_WARNINGS)).to_contain_text("Link parameter ignored: seed")
    shown = page.locator("[data-testid='stCode']").filter(has_text="https://evil.example/")
    expect(shown).to_have_count(1)  # the value, as plain text
    links = page.locator("a[href]").evaluate_all("links => links.map(link => link.href)")
    images = page.locator("img[src]").evaluate_all("images => images.map(image => image.src)")
    # The one link out is the app's own: the course the lesson follows.
    assert [url for url in links + images if not inside(url, app)] == [ui.SOURCE_URL]
    assert [url for url in requests if not inside(url, app)] == [], "fetched from outside"


def inside(url: str, app: str) -> bool:
    """Does ``url`` stay in the app (``app``: its host:port), or in the page itself?"""
    parts = urlparse(url)
    return parts.netloc == app if parts.scheme in ("http", "https", "ws", "wss") \
        else parts.scheme in ("data", "blob")


def test_the_share_box_warns_of_a_loopback_address(page):
    """This server was opened at 127.0.0.1, and no --browser.serverAddress
    gives another address: the links it shares open nothing on a student's
    machine, and Share this view says so, and how to fix it."""
    go(page, "/groups?seed=3")
    box = page.locator("[data-testid='stSidebar'] [data-testid='stExpander']").filter(
        has_text="Share this view")
    box.get_by_text("Share this view").click()
    warning = box.locator("[data-testid='stAlertContentWarning']")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("Students cannot open these links: on a student's "
                                    "machine, 127.0.0.1 is that machine itself.")
    expect(warning).to_contain_text("--browser.serverAddress")
    assert box.locator("[data-testid='stCode']").first.inner_text() == \
        page.base_url + "/groups?seed=3"
    box.screenshot(path=SCREENSHOTS / "share-box-loopback.png")


def test_presenter_link_hides_sidebar_and_strategy(page):
    go(page, "/train?present=true&hide=strategy")
    assert_healthy(page)
    expect(page.locator("h1")).to_have_text("Train a softmax recommender")
    expect(page.locator("[data-testid='stSidebar']")).to_be_hidden()
    expect(page.locator("[data-testid='stSidebarCollapsedControl']")).to_be_hidden()
    expect(page.locator(STRATEGY_RADIO)).to_have_count(0)
    expect(page.get_by_role("radio", name="positives-only")).to_have_count(0)
    expect(page.locator(CARD_VALUES)).to_have_count(4)
    assert page.evaluate("getComputedStyle(document.documentElement).fontSize") == "22px"
    chart_font = page.locator(CHART).first.evaluate("plot => plot._fullLayout.font.size")
    assert chart_font == ui.PRESENTER_FONT_SIZE, "the charts' type grows too"
    assert "present=true" in page.url and "hide=strategy" in page.url
    screenshots(page, "train-presenter")


# Every screen a class uses: a phone, a tablet, the two projectors.
SCREENS = [{"width": 390, "height": 844}, {"width": 768, "height": 1024},
           {"width": 1024, "height": 768}, {"width": 1280, "height": 720}]
PROJECTORS = SCREENS[2:]
EVERY_PAGE = [f"/{path}" for path, _, _ in ui.navigation.PAGES]


@pytest.mark.parametrize("screen", SCREENS, ids=lambda size: f"{size['width']}x{size['height']}")
def test_every_page_fits_the_screen(browser, base_url, screen):
    """On every screen a class uses, in the normal view and the presenter's,
    every page's charts read: no two of a chart's texts (its title, legends,
    axis titles, annotations and subplot titles, the numbers and the frame
    the component draws) overlap, none lies over a plot's points, none is cut
    by its chart or the screen, and no word of the numbers' labels breaks
    across lines (harness/layout.py). A phone's charts have no toolbar, and
    no chart has plotly's "Share chart..." (it uploads to plotly's cloud).

    On a projector the presenter view shows each page's main picture (its
    panels; on Train its four numbers too) on the first screen, without
    scrolling, and its tables every row and column without a scrollbar; the
    Train page's 3D scene is at least half of a 1280x720 screen. One browser
    context per screen; a screenshot of each page in artifacts/screenshots/."""
    context = browser.new_context(viewport=screen)
    context.set_default_timeout(TIMEOUT)
    try:
        tab = context.new_page()
        tab.console_errors = watch_console(tab)
        tab.base_url = base_url
        size = f"{screen['width']}x{screen['height']}"
        problems = []
        for view, query in (("normal", ""), ("presenter", "?present=true")):
            for path in EVERY_PAGE:
                name = PAGES.get(path, path.strip("/"))
                go(tab, path + query, charts=path != "/exercises")
                tab.wait_for_timeout(300)  # a chart drawn for its width may draw again
                assert_healthy(tab)
                problems += [f"{name} ({view}, {size}): {problem}"
                             for problem in layout_problems(tab)]
                assert tab.locator(".modebar-btn[data-title^='Share chart']").count() == 0
                if screen["width"] < 480:
                    assert tab.locator(f"{CHART} .modebar").count() == 0, "no toolbar on a phone"
                if view == "presenter" and screen in PROJECTORS and path != "/exercises":
                    fits_the_first_screen(tab, name, screen)
                if view == "presenter" and name == "train" and screen["width"] == 1280:
                    scene = next(area["box"] for area in main_chart(tab)["areas"]
                                 if area["name"] == "scene")
                    assert first_screen_share(scene, screen) >= 0.5, scene
                screenshots(tab, f"fit-{name}-{view}-{size}")
                tab.set_viewport_size(screen)
        assert problems == []
    finally:
        context.close()


def fits_the_first_screen(tab: Page, name: str, screen: dict) -> None:
    """The page's main picture (its plot areas), on Train its numbers, on the
    first screen; its tables with every row and column, no scrollbar."""
    on_screen = [(f"{area['name']} of the main chart", area["box"])
                 for area in main_chart(tab)["areas"]]
    if name == "train":
        values = tab.locator(CARD_VALUES)
        expect(values).to_have_count(len(METRICS))
        on_screen += [(text, value.bounding_box()) for text, value in zip(
            metric_values(tab), values.all(), strict=True)]
        top_k = tab.locator("[data-testid='stDataFrame']").filter(has_text="#10")
        expect(top_k.locator("table [role='row']")).to_have_count(1 + PARAMS["k"].default)
    for what, box in on_screen:
        assert box is not None and box["y"] >= 0 and box["x"] >= 0 \
            and box["y"] + box["height"] <= screen["height"] + 1 \
            and box["x"] + box["width"] <= screen["width"] + 1, (name, what, box, screen)
    tables = tab.locator("[data-testid='stDataFrame'] .dvn-scroller")
    # A scroller as large as what it shows: nothing behind a scrollbar.
    cut = tables.evaluate_all("""scrollers => scrollers.filter(s =>
        s.scrollWidth > s.clientWidth + 1 || s.scrollHeight > s.clientHeight + 1
    ).length""")
    assert cut == 0, f"{name}: {cut} table(s) need scrolling at {screen}"


# ---------------------------------------------------------------- exports

def test_downloads_metrics_csv_and_chart_png(page):
    go(page, "/train")
    button = page.locator("[data-testid='stDownloadButton']").filter(
        has_text="Metrics per epoch (CSV)")
    with page.expect_download() as download_info:
        button.locator("button").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv"), download.suggested_filename
    with open(download.path(), encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file))
    assert "spurious_at_k" in rows[0]
    assert [row["epoch"] for row in rows] == [str(epoch) for epoch in range(EPOCHS + 1)]
    assert {row["strategy"] for row in rows} == {"uniform"}

    # plotly's own toolbar button draws the PNG in the browser
    chart = page.locator(CHART).first
    chart.hover()
    button = chart.locator(".modebar-btn[data-title*='png' i]")
    expect(button).to_be_visible()
    with page.expect_download() as download_info:
        button.click()
    download = download_info.value
    assert download.suggested_filename.endswith(".png"), download.suggested_filename
    with open(download.path(), "rb") as file:
        assert file.read(8) == b"\x89PNG\r\n\x1a\n"
    assert_healthy(page)


def download(tab: Page, label: str):
    """Click the download button ``label``; return (suggested file name, path)."""
    button = tab.locator("[data-testid='stDownloadButton']").filter(has_text=label)
    with tab.expect_download() as download_info:
        button.locator("button").click()
    return download_info.value.suggested_filename, download_info.value.path()


def test_an_exported_chart_fits_a_phone_and_lists_folded_names(page, tmp_path):
    """The chart's HTML export is plain plotly, without the app: it runs
    recdemo/figures/fit.js and names.js itself, so on a phone it is drawn in
    the app's narrow layout (in the wide one its title and captions ran off
    the screen and over one another), and where positives-only folds its
    names are as readable as in the app, at the end and at epoch 0."""
    page.set_viewport_size({"width": 390, "height": 844})
    go(page, "/train?components=2&strategy=positives-only")
    name, path = download(page, "Chart as interactive HTML")
    saved = tmp_path / name  # a browser reads a file as HTML by its name
    saved.write_bytes(Path(path).read_bytes())
    page.goto(saved.as_uri())
    page.wait_for_selector(".js-plotly-plot .scatterlayer g.text", state="attached")
    page.wait_for_timeout(500)  # drawn, and its names placed

    def name_problems() -> list[str]:
        return [problem for problem in layout_problems(page) if "group name" in problem]

    assert layout_problems(page) == []
    assert page.locator(".scatterlayer g.text[transform]").count() > 0, "names were moved"
    page.evaluate("""() => Plotly.animate(document.querySelector('.js-plotly-plot'), ['0'],
                                       {frame: {duration: 0}, transition: {duration: 0}})""")
    page.wait_for_timeout(500)
    assert name_problems() == [], "at epoch 0"
    assert page.console_errors == []


def test_an_exported_run_reopens_from_its_own_link(page, browser):
    """A teacher's JSON export carries every setting and the link; the link,
    opened in another browser, shows the same run's numbers."""
    go(page, "/train?strategy=hard&groups=4&seed=3&leak=0.02")
    name, path = download(page, "Metrics per epoch (JSON)")
    assert name == "recdemo-hard-seed3-metrics.json"
    exported = json.loads(Path(path).read_text(encoding="utf-8"))
    assert {key: exported["settings"][key] for key in ("strategy", "groups", "seed", "leak")
            } == {"strategy": "hard", "groups": 4, "seed": 3, "leak": 0.02}
    final = exported["epochs"][-1]
    context = browser.new_context(viewport=VIEWPORT)
    try:
        other = context.new_page()
        other.console_errors = watch_console(other)
        open_page(other, exported["link"])
        assert_healthy(other)
        values = [float(value) for value in metric_values(other)]
        assert values == pytest.approx([final[name] for name in METRICS], abs=0.005)
    finally:
        context.close()


# ---------------------------------------------------------------- a fresh server

# Records, from the first byte of a page on, every navigation link it shows and
# whether a sidebar was ever on screen.
WATCH_NAVIGATION = """
window.recdemoSeen = {links: [], sidebar: false};
new MutationObserver(() => {
    for (const link of document.querySelectorAll("[data-testid$='NavLink']")) {
        if (!window.recdemoSeen.links.includes(link.textContent)) {
            window.recdemoSeen.links.push(link.textContent);
        }
    }
    const sidebar = document.querySelector("[data-testid='stSidebar']");
    if (sidebar && sidebar.getBoundingClientRect().width > 0
            && getComputedStyle(sidebar).display !== "none") {
        window.recdemoSeen.sidebar = true;
    }
}).observe(document, {childList: true, subtree: true, attributes: true});
"""


def test_fresh_server_deep_link(browser, fresh_app_url):
    """A teacher starts the server and opens a presenter link to /train first:
    no sidebar and no navigation ever shows, not even for a moment (a folder
    named pages/ put a fresh Streamlit in its old multipage mode, which showed
    the folder's raw file list in a sidebar for seconds, and once a "Page not
    found" dialog). Then a student opens /train: the app's own navigation, its
    page at hand marked."""
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(TIMEOUT)
    context.add_init_script(WATCH_NAVIGATION)
    try:
        tab = context.new_page()
        tab.console_errors = watch_console(tab)
        open_page(tab, fresh_app_url + "/train?present=true")
        expect(tab.get_by_role("dialog")).to_have_count(0)
        expect(tab.locator("h1")).to_have_text("Train a softmax recommender")
        assert tab.locator(f"{CHART} .scatterlayer .point").count() > 100
        assert tab.evaluate("window.recdemoSeen") == {"links": [], "sidebar": False}
        assert urlparse(tab.url).path == "/train"
        assert_healthy(tab)
        screenshots(tab, "train-fresh-server")

        student = context.new_page()
        student.console_errors = watch_console(student)
        open_page(student, fresh_app_url + "/train")
        nav = student.locator(NAV_LINKS)
        expect(nav).to_have_count(len(NAVIGATION))
        assert [link.locator("p").inner_text() for link in nav.all()] == NAVIGATION
        marked = [link.evaluate("e => getComputedStyle(e).backgroundColor") for link in nav.all()]
        assert marked.count(marked[0]) == len(marked) - 1 != marked[2], marked  # Train's
        seen = student.evaluate("window.recdemoSeen.links")
        assert [text for text in seen if not text.endswith(tuple(NAVIGATION))] == [], seen
        assert_healthy(student)
    finally:
        context.close()


# ---------------------------------------------------------------- exercises

def test_an_exercise_asks_first_opens_its_view_and_answers_after(page):
    """A teacher links to exercise 3; a student reads the question, opens the
    view it sets up, and finds the answer folded away until asked for."""
    go(page, "/exercises?exercise=3", charts=False)
    assert_healthy(page)
    expect(page.locator("h2")).to_contain_text("A good model with spurious recommendations")
    expect(page.get_by_text("Your prediction first.")).to_be_visible()
    answer = page.get_by_text(re.compile(r"spurious@10 \d\.\d\d\d? against the data's own"))
    expect(answer).to_be_hidden()
    page.get_by_text("The answer to exercise 3 (after you have looked)").click()
    expect(answer).to_be_visible()
    shown_link = page.locator("[data-testid='stMain'] [data-testid='stCode']").inner_text()
    assert shown_link.startswith(page.base_url + "/train?") and "strategy=in-group" in shown_link
    view = open_the_view(page)
    assert view.url == page.base_url + "/train?strategy=in-group"
    expect(view.locator(STRATEGY_RADIO).get_by_role("radio", name="in-group")).to_be_checked()
    expect(view.locator(CHART).first.locator(".gtitle")).to_contain_text("in-group")
    assert_healthy(view)


def test_the_next_exercises_answer_starts_closed(page):
    """A review: the answer opened for exercise 1 stayed open for exercise 3,
    its text shown before the student had looked at its view."""
    go_to_exercises(page, "?exercise=1")
    answer = page.locator("[data-testid='stMain'] [data-testid='stExpander'] details")
    page.get_by_text("The answer to exercise 1 (after you have looked)").click()
    expect(answer).to_have_attribute("open", "")
    chooser = page.locator("[data-testid='stSelectbox']").filter(has_text="Exercise")
    chooser.locator("input").click()
    page.get_by_role("option", name=re.compile(r"^3\. ")).click()
    wait_for_rerun(page, lambda: expect(page.locator("[data-testid='stMain'] h2").first
                                        ).to_contain_text("3. "))
    expect(page.get_by_text("The answer to exercise 3 (after you have looked)")).to_be_visible()
    expect(answer).not_to_have_attribute("open", "")
    assert_healthy(page)


def open_the_view(tab: Page) -> Page:
    """Click an exercise's "Open this view": a link to a new tab, as its icon
    says; that tab, its page run over and its chart drawn."""
    button = tab.get_by_role("link", name="Open this view")
    expect(button).to_have_attribute("target", "_blank")
    with tab.context.expect_page() as opened:
        button.click()
    view = opened.value
    view.console_errors = watch_console(view)
    view.wait_for_selector(READY, timeout=LOAD_TIMEOUT)
    view.locator(CHART).first.wait_for(state="visible", timeout=TIMEOUT)
    return view


def test_an_exercise_keeps_its_place_and_the_other_pages_their_settings(page):
    """Reported: exercise 5's view, opened in the same tab, put its leak of
    0.3 into the session, so the Lesson reopened on leaked data, and Back
    showed exercise 1. Its view now opens in a tab of its own; this tab keeps
    the exercise, and its session the Lesson's settings; Back from the
    Lesson returns to exercise 5 (the Lesson's address does not carry the
    exercise: writing it there made a second history entry, and Back
    sometimes landed on it)."""
    go_to_exercises(page, "?exercise=5")
    exercise = page.locator("[data-testid='stMain'] h2").first
    expect(exercise).to_have_text("5. What the leak does")
    view = open_the_view(page)
    assert urlparse(view.url).path == "/train" and "leak=0.3" in view.url
    expect(view.locator("[data-testid='stSidebar']").get_by_role("slider", name="leak")
           ).to_have_value("0.3")
    assert_healthy(view)
    view.close()

    expect(exercise).to_have_text("5. What the leak does")
    assert page.url == page.base_url + "/exercises?exercise=5"
    page.locator(NAV_LINKS).filter(has_text="Lesson").click()
    expect(page).to_have_url(page.base_url + "/")
    expect(page.locator("h1")).to_have_text("Why recommenders need negatives")
    expect(page.locator(CHART).first).to_be_visible()
    page.wait_for_selector(READY, timeout=LOAD_TIMEOUT)
    assert page.url == page.base_url + "/", "the Lesson's settings are its own"
    lesson_link = page.locator("[data-testid='stSidebar'] [data-testid='stCode']").first
    assert "leak" not in lesson_link.text_content()
    assert "exercise" not in lesson_link.text_content()

    page.go_back()
    expect(page).to_have_url(page.base_url + "/exercises?exercise=5")
    expect(page.get_by_text("The answer to exercise 5 (after you have looked)")).to_be_visible()
    page.wait_for_selector(READY, timeout=LOAD_TIMEOUT)
    expect(exercise).to_have_text("5. What the leak does")
    assert page.url == page.base_url + "/exercises?exercise=5"
    assert_healthy(page)
