"""Links and exports in Chromium: a shared link and a presenter link open
the same view, a bad or hostile link value is named and never rendered, the
share box warns of a loopback address; downloads and the HTML export."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Page, expect

import ui
from harness.browser import CHART, STRATEGY_RADIO
from harness.layout import layout_problems
from recdemo.metrics import METRICS
from tests.browser_tabs import (
    CARD_VALUES,
    EPOCHS,
    GROUP_LEGEND,
    SCREENSHOTS,
    VIEWPORT,
    assert_healthy,
    go,
    metric_values,
    open_page,
    screenshots,
    watch_console,
)

pytestmark = pytest.mark.browser


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
