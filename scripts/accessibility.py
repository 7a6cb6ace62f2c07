"""axe-core on every page of the app, in the student's view and the presenter's.

    .venv/bin/python scripts/accessibility.py [--url http://host:port]
        [--axe path/to/axe.min.js] [--size 1400x900]

Starts its own server (`streamlit run app.py` on a free loopback port) unless
--url names one, opens each page in one Chromium tab after the home page,
waits for its charts, makes the viewport as tall as the page (axe checks
the contrast of visible text only), and runs axe-core (the bundled
axe.min.js of axe-playwright-python, or --axe's). Prints a Markdown table: per page and view, every
violation axe reports (rule and number of nodes), and those of the app's own
markup by harness/accessibility.py's rule, which tests/test_browser.py
holds at none. Not a test: it measures, whatever it finds.
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

from playwright.sync_api import sync_playwright

from harness.accessibility import app_violations, axe_results, show_whole_page
from harness.browser import CHART, CHROMIUM, CHROMIUM_ARGS, READY
from harness.report import markdown_table
from harness.server import app_server
from ui.navigation import PAGES

LOAD_TIMEOUT = 180_000  # ms
VIEWS = {"student": "", "presenter": "?present=true"}


def counted(names: list[str]) -> str:
    return ", ".join(f"{name} ({count})" for name, count in sorted(Counter(names).items())) \
        or "none"


def measure(base: str, axe_js: str | None, width: int, height: int) -> list[list[str]]:
    rows = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        tab = browser.new_page(viewport={"width": width, "height": height})
        tab.goto(base + "/")  # a fresh server's first visit is to its home page
        tab.wait_for_selector(READY, timeout=LOAD_TIMEOUT)
        for view, query in VIEWS.items():
            for path, _, _ in PAGES:
                tab.goto(f"{base}/{path}{query}")
                tab.wait_for_selector(READY, timeout=LOAD_TIMEOUT)
                if path != "exercises":
                    tab.locator(CHART).first.wait_for(state="visible", timeout=LOAD_TIMEOUT)
                show_whole_page(tab)
                results = axe_results(tab, axe_js)
                violations = [rule["id"] for rule in results["violations"]
                              for _ in rule["nodes"]]
                own = [finding["rule"] + " (undecided)" * finding["undecided"]
                       for finding in app_violations(tab, results)]
                rows.append([f"/{path}", view, counted(violations), counted(own)])
                tab.set_viewport_size({"width": width, "height": height})
        engine = results["testEngine"]["version"]
        browser.close()
    print(f"axe-core {engine}, Chromium {width} wide, the whole page in view; rule (nodes):\n")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], allow_abbrev=False)
    parser.add_argument("--url", help="a running server (default: start one)")
    parser.add_argument("--axe", help="another axe.min.js (default: the package's)")
    parser.add_argument("--size", default="1400x900", help="the tab's viewport, WIDTHxHEIGHT")
    args = parser.parse_args()
    width, height = (int(n) for n in args.size.split("x"))
    axe_js = Path(args.axe).read_text(encoding="utf-8") if args.axe else None
    if args.url:
        rows = measure(args.url.rstrip("/"), axe_js, width, height)
    else:
        with app_server() as url:
            rows = measure(url, axe_js, width, height)
    print(markdown_table(["page", "view", "axe violations", "the app's own"], rows))


if __name__ == "__main__":
    main()
