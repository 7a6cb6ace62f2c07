"""A real Chromium against the app, for the browser tests and benchmarks:
where Chromium is and how it is started, the selectors that tell a page run
has finished, and what a picture's query squares are on screen.
"""

from __future__ import annotations

import os
import shutil

CHROMIUM = "/usr/bin/chromium"  # Debian's; Playwright's own browser download does not work here
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
# The page's script has finished running (Streamlit marks its app element).
READY = "[data-testid='stApp'][data-test-script-state='notRunning']"
CHART = ".js-plotly-plot"
STRATEGY_RADIO = "[data-testid='stRadio']:has-text('Which items does the loss see?')"


def chromium_path() -> str | None:
    """Debian's Chromium, or a chromium on PATH; None if there is none."""
    if os.access(CHROMIUM, os.X_OK):
        return CHROMIUM
    return shutil.which("chromium")


def query_squares(tab) -> list[dict]:
    """The query squares of the 2D picture (centers on screen, ids, and the
    distance to the nearest other point), farthest from the others first: a
    click there finds the square as plotly's closest point
    (tests/test_browser_train.py and scripts/benchmark_browser.py click one)."""
    return tab.locator(CHART).first.evaluate("""plot => {
        const queryTraces = plot._fullData.filter(t => t.name.endsWith(' items')).length * 2;
        const points = [];
        plot.querySelectorAll('.scatterlayer .trace').forEach(trace => {
            const index = trace.__data__[0].trace.index;
            trace.querySelectorAll('.point').forEach(point => {
                const box = point.getBoundingClientRect();
                points.push({trace: index, i: point.__data__.i,
                             x: box.x + box.width / 2, y: box.y + box.height / 2});
            });
        });
        const squares = [];
        for (const p of points) {
            if (p.trace >= queryTraces || p.trace % 2) continue;
            let gap = Infinity;
            for (const q of points) {
                if (q !== p) gap = Math.min(gap, Math.hypot(p.x - q.x, p.y - q.y));
            }
            squares.push({x: p.x, y: p.y, gap,
                          query: Number(plot._fullData[p.trace].customdata[p.i])});
        }
        return squares.sort((a, b) => b.gap - a.gap);
    }""")
