"""What a student feels: from a click to the chart showing it, in a real Chromium tab.

    .venv/bin/python scripts/benchmark_browser.py [--rounds 7] [--size 1280x720]
        [--present] [--url http://host:port] [--json results.json]

Starts its own server (`streamlit run app.py` on a free loopback port) unless
--url names one, opens the Train page in one Chromium tab, as a student
would, and times, --rounds times each:

- cached click: a click on a strategy whose run is trained already, until
  the chart's title names that strategy;
- uncached click: a click on a strategy nobody trained yet (default sizes, a
  fresh seed each round), until the chart's title names it;
- Play: a click on ▶ Play, until the title shows epoch 0 (the first frame),
  and until it shows the last epoch (every frame: at least
  figures.FRAME_MS each, by design, then what the browser adds);
- inspector: a click on a query square in the 2D picture, until the top-k
  table's heading names that query;
- 3D: a click on "3D", until the chart draws a 3D scene.

The clock runs in the page: a capturing listener takes the click event's
timestamp, a MutationObserver watches the DOM until the new state is there,
and the time is taken after the next two animation frames (the browser has
painted it). Prints a Markdown table (median and max, in seconds) and the
server-side page runs' share is left to scripts/benchmark_app.py. Not a test:
nothing is asserted (a busy machine is slow, not wrong).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from harness.browser import CHART, CHROMIUM, CHROMIUM_ARGS, READY, STRATEGY_RADIO, query_squares
from harness.server import HOST, free_port, start_server, stop_server, wait_healthy
from recdemo.figures import FRAME_MS
from recdemo.params import PARAMS

PICTURE_RADIO = "[data-testid='stRadio']:has-text('Picture')"
LOAD_TIMEOUT = 180_000  # ms

# Armed before a click: resolves with the milliseconds from the click event to
# the first DOM state where `done()` holds, painted (two animation frames).
ARM = """([done, event]) => {
    const check = new Function('return (' + done + ')();');
    window.__elapsed = new Promise((resolve, reject) => {
        let start = null;
        const finish = () => requestAnimationFrame(() => requestAnimationFrame(
            () => resolve(performance.now() - start)));
        const observer = new MutationObserver(() => {
            if (start !== null && check()) { observer.disconnect(); finish(); }
        });
        window.addEventListener(event, e => {
            start = e.timeStamp;
            if (check()) { observer.disconnect(); finish(); return; }
            observer.observe(document.body, {subtree: true, childList: true,
                                             characterData: true, attributes: true});
        }, {capture: true, once: true});
        setTimeout(() => reject(new Error('timed out')), 180000);
    });
}"""


def title_starts(text: str) -> str:
    return f"""() => {{
        const title = document.querySelector('{CHART} .gtitle');
        return !!title && title.textContent.startsWith({json.dumps(text)});
    }}"""


def seconds_to(tab, done: str, act, event: str = "click") -> float:
    """Arm the in-page clock with ``done`` (a JS predicate), do ``act()``, and
    return the seconds from the click to ``done`` painted."""
    tab.evaluate(ARM, [done, event])
    act()
    return tab.evaluate("window.__elapsed") / 1000


def settle(tab) -> None:
    tab.wait_for_selector(READY, timeout=LOAD_TIMEOUT)
    tab.wait_for_timeout(300)


def open_train(tab, base: str, query: str) -> None:
    tab.goto(f"{base}/train?{query}")
    tab.wait_for_selector(READY, timeout=LOAD_TIMEOUT)
    tab.locator(CHART).first.wait_for(state="visible", timeout=LOAD_TIMEOUT)
    settle(tab)


def click_strategy(tab, strategy: str):
    return lambda: tab.locator(STRATEGY_RADIO).get_by_text(strategy, exact=True).click()


def cached_clicks(tab, base, rounds, view):
    open_train(tab, base, view)
    times = []
    strategies = ["positives-only", "uniform"]
    for strategy in strategies:  # trained once, before the clock runs
        click_strategy(tab, strategy)()
        tab.wait_for_function(title_starts(strategy), timeout=LOAD_TIMEOUT)
        settle(tab)
    for index in range(rounds):
        strategy = strategies[index % 2]
        times.append(seconds_to(tab, title_starts(strategy), click_strategy(tab, strategy)))
        settle(tab)
    return times


def uncached_clicks(tab, base, rounds, view):
    times = []
    for index in range(rounds):
        open_train(tab, base, f"{view}&strategy=positives-only&seed={1000 + index}")
        times.append(seconds_to(tab, title_starts("uniform"), click_strategy(tab, "uniform")))
        settle(tab)
    return times


def play(tab, base, rounds, view):
    open_train(tab, base, view)
    epochs = tab.locator(f"{CHART} .gtitle").text_content().split(" of ")[1].split(":")[0]
    first, last = [], []
    button = tab.locator(".recdemo-playback button").first  # ▶ Play (ui/plot.js)
    for _ in range(rounds):
        tab.evaluate(ARM, [title_starts("uniform, epoch 0 of"), "click"])
        started = tab.evaluate("performance.now()")
        button.click()
        first.append(tab.evaluate("window.__elapsed") / 1000)
        tab.wait_for_function(title_starts(f"uniform, epoch {epochs} of"), timeout=60_000)
        last.append((tab.evaluate("performance.now()") - started) / 1000)
        tab.wait_for_timeout(500)
    return first, last


def inspector_clicks(tab, base, rounds, view):
    open_train(tab, base, f"{view}&components=2")
    times = []
    for _ in range(rounds):
        tab.locator(CHART).first.scroll_into_view_if_needed()
        current = tab.evaluate("location.search")
        square = next(s for s in query_squares(tab)
                      if s["gap"] > 8 and f"query={s['query']}&" not in current + "&")
        heading = json.dumps(f"of query {square['query']} (")
        done = f"""() => [...document.querySelectorAll('[data-testid="stMarkdown"]')]
            .some(m => m.textContent.includes({heading}))"""

        def act(square=square):
            tab.mouse.move(square["x"], square["y"])
            tab.wait_for_timeout(150)  # plotly's hover finds the point
            tab.mouse.click(square["x"], square["y"])
        times.append(seconds_to(tab, done, act, event="mousedown"))
        settle(tab)
    return times


def three_d_clicks(tab, base, rounds, view):
    times = []
    for _ in range(rounds):
        open_train(tab, base, f"{view}&components=2")
        done = f"() => !!document.querySelector('{CHART} .gl-container canvas')"
        radio = tab.locator(PICTURE_RADIO).get_by_text("3D", exact=True)
        times.append(seconds_to(tab, done, radio.click))
        settle(tab)
    return times


def row(what: str, times: list[float]) -> str:
    return (f"| {what} | {statistics.median(times):.2f} | {max(times):.2f} | "
            f"{len(times)} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], allow_abbrev=False)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--size", default="1280x720", help="the tab's viewport, WIDTHxHEIGHT")
    parser.add_argument("--present", action="store_true", help="the presenter view")
    parser.add_argument("--url", help="a running server (default: start one)")
    parser.add_argument("--json", help="also write the times to this file")
    args = parser.parse_args()
    width, height = (int(n) for n in args.size.split("x"))
    view = "present=true" if args.present else "present=false"

    server = None
    base = args.url
    if base is None:
        port = free_port()
        log = open("/tmp/benchmark_browser_server.log", "w")  # noqa: SIM115
        server = start_server(port, log)
        wait_healthy(port, server)
        base = f"http://{HOST}:{port}"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            tab = browser.new_page(viewport={"width": width, "height": height})
            tab.goto(base + "/")  # the teacher opens the home page first
            tab.wait_for_selector(READY, timeout=LOAD_TIMEOUT)
            started = time.monotonic()
            results = {"cached click": cached_clicks(tab, base, args.rounds, view),
                       "uncached click": uncached_clicks(tab, base, args.rounds, view)}
            first, last = play(tab, base, args.rounds, view)
            results["Play: first frame"] = first
            results[f"Play: every frame ({PARAMS['epochs'].default + 1} × {FRAME_MS} ms "
                    "by design)"] = last
            results["inspector (click a square)"] = inspector_clicks(tab, base, args.rounds,
                                                                     view)
            results["3D"] = three_d_clicks(tab, base, args.rounds, view)
            browser.close()
    finally:
        if server is not None:
            stop_server(server)
    print(f"Chromium {width}x{height}{', presenter view' if args.present else ''}, "
          f"{time.monotonic() - started:.0f} s in all; seconds from the click to the "
          "chart painted:\n")
    print("| what | median | max | clicks |\n|---|---|---|---|")
    for what, times in results.items():
        print(row(what, times))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
