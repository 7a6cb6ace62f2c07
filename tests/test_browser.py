"""The app in a real Chromium, driven by Playwright, against a real `streamlit run`:
every page loads without a console error and plotly draws its charts;
axe-core finds nothing in the app's own markup; every page fits every
screen a class uses; a fresh server opens a deep link. Screenshots of every
page land in artifacts/screenshots/.

What a student does on a page is in the other test_browser_*.py: the Train
page, links and exports, the keyboard, the exercises. The server, the
browser and the skip-or-fail rule for a missing Chromium are fixtures in
conftest.py, over harness/; the helpers are in tests/browser_tabs.py.
"""

from __future__ import annotations

import os
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Page, expect

import ui
from harness.accessibility import app_violations, show_whole_page
from harness.browser import CHART
from harness.layout import first_screen_share, layout_problems, main_chart
from recdemo.metrics import METRICS
from recdemo.params import PARAMS
from tests.browser_tabs import (
    CARD_VALUES,
    NAV_LINKS,
    NAVIGATION,
    PAGES,
    TIMEOUT,
    VIEWPORT,
    assert_healthy,
    go,
    go_to_exercises,
    metric_values,
    open_page,
    screenshots,
    watch_console,
)

pytestmark = pytest.mark.browser


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


# Every chart's box as high and wide as its drawing, within 2 px (and a chart at all).
CHARTS_KEEP_THEIR_SIZE = """() => Array.from(document.querySelectorAll('.js-plotly-plot'))
    .every((plot, _, plots) => plots.length > 0 && plot._fullLayout
        && Math.abs(plot.getBoundingClientRect().height - plot._fullLayout.height) <= 2
        && Math.abs(plot.getBoundingClientRect().width - plot._fullLayout.width) <= 2)"""


def test_a_chart_keeps_its_height_when_its_width_changes(page):
    """A review: after the presenter's window went from 1280 to 1024 wide, or
    the sidebar was collapsed, a chart's box fell to 0 px high and its drawing
    lay over the text, tables and buttons below it, until a reload (plotly's
    own resize turned autosize on; ui/plot.js now draws at a fixed width and
    the layout's height, again at each new width)."""
    page.set_viewport_size({"width": 1280, "height": 720})
    go(page, "/mf?present=true")
    page.set_viewport_size({"width": 1024, "height": 768})
    page.wait_for_function(CHARTS_KEEP_THEIR_SIZE, timeout=TIMEOUT)
    assert layout_problems(page) == []
    page.set_viewport_size({"width": 1280, "height": 720})
    go(page, "/compare")
    page.mouse.move(150, 300)  # Streamlit shows the sidebar's collapse button on hover
    page.locator("[data-testid='stSidebarCollapseButton'] button").click()
    expect(page.locator("[data-testid='stSidebar']")).to_have_attribute("data-collapsed",
                                                                        "true")
    page.wait_for_timeout(300)  # the charts' new width has reached them
    page.wait_for_function(CHARTS_KEEP_THEIR_SIZE, timeout=TIMEOUT)
    assert layout_problems(page) == []
    assert_healthy(page)


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
