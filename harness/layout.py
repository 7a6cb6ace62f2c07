"""What a screen shows of a page's charts, measured in the browser: each
chart's text boxes (plotly's title, legend texts, axis titles, annotations
with the subplot titles, and the numbers and labels ui/plot.js draws), its
plot areas (a 2D subplot's, a 3D scene's), and what is wrong with them:

- two text boxes of one chart overlap;
- two group names of one picture overlap (where the groups fold,
  recdemo/figures/names.js lists them one under another), or a name runs out
  of its picture;
- a text box lies over a plot area (a caption over the points);
- a text box is cut: it runs past its chart's edges or the screen's sides;
- a chart's drawing is not the size of its box (it lies over what follows);
- a word of the component's HTML text, or of a widget's label, breaks across
  lines ("silhouett / e", "unobserv / ed");
- a widget's field or button runs past the screen's sides.

    problems = layout_problems(tab)        # [] when the page's charts read well
    box = main_chart(tab)                  # the main chart's box and its plot areas'

The tests (tests/test_browser*.py) and scripts/measure_layout.py share it.
"""

from __future__ import annotations

# Each chart's boxes, in viewport pixels: {chart: box, texts: [{kind, text, box}],
# areas: [{name, box}]}. A box is {x, y, width, height}.
_CHARTS = """() => {
    const box = r => ({x: r.x, y: r.y, width: r.width, height: r.height});
    const TEXTS = [
        ['title', '.gtitle'], ['legend', '.legendtext'], ['legend title', '.legendtitletext'],
        ['axis title', '.infolayer [class^=g-][class$=title] text, '
                       + '.infolayer text[class$=title]:not(.gtitle):not(.legendtitletext)'],
        ['annotation', '.annotation-text'],
    ];
    return Array.from(document.querySelectorAll('.js-plotly-plot')).map((plot, index) => {
        const layout = plot._fullLayout;
        if (!layout) return null;
        const texts = [];
        const seen = new Set();
        for (const [kind, selector] of TEXTS) {
            for (const node of plot.querySelectorAll(selector)) {
                // A 3D picture's group names (scene annotations) stand on their
                // points on purpose, as 2D's name traces do: checked as names below.
                if (seen.has(node) || !node.textContent.trim()
                    || node.closest("[class^='annotation-scene']")) continue;
                seen.add(node);
                const r = node.getBoundingClientRect();
                if (r.width > 0 && r.height > 0) {
                    texts.push({kind, text: node.textContent.trim(), box: box(r)});
                }
            }
        }
        // What the component draws around the chart: its numbers, their labels, the frame.
        const holder = plot.parentElement;
        for (const node of holder.querySelectorAll(
                '.recdemo-card-label, .recdemo-card-value, .recdemo-card-delta, '
                + '.recdemo-playback output')) {
            const r = node.getBoundingClientRect();
            if (r.width > 0 && r.height > 0 && node.textContent.trim()) {
                texts.push({kind: 'component', text: node.textContent.trim(), box: box(r)});
            }
        }
        // The group names: a text trace each in 2D, the scene's annotations in 3D
        // (recdemo/figures/style.py).
        const found = [];
        for (const trace of plot.querySelectorAll('.scatterlayer .trace')) {
            const full = trace.__data__?.[0]?.trace;
            if (String(full?.name).endsWith(' (name)')) {
                found.push([trace.querySelector('.textpoint text'), full.xaxis + full.yaxis]);
            }
        }
        for (const node of plot.querySelectorAll("[class^='annotation-scene']")) {
            found.push([node.querySelector('text'),
                        node.getAttribute('class').replace('annotation-', '')]);
        }
        const names = [];
        for (const [node, subplot] of found) {
            const r = node?.getBoundingClientRect();
            if (r?.width > 0 && r.height > 0) {
                names.push({text: node.textContent, subplot, box: box(r)});
            }
        }
        const main = plot.getBoundingClientRect();
        const size = layout._size;
        const areas = [];
        for (const [name, sub] of Object.entries(layout._plots ?? {})) {
            const x = sub.xaxis, y = sub.yaxis;
            areas.push({name, box: {x: main.x + x._offset, y: main.y + y._offset,
                                    width: x._length, height: y._length}});
        }
        for (const key of Object.keys(layout).filter(k => /^scene\\d*$/.test(k))) {
            const d = layout[key].domain;
            areas.push({name: key, box: {
                x: main.x + size.l + d.x[0] * size.w, width: (d.x[1] - d.x[0]) * size.w,
                y: main.y + size.t + (1 - d.y[1]) * size.h, height: (d.y[1] - d.y[0]) * size.h}});
        }
        return {index, key: holder.closest('[class*=st-key-]')?.className.match(
                    /st-key-(\\S+)/)?.[1] ?? String(index),
                chart: box(main), drawn: {width: layout.width, height: layout.height},
                texts, names, areas};
    }).filter(Boolean);
}"""

# Words of the component's text (and of st.metric labels, and of the labels of the
# widgets on the page: a collapsed sidebar's are squeezed out of sight) that break
# across lines.
_BROKEN_WORDS = """() => {
    const broken = [];
    const nodes = document.querySelectorAll(
        '.recdemo-card-label, .recdemo-card-value, .recdemo-card-delta, '
        + '[data-testid=stMetricLabel], [data-testid=stMetricValue], '
        + '[data-testid=stMain] [data-testid=stWidgetLabel]');
    for (const node of nodes) {
        const walker = document.createTreeWalker(node, NodeFilter.SHOW_TEXT);
        for (let text = walker.nextNode(); text; text = walker.nextNode()) {
            for (const match of text.textContent.matchAll(/\\S+/g)) {
                const range = document.createRange();
                range.setStart(text, match.index);
                range.setEnd(text, match.index + match[0].length);
                const lines = new Set(Array.from(range.getClientRects(),
                                                 r => Math.round(r.top)));
                if (lines.size > 1) broken.push(match[0]);
            }
        }
    }
    return broken;
}"""

# The widgets' fields and buttons that run past the screen's sides, by their
# widget's label (a number input in a column too narrow for it). A slider's
# track is its react-aria group (its input is a 1 px hidden range: a review found
# the [role=slider] this looked for is gone from Streamlit's sliders).
_CUT_WIDGETS = """() => {
    const width = document.documentElement.clientWidth;
    const cut = [];
    for (const node of document.querySelectorAll(
            '[data-testid=stMain] input, [data-testid=stMain] button, '
            + '[data-testid=stMain] [data-testid=stSlider] [role=group]')) {
        const r = node.getBoundingClientRect();
        if (r.width <= 1 || r.height <= 1 || (r.left >= -1 && r.right <= width + 1)) continue;
        const widget = node.closest('[data-testid=stElementContainer]');
        const label = widget?.querySelector('[data-testid=stWidgetLabel]')?.textContent
            ?? node.textContent;
        cut.push(`${node.tagName.toLowerCase()} of ${JSON.stringify(label.trim())}`);
    }
    return cut;
}"""

SLACK = 1.0  # px: boxes that touch do not overlap


def charts(tab) -> list[dict]:
    """Every chart on the page, as _CHARTS measures it."""
    return tab.evaluate(_CHARTS)


def _overlap(a: dict, b: dict) -> bool:
    return (a["x"] + SLACK < b["x"] + b["width"] and b["x"] + SLACK < a["x"] + a["width"]
            and a["y"] + SLACK < b["y"] + b["height"] and b["y"] + SLACK < a["y"] + a["height"])


def _inside(inner: dict, outer: dict) -> bool:
    return (inner["x"] >= outer["x"] - SLACK and inner["y"] >= outer["y"] - SLACK
            and inner["x"] + inner["width"] <= outer["x"] + outer["width"] + SLACK
            and inner["y"] + inner["height"] <= outer["y"] + outer["height"] + SLACK)


def _name(text: dict) -> str:
    return f"{text['kind']} {text['text'][:40]!r}"


def chart_problems(chart: dict, screen_width: float) -> list[str]:
    """What is wrong with one chart's text (see the module's docstring)."""
    problems = []
    where = f"chart {chart['key']}"
    box, drawn = chart["chart"], chart["drawn"]
    if abs(box["height"] - drawn["height"]) > 2 or abs(box["width"] - drawn["width"]) > 2:
        # Its drawing overflows its box (or leaves it half empty): it lies over
        # what follows on the page (a review's sidebar collapsed, a tablet turned).
        problems.append(f"{where}: its box is {box['width']:.0f} x {box['height']:.0f} px, "
                        f"its drawing {drawn['width']:.0f} x {drawn['height']:.0f}")
    texts = chart["texts"]
    for i, a in enumerate(texts):
        for b in texts[i + 1:]:
            # A card's label, value and change are one card, stacked: not an overlap
            # unless they do; plotly's own texts never may.
            if _overlap(a["box"], b["box"]):
                problems.append(f"{where}: {_name(a)} overlaps {_name(b)}")
        if a["kind"] != "component":
            if not _inside(a["box"], chart["chart"]):
                problems.append(f"{where}: {_name(a)} is cut by the chart")
            for area in chart["areas"]:
                if _overlap(a["box"], area["box"]):
                    problems.append(f"{where}: {_name(a)} lies over plot area {area['name']}")
        if a["box"]["x"] < -SLACK or a["box"]["x"] + a["box"]["width"] > screen_width + SLACK:
            problems.append(f"{where}: {_name(a)} is cut by the screen")
    return problems + _name_problems(chart, where)


def _name_problems(chart: dict, where: str) -> list[str]:
    """Group names of one picture that overlap, or that its plot area or scene cuts."""
    problems = []
    areas = {area["name"]: area["box"] for area in chart["areas"]}
    names = chart["names"]
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            if a["subplot"] == b["subplot"] and _overlap(a["box"], b["box"]):
                problems.append(f"{where}: group names {a['text']!r} and {b['text']!r} "
                                f"overlap in {a['subplot']}")
        if a["subplot"] in areas and not _inside(a["box"], areas[a["subplot"]]):
            problems.append(f"{where}: group name {a['text']!r} is cut by {a['subplot']}")
    return problems


def layout_problems(tab) -> list[str]:
    """Everything wrong with the page's charts' text and its widgets, as
    sentences ([] if nothing)."""
    width = tab.evaluate("document.documentElement.clientWidth")
    problems = [problem for chart in charts(tab) for problem in chart_problems(chart, width)]
    problems += [f"a word breaks across lines: {word!r}"
                 for word in tab.evaluate(_BROKEN_WORDS)]
    problems += [f"cut by the screen: the {widget}" for widget in tab.evaluate(_CUT_WIDGETS)]
    return problems


def main_chart(tab) -> dict:
    """The page's first chart: its box and its plot areas' boxes (as _CHARTS)."""
    return charts(tab)[0]


def area_px(box: dict) -> float:
    return box["width"] * box["height"]


def first_screen_share(box: dict, screen: dict) -> float:
    """The share of the first screen (``screen``: the viewport's width and height)
    that ``box`` covers there, page unscrolled."""
    width = max(0.0, min(box["x"] + box["width"], screen["width"]) - max(box["x"], 0.0))
    height = max(0.0, min(box["y"] + box["height"], screen["height"]) - max(box["y"], 0.0))
    return width * height / (screen["width"] * screen["height"])
