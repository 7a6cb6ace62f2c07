"""The fixtures of the browser tests: a real app server and one Chromium
(harness/: the same server and browser the benchmarks start)."""

import os

import pytest

from harness.browser import CHROMIUM, CHROMIUM_ARGS
from harness.browser import chromium_path as find_chromium
from harness.server import app_server


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
