"""Time from a strategy change to a finished Train page run, at the default size.

    python scripts/benchmark_app.py [--repeats 3]

Runs the Train page headless with Streamlit's AppTest (the same script a
browser session runs, without the network and the browser's drawing), clicks
each strategy, and prints a Markdown table: the first click on a strategy
(uncached: it trains the model and draws the figure) and a click back to it
later (cached). Not a test: machines are noisy, so nothing is asserted.
"""

from __future__ import annotations

import argparse
import statistics
import time

from streamlit.testing.v1 import AppTest

import ui
from harness.report import machine_line
from harness.server import ROOT
from recdemo.params import STRATEGIES


def click(at: AppTest, strategy: str) -> float:
    start = time.perf_counter()
    at.radio(key="control_strategy").set_value(strategy).run()
    seconds = time.perf_counter() - start
    charts = [c for c in at.get("bidi_component") if c.proto.component_name == "recdemo.plot"]
    if at.exception or at.error or not charts:
        raise SystemExit(f"page run failed for {strategy}: {at.exception or at.error}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    uncached = {s: [] for s in STRATEGIES}
    cached = {s: [] for s in STRATEGIES}
    for _ in range(args.repeats):
        # AppTest runs the pages in this process: the app's own caches (not
        # Streamlit's, which it never uses) must be emptied for a first click.
        for cache in (ui.work.DATASETS, ui.work.RUNS, ui.charts.FIGURES):
            cache.clear()
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        at.run()
        # Opening the page trains the default (uniform) and the baseline (positives-only).
        at.switch_page("pages/train.py").run()
        order = [s for s in STRATEGIES if s != "uniform"] + ["uniform"]
        for strategy in order[:-1]:
            uncached[strategy].append(click(at, strategy))
        for strategy in order:
            cached[strategy].append(click(at, strategy))

    print(f"Train page, default data; median of {args.repeats} runs, seconds "
          f"({machine_line()})\n")
    print("| strategy | first click (trains) | click back (cached) |")
    print("|---|---|---|")
    for strategy in STRATEGIES:
        first = f"{statistics.median(uncached[strategy]):.2f}" if uncached[strategy] else "n/a"
        print(f"| {strategy} | {first} | {statistics.median(cached[strategy]):.2f} |")
    print("\nuniform is the page's default, trained when the page opens, so it has no "
          "first click; positives-only is trained then too, as the baseline of the "
          "metric deltas, so its first click only draws its figure.")


if __name__ == "__main__":
    main()
