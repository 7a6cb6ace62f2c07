"""How every page's charts fit every screen a class uses, measured in Chromium.

    .venv/bin/python scripts/measure_layout.py [--url http://host:port]
        [--sizes 390x844,768x1024,1024x768,1280x720] [--views normal,present]
        [--pages /,/train,...] [--shots artifacts/screenshots]

Starts its own server unless --url names one. For every screen size (one
browser context each), view and page: the main chart's size and its share of
the first screen, its largest plot area (a 3D scene, a panel), where it
starts, and the layout problems harness/layout.py finds (text over text or
over points, text cut by its chart or the screen, words broken across
lines), each printed. A screenshot of each lands in --shots. Not a test:
tests/test_browser.py asserts what matters.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from harness.browser import CHART, CHROMIUM, CHROMIUM_ARGS, READY
from harness.layout import area_px, first_screen_share, layout_problems, main_chart
from harness.server import HOST, free_port, start_server, stop_server, wait_healthy

PAGES = ("/", "/groups", "/train", "/compare", "/why-sample", "/mf", "/exercises")
LOAD_TIMEOUT = 300_000  # ms: a cold server trains every page's runs


def measure(tab, url: str, screen: dict, shots: Path, name: str) -> dict:
    tab.goto(url)
    if "/exercises" not in url:  # every other page draws a chart when its page run ends
        tab.locator(CHART).first.wait_for(state="visible", timeout=LOAD_TIMEOUT)
    tab.wait_for_selector(READY, timeout=LOAD_TIMEOUT)
    tab.wait_for_timeout(700)  # plotly draws after the page run; a relayout may follow
    tab.screenshot(path=shots / f"{name}.png")
    row = {"problems": layout_problems(tab)}
    if tab.locator(CHART).count():
        chart = main_chart(tab)
        largest = max(chart["areas"], key=lambda a: area_px(a["box"]), default=None)
        row |= {"chart": chart["chart"], "share": first_screen_share(chart["chart"], screen),
                "area": largest and largest["box"],
                "area_share": largest and first_screen_share(largest["box"], screen)}
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url")
    parser.add_argument("--sizes", default="390x844,768x1024,1024x768,1280x720")
    parser.add_argument("--views", default="normal,present")
    parser.add_argument("--pages", default=",".join(PAGES))
    parser.add_argument("--query", default="", help="added to every link, e.g. strategy=hard")
    parser.add_argument("--shots", type=Path, default=Path("artifacts/screenshots/measure"))
    args = parser.parse_args()
    args.shots.mkdir(parents=True, exist_ok=True)
    with contextlib.ExitStack() as stack:
        url = args.url
        if url is None:
            port = free_port()
            log = stack.enter_context(tempfile.TemporaryFile())
            server = start_server(port, log)
            stack.callback(stop_server, server)
            wait_healthy(port, server)
            url = f"http://{HOST}:{port}"
        playwright = stack.enter_context(sync_playwright())
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        stack.callback(browser.close)
        print("| size | view | page | chart px | first screen | largest area px | its share "
              "| problems |")
        print("|---|---|---|---|---|---|---|---|")
        failed = 0
        for size in args.sizes.split(","):
            width, height = map(int, size.split("x"))
            screen = {"width": width, "height": height}
            context = browser.new_context(viewport=screen)
            tab = context.new_page()
            for view in args.views.split(","):
                for page in args.pages.split(","):
                    query = "&".join(q for q in ("present=true" if view == "present" else "",
                                                 args.query) if q)
                    name = f"{page.strip('/') or 'lesson'}-{view}-{size}"
                    row = measure(tab, f"{url}{page}{'?' + query if query else ''}", screen,
                                  args.shots, name)
                    chart, area = row.get("chart"), row.get("area")
                    print(f"| {size} | {view} | {page} | "
                          + (f"{chart['width']:.0f}x{chart['height']:.0f} at y "
                             f"{chart['y']:.0f} | {row['share']:.0%} | " if chart else "– | – | ")
                          + (f"{area['width']:.0f}x{area['height']:.0f} | "
                             f"{row['area_share']:.0%} | " if area else "– | – | ")
                          + f"{len(row['problems'])} |", flush=True)
                    for problem in row["problems"]:
                        print(f"    {problem}", flush=True)
                    failed += bool(row["problems"])
            context.close()
        print(f"{failed} page views with problems", file=sys.stderr)


if __name__ == "__main__":
    main()
