"""The Exercises page in Chromium: predict first, open the view, then the answer."""

from __future__ import annotations

import re
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Page, expect

from harness.browser import CHART, READY, STRATEGY_RADIO
from tests.browser_tabs import (
    LOAD_TIMEOUT,
    NAV_LINKS,
    TIMEOUT,
    assert_healthy,
    go,
    go_to_exercises,
    wait_for_rerun,
    watch_console,
)

pytestmark = pytest.mark.browser


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
