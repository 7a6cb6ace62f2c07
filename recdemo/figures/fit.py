"""Figures that fit the width they are drawn at: a phone's, a tablet's, a projector's.

A figure is built here for the widest screen; it may carry narrower layouts
of itself, each for charts at least ``min_em`` wide (the chart's width in
units of the figure's font size, so that the presenter view's larger type
counts). The chart component (ui/plot.js) knows its width: it draws the
widest layout that fits, merged over the figure's own, and draws again when
its width changes. No page run is needed and one cached figure serves every
screen. Texts are wrapped here, for the narrowest chart a layout is for, with
a width per character measured in Chromium (Source Sans: 0.42 to 0.50 em);
tests/test_browser.py checks on the screens a class uses that nothing
overlaps or is cut.

A variant is {"min_em": ..., "layout": {...}, "frames": [...]}: its layout is
merged over the figure's (objects key by key, arrays item by item, and an
array of the variant's sets the length); "frames", for an animated figure,
has one layout per frame, merged over that frame's layout.
"""

from __future__ import annotations

import re

CHAR_EM = 0.52  # a character of Source Sans on average, in em, with room (measured: 0.42-0.50)
LINE_EM = 1.3  # plotly's line height, in em
TAG = re.compile(r"<[^>]+>")
NBSP = "\u00a0"  # a no-break space: wrap() never ends a line there ("AUC = 0.66", "epoch 8")
NARROW_EM = 30  # a chart narrower than this (a phone's) stacks its panels
NARROW_WRAP_EM = 16.0  # the narrowest phone chart: 346 px in the presenter's 20 px type
PAIR_WIDE_EM = 45.0  # two panels side by side: their texts on fewer lines from this width up


def text_em(text: str, size: float = 1.0) -> float:
    """The width of one line of ``text`` (plotly markup allowed), in em of the figure's font."""
    return len(TAG.sub("", text)) * CHAR_EM * size


def wrap(text: str, width_em: float, size: float = 1.0) -> list[str]:
    """``text`` (no markup) as lines no wider than ``width_em`` (in the figure's
    em; ``size``: the text's size against the figure's font), broken at
    spaces. A word wider than that is a line of its own."""
    lines: list[str] = []
    for word in text.split(" "):
        if lines and text_em(f"{lines[-1]} {word}", size) <= width_em:
            lines[-1] += f" {word}"
        else:
            lines.append(word)
    return lines


def lines_em(lines: int, size: float = 1.0) -> float:
    """The height of ``lines`` lines of text, in em of the figure's font."""
    return lines * LINE_EM * size


def with_variants(layout: dict, min_em: float, variants: list[dict]) -> dict:
    """``layout`` with narrower layouts of its figure (see the module's
    docstring); ``min_em``: the narrowest chart ``layout`` itself is for."""
    layout["meta"] = {"recdemo": {"min_em": min_em, "variants": variants}}
    return layout


def merged(base, patch):
    """``patch`` over ``base``, as ui/plot.js merges a variant over a figure:
    dicts key by key, lists item by item (the patch's sets the length)."""
    if isinstance(patch, list):
        base = base if isinstance(base, list) else []
        return [merged(base[i] if i < len(base) else None, item) for i, item in enumerate(patch)]
    if not isinstance(patch, dict):
        return patch
    base = base if isinstance(base, dict) else {}
    return base | {key: merged(base.get(key), value) for key, value in patch.items()}


def variants_of(layout: dict) -> list[dict]:
    """The figure's narrower layouts (with_variants), [] if it has none."""
    meta = layout.get("meta")
    return meta.get("recdemo", {}).get("variants", []) if isinstance(meta, dict) else []


SYMBOL_EM = 2.9  # a legend entry's symbol and the gaps around it (plotly: 40 px at 15 px)
ENTRY_EM = 1.7  # a legend row's height


def legend(names: list[str], title: str, width_em: float,
           vertical: bool = False) -> tuple[dict, float]:
    """A legend of ``names`` under ``title``, for a room at least ``width_em``
    wide, and its height in em at most. Horizontal, plotly puts entries on a
    row while they fit (counted here with wider characters than the real
    ones); ``vertical``, one a row. Place it with x, y and the anchors."""
    title_lines = wrap(title, width_em) if title else []
    rows, used = 1, 0.0
    for name in names:
        entry = text_em(name) + SYMBOL_EM
        if used and (vertical or used + entry > width_em):
            rows, used = rows + 1, 0.0
        used += entry
    layout = {"orientation": "v" if vertical else "h",
              "title": {"text": "<br>".join(title_lines), "side": "top"}}
    return layout, lines_em(len(title_lines)) + rows * ENTRY_EM


AXIS_EM = 3.2  # an axis's tick labels and title, beside or under its panel
SIDE_PX = 10  # the figure's own margins


def pair_layout(headings: tuple[str, str], width_em: float, stacked: bool, height: int,
                left_share: float = 0.45, panel_em: float = 14.0, below_em: float = 0.0,
                font: float = 15.0, heading_size: float = 1.0,
                labels_em: float = 1.0) -> dict:
    """The layout of a figure of two panels (axes x, y and x2, y2) under their
    ``headings``, for a chart at least ``width_em`` wide: side by side
    (``left_share`` of the width at the left), ``height`` px tall, or
    ``stacked``, each ``panel_em`` tall. Each panel's axes have room for
    their tick labels and titles; ``below_em`` is kept free under the
    panels (for a legend: its top is at paper y of ``"below"`` in the result,
    which the caller pops, as ``"right_em"``, the second panel's width in em).
    Headings are the first two annotations. ``labels_em``: the first panel's
    x tick labels' height (a word's length where plotly may turn them)."""
    usable = width_em - 2 * SIDE_PX / font
    axes = {"xaxis": {"automargin": True}, "yaxis": {"automargin": True},
            "xaxis2": {"automargin": True, "anchor": "y2"},
            "yaxis2": {"automargin": True, "anchor": "x2"}}

    def heading(text: str, x: float, y: float, room_em: float) -> tuple[dict, float]:
        lines = wrap(text, room_em, heading_size)
        return ({"text": "<br>".join(lines), "x": x, "y": y, "xref": "paper", "yref": "paper",
                 "xanchor": "center", "yanchor": "bottom", "showarrow": False,
                 "font": {"size": round(heading_size * font, 1)}},
                lines_em(len(lines), heading_size))

    if not stacked:
        gap = (AXIS_EM + 2.3) / usable  # the right panel's tick labels and title
        left = left_share * (1 - gap)
        first, first_em = heading(headings[0], left / 2, 1.0, left * usable)
        second, second_em = heading(headings[1], (1 + left + gap) / 2, 1.0,
                                    (1 - left - gap) * usable)
        top = round(max(first_em, second_em) * font + SIDE_PX)
        bottom = round((AXIS_EM + below_em) * font)
        inner = height - top - bottom
        return axes | {
            "height": height, "margin": {"l": SIDE_PX, "r": SIDE_PX, "t": top, "b": bottom},
            "right_em": (1 - left - gap) * usable,
            "xaxis": axes["xaxis"] | {"domain": [0.0, round(left, 4)]},
            "xaxis2": axes["xaxis2"] | {"domain": [round(left + gap, 4), 1.0]},
            "yaxis": axes["yaxis"] | {"domain": [0.0, 1.0]},
            "yaxis2": axes["yaxis2"] | {"domain": [0.0, 1.0]},
            "annotations": [first, second], "below": -AXIS_EM * font / inner}
    first, first_em = heading(headings[0], 0.5, 1.0, usable)
    second, second_em = heading(headings[1], 0.5, 0.0, usable)
    # Between the panels: the first's tick labels and title (plotly may turn
    # the labels to fit) and the second's heading.
    blocks = [panel_em, AXIS_EM + 0.8 + labels_em + second_em, panel_em]
    inner = sum(blocks) * font
    top = round(first_em * font + SIDE_PX)
    bottom = round((AXIS_EM + below_em) * font)
    split = blocks[2] / sum(blocks)
    second["y"] = round(split, 4)
    return axes | {
        "height": round(inner + top + bottom), "right_em": usable,
        "margin": {"l": SIDE_PX, "r": SIDE_PX, "t": top, "b": bottom},
        "xaxis": axes["xaxis"] | {"domain": [0.0, 1.0]},
        "xaxis2": axes["xaxis2"] | {"domain": [0.0, 1.0]},
        "yaxis": axes["yaxis"] | {"domain": [round(1 - blocks[0] / sum(blocks), 4), 1.0]},
        "yaxis2": axes["yaxis2"] | {"domain": [0.0, round(split, 4)]},
        "annotations": [first, second], "below": -AXIS_EM * font / inner}


def pair_variants(layout) -> dict:
    """A two-panel figure's layout and its narrower ones (with_variants):
    ``layout(width_em, stacked)`` lays it out for a chart at least
    ``width_em`` wide, its panels side by side or one under the other."""
    return with_variants(layout(PAIR_WIDE_EM, False), PAIR_WIDE_EM, [
        {"min_em": NARROW_EM, "layout": layout(NARROW_EM, False)},
        {"min_em": 0.0, "layout": layout(NARROW_WRAP_EM, True)}])


def grid_layout(titles: list[str], cols: int, width_em: float, panel_px: float,
                left_em: float, below_em: float, font: float = 15.0,
                title_size: float = 1.0) -> dict:
    """The layout of a grid of panels (axes x, y, x2, y2, ... row by row),
    ``cols`` to a row, each under its title (the first annotations, wrapped for
    a chart at least ``width_em`` wide), ``panel_px`` tall, with ``left_em``
    at each panel's left for its tick labels and ``below_em`` under it."""
    count = len(titles)
    rows = -(-count // cols)
    usable = width_em - 2 * SIDE_PX / font
    gap = (left_em + 1.0) / usable  # the next panel's tick labels sit in the gap
    width = (1 - (cols - 1) * gap) / cols
    wrapped = [wrap(title, width * usable, title_size) for title in titles]
    title_px = [max(lines_em(len(lines), title_size) for lines in wrapped[r * cols:(r + 1) * cols])
                * font + 4 for r in range(rows)]
    below_px = below_em * font
    inner = sum(title_px[1:]) + rows * panel_px + (rows - 1) * below_px
    top, bottom = round(title_px[0] + SIDE_PX), round(below_px + SIDE_PX)
    layout: dict = {"height": round(inner + top + bottom),
                    "margin": {"l": SIDE_PX, "r": SIDE_PX, "t": top, "b": bottom},
                    "annotations": []}
    for index, lines in enumerate(wrapped):
        row, col = divmod(index, cols)
        y = inner - sum(title_px[1:row + 1]) - row * (panel_px + below_px)  # the row's top
        suffix = "" if index == 0 else str(index + 1)
        x0 = col * (width + gap)
        layout[f"xaxis{suffix}"] = {"domain": [round(x0, 4), round(x0 + width, 4)]}
        layout[f"yaxis{suffix}"] = {"domain": [round((y - panel_px) / inner, 4),
                                               round(y / inner, 4)]}
        layout["annotations"].append({
            "text": "<br>".join(lines), "x": x0 + width / 2, "y": y / inner, "xref": "paper",
            "yref": "paper", "xanchor": "center", "yanchor": "bottom", "showarrow": False,
            "font": {"size": round(title_size * font, 1)}})
    return layout
