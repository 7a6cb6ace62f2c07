"""The tests' shared fixtures: a small trained run for the figure tests; for
the browser tests, a real app server and one Chromium (harness/: the same
server and browser the benchmarks start)."""

import os

import pytest

from harness.browser import CHROMIUM, CHROMIUM_ARGS
from harness.browser import chromium_path as find_chromium
from harness.server import app_server
from recdemo.data import DataConfig, make_dataset
from recdemo.train import TrainConfig, train
from tests.browser_tabs import TIMEOUT, VIEWPORT, open_page, watch_console


@pytest.fixture(scope="session")
def run():
    """A small run and its data (3 groups of 10 items, 3 epochs), for the figure tests."""
    data = make_dataset(DataConfig(groups=3, items_per_group=10, queries_per_group=20))
    return data, train(data, TrainConfig(epochs=3))


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Where Chromium is. Missing: the browser tests skip, but under CI (CI=true) they fail."""
    path = find_chromium()
    if path is None:
        message = (f"Chromium not found (neither {CHROMIUM} nor `chromium` on PATH); "
                   "install Debian's package: apt-get install chromium")
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true and the browser tests cannot run: {message}", pytrace=False)
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def browser(chromium_path):
    """One Chromium for the session; each test opens its own context (cheap) from it."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def app_url(chromium_path):
    """Base URL of one app server shared by the browser tests (the browser is checked
    first, so a missing one skips before a server starts)."""
    with app_server() as url:
        yield url


@pytest.fixture
def fresh_app_url(chromium_path):
    """Base URL of a server of its own, started for one test and stopped after it:
    for what happens on a fresh server's very first request."""
    with app_server() as url:
        yield url


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
