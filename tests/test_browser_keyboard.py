"""The app by keyboard alone in Chromium: the focus outlined where it is,
a phone's and a tablet's sidebar opened and closed."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from harness.browser import STRATEGY_RADIO
from tests.browser_tabs import NAV_LINKS, go
from tests.colors import contrast

pytestmark = pytest.mark.browser


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


def test_tab_goes_from_the_strategies_to_playback_past_no_pointer_tool(page):
    """A review (/train?present=true): 11 Tab stops of the chart's toolbar (zoom,
    pan, orbit, lasso, reset...), none of use to a keyboard, lay between the
    strategies and ▶ Play, and the hidden title's link was one more with
    nothing to see. The toolbar keeps one stop, the picture's download."""
    go(page, "/train?present=true")
    stops = []
    for _ in range(60):
        page.keyboard.press("Tab")
        stops.append(page.evaluate(
            "() => { const e = document.activeElement;"
            " return [e.closest('.modebar') ? e.getAttribute('data-title') : null,"
            " e.closest('h1') !== null, e.tagName === 'BUTTON' ? e.innerText : ''] }"))
        if "Play" in stops[-1][2]:
            break
    else:
        pytest.fail(f"Tab never reached ▶ Play: {stops}")
    toolbar = [title for title, _, _ in stops if title is not None]
    assert len(toolbar) == 1 and "png" in toolbar[0].lower(), toolbar
    assert not [stop for stop in stops if stop[1]], "no stop in the hidden title"


def test_a_touch_screens_sidebar_shows_its_close_button_and_closes_after_a_page_link(
        browser, base_url):
    """A review, on touch screens: a tablet's open sidebar hid its close button
    until a first tap on the blank spot (Streamlit shows it on hover); on a
    phone, a page link tapped in the sidebar left it over 80% of the new page."""
    context = browser.new_context(viewport={"width": 820, "height": 1180}, is_mobile=True,
                                  has_touch=True)
    try:
        tab = context.new_page()
        tab.base_url = base_url
        go(tab, "/train")
        sidebar = tab.locator("[data-testid='stSidebar']")
        expect(sidebar).to_have_attribute("data-collapsed", "false")
        close = tab.locator("[data-testid='stSidebarCollapseButton'] button")
        assert close.evaluate("button => button.checkVisibility({visibilityProperty: true})")
        tab.set_viewport_size({"width": 390, "height": 844})
        go(tab, "/groups")
        tab.locator("[data-testid='stExpandSidebarButton']").tap()
        expect(sidebar).to_have_attribute("data-collapsed", "false")
        tab.locator(NAV_LINKS).filter(has_text="Compare").tap()
        expect(tab).to_have_url(f"{base_url}/compare")
        expect(sidebar).to_have_attribute("data-collapsed", "true")
    finally:
        context.close()
