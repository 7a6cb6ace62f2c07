"""The Train picture's layouts (recdemo/figures/embedding.py draws it): for
a projector's presenter view, two panels side by side, or a phone's stacked
panels, each with its texts wrapped for the narrowest chart it is for and
placed so that nothing overlaps (fit.py; tests/test_browser.py measures it)."""

from __future__ import annotations

from recdemo.figures.fit import LINE_EM, NARROW_EM, legend, lines_em, wrap
from recdemo.figures.style import FONT

# The Train picture's layouts, for charts at least this wide (in em): on a
# projector, in presenter view, the picture as wide as it can be beside a
# narrow "what it recommends"; elsewhere the two panels side by side under
# the title; on a phone one under the other (fit.py). Sizes below in em of
# the figure's font.
WIDE_EM = 38.0
WIDER_EM = 50.0  # the same layouts again, their texts on fewer lines
# A projector's picture and "what it recommends" beside it (x domains), by
# layout: from WIDER_EM up (a 1280 px projector) the picture as wide as it
# can be; from WIDE_EM up (a 1024 px one, 40 em at the presenter's type) a
# sixth of the width left the matrix 120 px wide, too narrow to read, and it
# gets a quarter.
PROJECTOR_PANELS = {WIDER_EM: ((0.0, 0.82), (0.85, 1.0)),
                    WIDE_EM: ((0.0, 0.71), (0.75, 1.0))}
TITLE_SIZE = 1.15  # the title's type, against the figure's font (plotly's own: 1.4)
MEDIUM_EM = NARROW_EM  # from a phone's width up
SIDE_BY_SIDE = ((0.0, 0.58), (0.66, 1.0))  # the medium layout's picture and matrix
PICTURE_ASPECT = 0.8  # its panels' least height, against the picture's width
NARROW_WRAP_EM = 16.0  # the narrowest phone chart (346 px at the presenter's 20 px)
NARROW_PICTURE_EM = 17.0  # a phone's picture and matrix heights
NARROW_MATRIX_EM = 14.0
GAP_EM = 0.8
LEGEND_GAP_EM = 0.4
SLACK_EM = 0.4  # between two captions: plotly pads a text's box


def picture_layout(parts: list[dict], legends: tuple[list[str], list[str]], components: int,
            width_em: float, kind: str, height: int | None) -> tuple[dict, list[dict]]:
    """The layout of the Train picture of ``kind`` ("projector", "side by
    side" or "stacked") for a chart at least ``width_em`` wide (its texts
    wrapped for that width), ``height`` px tall (at the figure's font; its
    panels, for a projector) or as tall as it needs; and each frame's texts
    in it."""
    font = FONT["size"]
    usable = width_em - 20 / font  # less the side margins

    def texts(key: str, room_em: float, clauses: bool = False) -> tuple[list[str], float]:
        """Every frame's ``key`` text wrapped to ``room_em``, and the most lines
        of any, as a height in em; ``clauses``: a text of two clauses
        ("the run, its epoch: its numbers") that does not fit one line is
        broken between them, not where the room ends (a number cut from
        its name: "cross-group AUC / = 0.96")."""
        size = TITLE_SIZE if key == "title" else 1.0

        def lines(text: str) -> list[str]:
            wrapped = wrap(text, room_em, size)
            if clauses and len(wrapped) > 1 and ": " in text:
                run, _, numbers = text.rpartition(": ")
                wrapped = wrap(f"{run}:", room_em, size) + wrap(numbers, room_em, size)
            return wrapped

        wrapped = [lines(part[key]) for part in parts]
        return ["<br>".join(lines) for lines in wrapped], lines_em(max(map(len, wrapped)), size)

    def bold_label(title: str, label: str) -> str:
        """The title with its run's label in bold (its words may span lines)."""
        words = len(label.split(" "))
        out, seen = [], 0
        for line in title.split("<br>"):
            line_words = line.split(" ")
            bold = max(0, min(len(line_words), words - seen))
            seen += len(line_words)
            if bold:
                line = f"<b>{' '.join(line_words[:bold])}</b> {' '.join(line_words[bold:])}"
            out.append(line.strip())
        return "<br>".join(out)

    def title_top(lines_height: float) -> float:
        """Where plotly puts the top of a title under a pad of 10 px: a title
        of several lines it puts higher, by about 0.7 of a line."""
        return 10 + (0.8 * TITLE_SIZE * font if lines_height > LINE_EM * TITLE_SIZE else 0)

    def title(x: float, lines_height: float) -> dict:
        return {"x": x, "xref": "paper", "xanchor": "left", "y": 1.0, "yref": "container",
                "yanchor": "top", "pad": {"t": round(title_top(lines_height))}}

    group_legend, group_em = legend(legends[0], "", usable)
    inspect_legend, inspect_em = legend(legends[1], "", usable)
    if kind == "projector":
        # A projector's: the title, then the picture as wide as it can be
        # beside a narrow "what it recommends", both ``height`` px down from
        # the chart's top (the first screen); under them, below the first
        # screen, the legends and the captions.
        picture_x, matrix_x = PROJECTOR_PANELS[width_em]
        titles, title_lines = texts("title", usable, clauses=True)
        picture_room = picture_x[1] * usable
        pictures, picture_lines = texts("picture", picture_room)
        matrices, matrix_lines = texts("matrix", picture_room)
        top = round(title_top(title_lines) + (title_lines + LEGEND_GAP_EM) * font)
        inner = (height or 640) - top
        under = [GAP_EM, group_em, inspect_em, GAP_EM, picture_lines, SLACK_EM, matrix_lines]
        bottom = round((sum(under) + GAP_EM) * font)

        def below(count: int) -> float:  # the paper y under the first ``count`` blocks
            return -sum(under[:count]) * font / inner

        layout = {
            "height": inner + top + bottom,
            "margin": {"l": 10, "r": 10, "t": top, "b": bottom},
            "title": title(0.0, title_lines),
            "legend": group_legend | {"x": 0.0, "xanchor": "left", "y": below(1),
                                      "yanchor": "top"},
            "legend2": inspect_legend | {"x": 0.0, "xanchor": "left", "y": below(2),
                                         "yanchor": "top"},
            "xaxis2": {"domain": list(matrix_x)},
            "yaxis2": {"domain": [0.0, 1.0]},
            "annotations": [_caption(0.0, below(4), "left"), _caption(0.0, below(6), "left")],
            "picture": {"x": list(picture_x), "y": [0.0, 1.0]},
        }
    elif kind == "side by side":
        # The title and the legends over the picture and what it recommends,
        # side by side, each with its caption under it.
        (px0, px1), (mx0, mx1) = SIDE_BY_SIDE
        titles, title_lines = texts("title", usable)
        pictures, picture_lines = texts("picture", (px1 - px0) * usable)
        matrices, matrix_lines = texts("matrix", (mx1 - mx0) * usable)
        top = round((title_lines + LEGEND_GAP_EM + group_em + inspect_em + GAP_EM)
                    * font + title_top(title_lines))
        bottom = round((max(picture_lines, matrix_lines) + GAP_EM) * font)
        # Panels at least PICTURE_ASPECT of the picture's width tall: a
        # tablet's presenter view, whose type is large, left them a strip.
        inner = max(height - top - bottom, round(PICTURE_ASPECT * (px1 - px0) * usable * font))
        layout = {
            "height": inner + top + bottom,
            "margin": {"l": 10, "r": 10, "t": top, "b": bottom},
            "title": title(0.0, title_lines),
            "legend": group_legend | {"x": 0.0, "xanchor": "left", "yanchor": "bottom",
                                      "y": 1 + (inspect_em + GAP_EM) * font / inner},
            "legend2": inspect_legend | {"x": 0.0, "xanchor": "left", "yanchor": "bottom",
                                         "y": 1 + GAP_EM * font / inner},
            "xaxis2": {"domain": [mx0, mx1]},
            "yaxis2": {"domain": [0.0, 1.0]},
            "annotations": [_caption((px0 + px1) / 2, 0.0, "center", GAP_EM * font / 2),
                            _caption((mx0 + mx1) / 2, 0.0, "center", GAP_EM * font / 2)],
            "picture": {"x": [px0, px1], "y": [0.0, 1.0]},
        }
    else:
        # A phone: the title, the legends, the picture and its caption, what it
        # recommends and its caption, one under the other.
        room = NARROW_WRAP_EM
        titles, title_lines = texts("title", room)
        pictures, picture_lines = texts("picture", room)
        matrices, matrix_lines = texts("matrix", room)
        group_legend, group_em = legend(legends[0], "", room)
        inspect_legend, inspect_em = legend(legends[1], "", room)
        top = round((title_lines + LEGEND_GAP_EM + group_em + inspect_em + GAP_EM)
                    * font + title_top(title_lines))
        blocks = [NARROW_PICTURE_EM, picture_lines + GAP_EM, NARROW_MATRIX_EM,
                  matrix_lines + GAP_EM]
        inner = sum(blocks) * font
        height = round(inner + top + 10)
        picture_bottom = (blocks[1] + blocks[2] + blocks[3]) * font / inner
        matrix_top = (blocks[2] + blocks[3]) * font / inner
        matrix_bottom = blocks[3] * font / inner
        layout = {
            "height": height, "margin": {"l": 10, "r": 10, "t": top, "b": 10},
            "title": title(0.0, title_lines),
            "legend": group_legend | {"x": 0.0, "xanchor": "left", "yanchor": "bottom",
                                      "y": 1 + (inspect_em + GAP_EM) * font / inner},
            "legend2": inspect_legend | {"x": 0.0, "xanchor": "left", "yanchor": "bottom",
                                         "y": 1 + GAP_EM * font / inner},
            "xaxis2": {"domain": [0.0, 1.0]},
            "yaxis2": {"domain": [round(matrix_bottom, 4), round(matrix_top, 4)]},
            "annotations": [_caption(0.5, picture_bottom, "center", GAP_EM * font / 2),
                            _caption(0.5, matrix_bottom, "center", GAP_EM * font / 2)],
            "picture": {"x": [0.0, 1.0], "y": [round(picture_bottom, 4), 1.0]},
        }
    picture = layout.pop("picture")
    for key in ("legend", "legend2"):  # a legend's symbols at one size (3D's cross is tiny)
        layout[key]["itemsizing"] = "constant"
    if components == 3:
        layout["scene"] = {"domain": picture}
    else:
        layout["xaxis"] = {"domain": picture["x"]}
        layout["yaxis"] = {"domain": picture["y"]}
    layout["title"]["font"] = {"size": round(TITLE_SIZE * font, 1)}
    frames = [{"title": {"text": bold_label(title, part["label"])},
               "annotations": [{"text": picture_text}, {"text": matrix_text}]}
              for title, picture_text, matrix_text, part
              in zip(titles, pictures, matrices, parts, strict=True)]
    return layout, frames


def _caption(x: float, y: float, align: str, shift: float = 0.0) -> dict:
    """A panel's caption, its top at (``x``, ``y``) in the paper's coordinates,
    ``shift`` px lower."""
    return {"x": x, "y": y, "xref": "paper", "yref": "paper", "xanchor": align,
            "yanchor": "top", "align": align, "yshift": -shift, "showarrow": False}
