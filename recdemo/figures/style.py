"""What every figure shares: the group palette and names, the groups' name
labels, the type size, run labels, and plotly.js's compact typed arrays."""

from __future__ import annotations

import base64
import copy
import re
from pathlib import Path

import numpy as np
import plotly.graph_objects as go

from recdemo.figures.fit import variants_of
from recdemo.params import PARAMS, USED_BY

# Group colors: Okabe & Ito's blue, vermillion (named orange: the only orange
# here) and bluish green, and five more picked near named hues so that every
# one is at least 3:1 against the charts' white (WCAG 1.4.11), which Okabe &
# Ito's orange, sky and yellow are not (darkened to 3:1, orange and yellow
# become a gold and an olive that protanopes and deuteranopes cannot tell from
# the vermillion or from each other), and so that the first n are told apart
# under simulated protanopia, deuteranopia and tritanopia (Machado et al.
# 2009): every pair at least 8 apart in CIEDE2000, where the palette as it was
# had 1.1 (tests/test_figure_colors.py). No black: the top-k rings and the selected
# query's outline are near-black. Color is never the only cue: every picture of
# the groups names them too (group_label, group_label_3d).
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#C873A5", "#2396DC", "#643719", "#5A3C87",
           "#695F23")
COLOR_NAMES = ("blue", "orange", "green", "pink", "sky", "brown", "purple", "olive")
# Strategies get their own colors, none of them a group's (PALETTE), each at
# least 3:1 against white: purples, browns, teals, a green and greys from
# ColorBrewer's diverging schemes (PRGn, BrBG).
STRATEGY_COLORS = {"full": "#40004B", "positives-only": "#767676", "uniform": "#9970AB",
                   "hard": "#8C510A", "in-group": "#BF812D", "popularity": "#1B7837",
                   "in-batch": "#01665E", "mixed": "#35978F", "wals": "#555555"}
# Each timed strategy's line on the Why sample? chart, besides its color: a dash
# and a marker of its own (a review: hard, popularity and in-batch are one gray
# to achromats, and uniform's and popularity's lines lie on each other).
COST_LINES = {"full": ("solid", "circle"), "uniform": ("dash", "square"),
              "hard": ("dot", "diamond"), "popularity": ("dashdot", "triangle-up"),
              "in-batch": ("longdash", "x")}
# The marks drawn over the groups in the embedding picture: the inspected
# query's outline and its top-k rings (near-black, no group's), its spurious
# picks (red, crossed out: no group is red).
MARK_COLOR = "#111111"
SPURIOUS_COLOR = "#D00000"
METRIC_LABELS = {
    "spurious_at_k": "spurious@k",
    "within_group_recall_at_k": "within-group recall@k",
    "cross_group_auc": "cross-group AUC",
    "silhouette": "silhouette",
}
FONT = {"size": 15}
# Training settings a run label names when they differ from the default (the
# strategy always; the seed is the data's, shown with the data).
LABELLED_SETTINGS = ("gravity", "negatives", "temperature", "logq_correction", "dim", "hidden",
                     "epochs", "batch_size", "learning_rate", "l2", "unobserved_weight",
                     "mf_dim", "cold_start")


def group_name(group: int) -> str:
    return COLOR_NAMES[group]


def group_color(group: int) -> str:
    return PALETTE[group]


# The script that keeps the names readable where groups fold (stackNames, and
# watchNames to run it after every drawing of a chart).
NAMES_JS = Path(__file__).with_name("names.js")
# The script that picks a figure's layout for its chart's width (fit, fit.py).
FIT_JS = Path(__file__).with_name("fit.js")


def group_label(group: int, size: float = FONT["size"]) -> dict:
    """The look of a 2D text trace that writes ``group``'s name where its
    items are (its one point: group_label_position), so that a picture tells
    the groups apart without their colors (in grayscale, for color-blind
    eyes, on a washed-out projector). A 3D picture writes them as
    group_label_3d does.

    Names, not a marker shape per group: the shapes already say what a point
    is (squares are queries, circles items, as the lesson's text says), and a
    3D scene has too few of them (scatter3d draws only circle, square,
    diamond, their open forms, cross and x) for eight groups, let alone eight
    groups of two kinds. A name reads the same in 2D and 3D, and follows its
    group through an animation. Near-black, bold, in a white halo: readable
    over points of any color. In the group's legend group, so hiding a group
    in the legend hides its name too. Where groups fold, their names would
    be written over one another: NAMES_JS lists them one under another at
    the size drawn, in the app's charts and in an exported HTML chart."""
    return {"type": "scatter", "mode": "text", "name": f"{group_name(group)} (name)",
            "legendgroup": str(group), "showlegend": False, "hoverinfo": "skip",
            "text": [group_name(group)], "textposition": "middle center",
            "textfont": _label_font(size)}


def group_label_position(items: np.ndarray, encode: bool = True) -> dict:
    """Where a group's name label goes: the mean of its items' 2D points, as
    the label trace's x and y; typed arrays unless ``encode`` is false
    (plotly's own traces take plain lists)."""
    center = items.mean(axis=0)
    return {"type": "scatter"} | {
        axis: typed_array(center[i:i + 1]) if encode else [float(center[i])]
        for i, axis in enumerate("xy")}


def group_label_3d(group: int, items: np.ndarray) -> dict:
    """``group``'s name at the mean of its items' 3D points, as an annotation
    of a 3D scene (its layout's scene.annotations): a scene draws text traces
    in depth, hidden behind the points in front of them, and its annotations
    over everything, as 2D draws its text."""
    x, y, z = (float(v) for v in items.mean(axis=0))
    return {"x": x, "y": y, "z": z, "text": group_name(group), "showarrow": False,
            "xanchor": "center", "yanchor": "middle", "font": _label_font(FONT["size"])}


def _label_font(size: float) -> dict:
    return {"color": MARK_COLOR, "size": size, "weight": "bold", "shadow": "auto"}


def metric_label(name: str, k: int) -> str:
    return METRIC_LABELS[name].replace("@k", f"@{k}")


def delta_text(change: float) -> str:
    """A change in a metric as shown: signed, 2 decimals, and never "-0.00"
    (a change that rounds to zero is no change)."""
    return f"{round(change, 2) + 0.0:+.2f}"


def run_label(config) -> str:
    """The strategy and every training setting that differs from its default
    and that the run's strategies read, e.g. "positives-only, gravity 1,
    epochs 20" (not "positives-only, negatives 50": it draws none), and a
    switch mid-run ("then uniform after epoch 7"): a picture says what made it.
    A setting that only the strategy switched to reads comes after the switch
    ("hard, then in-batch after epoch 3, logq correction false"), not before
    it, where it would read as the first strategy's."""
    first = {config.strategy}
    then = {config.switch_to} if getattr(config, "switch_at", 0) else set()
    before, after = [], []
    for name in LABELLED_SETTINGS:
        if not hasattr(config, name) or getattr(config, name) == PARAMS[name].default:
            continue
        readers = set(USED_BY.get(name, first | then))
        text = f"{name.replace('_', ' ')} {PARAMS[name].said(getattr(config, name))}"
        if first & readers:
            before.append(text)
        elif then & readers:
            after.append(text)
    switch = [config.switch_text()] if then else []
    return ", ".join([config.strategy, *before, *switch, *after])


def typed_array(values, dtype: str = "f4") -> dict:
    """A 1-D array in plotly.js's typed-array form: its bytes in base64, as
    float32 ("f4", plenty for a picture and half of what float64 would send),
    int32 ("i4", for ids) or int16 ("i2", for small positions).

    Encoding here, once per cached figure, spares plotly from checking and
    converting each of the hundreds of frame arrays again for every browser
    that is sent the figure (that took longer than the rest of a page run)."""
    data = np.ascontiguousarray(values, dtype="<" + dtype)
    return {"dtype": dtype, "bdata": base64.b64encode(data.tobytes()).decode("ascii")}


def array_values(value) -> list:
    """A figure JSON array as a plain list, whether plotly wrote it as a list
    or in typed-array form (as plotly does for numpy arrays and typed_array here)."""
    if isinstance(value, dict) and "bdata" in value:
        flat = np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
        shape = [int(n) for n in str(value.get("shape", len(flat))).split(",")]
        return flat.reshape(shape).tolist()
    return list(value)


class AnimatedFigure(go.Figure):
    """A plotly Figure whose animation frames are kept as finished JSON.

    go.Figure turns every trace of every frame into a checked Scatter object;
    for the hundreds of frame traces of an embedding figure that took longer
    than the rest of a page run. Here the frames stay plain dicts of typed
    arrays (tests/test_figures.py checks that they pass plotly's validation),
    and ``to_dict()``, which st.plotly_chart, the HTML export and plotly.io
    call, puts them back. ``fig.frames`` itself is empty.

    ``to_dict()`` shares the figure's JSON instead of deep-copying it as
    plotly does: one cached figure is sent to every browser that shows it,
    and its readers (plotly.io, Streamlit) only read it. The copy took longer
    than all the rest of sending the figure.
    """

    def __init__(self, spec: dict, playback: dict | None = None):
        super().__init__({key: spec[key] for key in ("data", "layout")}, _validate=False)
        self._animation_frames = spec["frames"]
        self._playback = playback  # how ui/plot.js replays it (figures.embedding.Playback)

    @property
    def playback(self) -> dict | None:
        return self._playback

    def to_dict(self) -> dict:
        # _data and _layout are plotly's own JSON of the traces and the layout,
        # the same that BaseFigure.to_dict() copies; they follow every update.
        return {"data": self._data, "layout": self._layout, "frames": self._animation_frames}


# A trace's texts: a trace's arrays are left alone (they can be large).
TRACE_TEXTS = ("textfont", "insidetextfont", "outsidetextfont", "hoverlabel", "legendgrouptitle")
AXIS = re.compile(r"^[xy]axis\d*$")  # a 2D axis's layout key: xaxis, yaxis2...


def with_font_size(fig: go.Figure, size: float) -> go.Figure:
    """A copy of ``fig`` whose texts are all ``size / base`` times larger, where
    ``base`` is the figure's own font size (figures' FONT): its font becomes
    ``size``, and every text with a size of its own (a title, annotations such
    as subplot titles, axis titles and ticks, the legend, a slider's label; in
    animation frames and trace text too) grows in proportion. A text without a
    size of its own gets ``size``, set explicitly: a chart theme's own sizes
    would keep it small otherwise (st.plotly_chart's draws ticks and legends
    at 12 px whatever the figure's font). The height, the margins and the pads of the
    title, buttons and sliders grow alike, so what was around the plot still
    fits. ``fig`` itself, maybe cached and shared, is left as it is; a second
    call with the same ``size`` changes nothing more."""
    spec = fig.to_dict()  # an AnimatedFigure's is shared: copy what changes
    layout = copy.deepcopy(spec["layout"])
    factor = size / layout.get("font", {}).get("size", FONT["size"])
    _grow(layout, factor)  # the narrower layouts' fonts too (fit.py: in layout.meta)
    layout["font"] = layout.get("font", {}) | {"size": size}
    _fill_font_sizes(layout, size)
    for room in [layout, *(variant["layout"] for variant in variants_of(layout))]:
        if room is not layout:
            _grow_room(room, factor)
        if "height" in room:
            room["height"] = round(room["height"] * factor)
    data = [_scaled_trace(trace, factor) for trace in spec["data"]]
    if isinstance(fig, AnimatedFigure):
        frames = [frame | {"layout": _fill_font_sizes(
                      _grow(copy.deepcopy(frame["layout"]), factor), size, texts_only=True)}
                  if "layout" in frame else frame for frame in spec["frames"]]
        return AnimatedFigure({"data": data, "layout": layout, "frames": frames}, fig.playback)
    return go.Figure(spec | {"data": data, "layout": layout}, _validate=False)


def _grow(layout: dict, factor: float) -> dict:
    """Multiply, in place, every font size given in ``layout`` (any key that
    ends in "font", at any depth), its margins and the pads of its title,
    buttons and sliders by ``factor``; return ``layout``."""
    _scale_fonts(layout, factor)
    return _grow_room(layout, factor)


def _grow_room(layout: dict, factor: float) -> dict:
    """Multiply, in place, the margins of ``layout`` and the pads of its
    title, buttons and sliders by ``factor``; return ``layout``."""
    for room in [layout, layout.get("title", {}), *layout.get("updatemenus", []),
                 *layout.get("sliders", [])]:
        for key in ("margin", "pad"):
            if key in room:
                room[key] = {side: round(value * factor) if side in ("t", "b", "l", "r")
                             else value for side, value in room[key].items()}
    return layout


def _scale_fonts(node, factor: float):
    """Multiply every font size given in ``node`` (a figure's JSON) by ``factor``,
    in place; return ``node``."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key.endswith("font") and isinstance(value, dict) and "size" in value:
                value["size"] = round(value["size"] * factor, 1)
            _scale_fonts(value, factor)
    elif isinstance(node, list):
        for item in node:
            _scale_fonts(item, factor)
    return node


def _scaled_trace(trace: dict, factor: float) -> dict:
    texts = _scale_fonts({key: copy.deepcopy(trace[key]) for key in TRACE_TEXTS if key in trace},
                         factor)
    return trace | texts if texts else trace


def _fill_font_sizes(layout: dict, size: float, texts_only: bool = False) -> dict:
    """Give every text of ``layout`` that has no size of its own ``size`` (in
    place); return ``layout``. ``texts_only``: its title and annotations only
    (an animation frame's: what a frame sets, it replaces)."""
    def fill(owner: dict, key: str = "font"):
        owner[key] = {"size": size} | owner.get(key, {})

    if layout.get("title", {}).get("text"):
        fill(layout["title"])
    for item in layout.get("annotations", []):
        fill(item)
    if texts_only:
        return layout
    legend = layout.setdefault("legend", {})
    fill(legend)
    fill(legend.setdefault("title", {}))
    fill(layout.setdefault("hoverlabel", {}))
    axes = [axis for name, axis in layout.items() if AXIS.match(name)]
    axes += [scene[name] for key, scene in layout.items() if key.startswith("scene")
             for name in ("xaxis", "yaxis", "zaxis") if name in scene]
    for axis in axes:
        fill(axis, "tickfont")
        fill(axis.setdefault("title", {}))
    for menu in layout.get("updatemenus", []):
        fill(menu)
    for slider in layout.get("sliders", []):
        fill(slider)
        fill(slider.setdefault("currentvalue", {}))
    return layout

