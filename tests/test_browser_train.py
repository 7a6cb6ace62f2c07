"""The Train page in Chromium: the strategy's radio redraws, playback,
the group names in the picture, the query inspector, a click on a square,
the wheel over the 3D picture."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from harness.browser import CHART, READY, STRATEGY_RADIO, query_squares
from harness.layout import layout_problems, main_chart
from recdemo.params import PARAMS
from tests.browser_tabs import (
    EPOCHS,
    FRAME_MS,
    LOAD_TIMEOUT,
    assert_healthy,
    chart_state,
    go,
    metric_values,
    wait_for_rerun,
)

pytestmark = pytest.mark.browser


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


def inspect_query_37(page):
    """Pick query 37 in the query inspector and wait for the rerun; returns
    the inspector."""
    inspector = page.locator("[data-testid='stSelectbox']").filter(has_text="Inspect a query")
    inspector.locator("input").click()
    page.keyboard.type("query 37 (")
    page.get_by_role("option", name=re.compile(r"^query 37 \(")).click()
    wait_for_rerun(page, lambda: expect(page.get_by_text(re.compile(r"of query 37 \("))
                   ).to_be_visible())
    return inspector


def test_a_rerun_during_playback_stops_it_and_the_button_says_so(page):
    """A review: a query inspected while the epochs played left plotly
    animating the old frames under the new chart, the button saying Play, and
    a Pause that no longer stopped anything."""
    go(page, "/train")
    play = page.get_by_role("button", name="Play").first
    play.click()
    page.wait_for_function("""() => Number(document.querySelector('.recdemo-playback input')
                                           .value) >= 2""")
    inspect_query_37(page)
    button = page.locator(".recdemo-playback button").first
    expect(button).to_have_text("▶ Play")
    page.wait_for_timeout(FRAME_MS)
    stopped = chart_state(page)
    page.wait_for_timeout(3 * FRAME_MS)
    assert chart_state(page)["active"] == stopped["active"], "nothing plays under the button"
    assert stopped["shown"] == f"epoch {stopped['active']} of {EPOCHS}"
    # Play and Pause work again.
    button.click()
    page.wait_for_function("""(at) => Number(document.querySelector('.recdemo-playback input')
                                             .value) !== at""", arg=stopped["active"])
    button.click()
    expect(button).to_have_text("▶ Play")
    page.wait_for_timeout(FRAME_MS)
    paused = chart_state(page)["active"]
    page.wait_for_timeout(3 * FRAME_MS)
    assert chart_state(page)["active"] == paused, "paused"
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


def test_query_inspector_select_box(page):
    go(page, "/train")
    inspector = inspect_query_37(page)
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
