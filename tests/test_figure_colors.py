"""Figures told apart without color (issue 19): every mark and line stands
out from its background, the group colors from each other for color-blind
eyes, and every group has a cue besides its color."""

import itertools
from collections import defaultdict

import numpy as np
import pytest

from recdemo import figures
from recdemo.data import DataConfig, make_dataset
from recdemo.figures.recommendations import BLOCK_LINE
from recdemo.figures.style import (
    COLOR_NAMES,
    COST_LINES,
    MARK_COLOR,
    PALETTE,
    SPURIOUS_COLOR,
    STRATEGY_COLORS,
)
from recdemo.metrics import METRICS
from recdemo.params import COST_STRATEGIES
from recdemo.step_cost import StepCost
from recdemo.train import TrainConfig, train
from tests.colors import blend, ciede2000, contrast, seen


@pytest.fixture(scope="module")
def eight_groups() -> dict:
    """Every kind of figure, with every group color at once: the most groups a
    link can ask for."""
    data = make_dataset(DataConfig(groups=8, items_per_group=10, queries_per_group=10))
    return every_figure(data, train(data, TrainConfig(epochs=2)))


def every_figure(data, result) -> dict:
    """Every kind of figure the app draws, by name, at least once per variant."""
    k = result.config.k
    summaries = [result.summary() | {"strategy": strategy} for strategy in STRATEGY_COLORS]
    references = {"the oracle": {m: 0.5 for m in METRICS}, "a random ranking": {
        "spurious_at_k": 0.9, "cross_group_auc": 0.5}}
    costs = [StepCost(strategy, n, 1e-3 * n ** 0.5, 1e-3, 1e-3, 2e-3, 10, 5, 100)
             for strategy in COST_STRATEGIES for n in (1_000, 10_000)]
    runs = {"a": result, "b": result}
    return {
        "embedding 2D": figures.embedding_figure(data, result, 2, inspected_query=0),
        "embedding 3D": figures.embedding_figure(data, result, 3, inspected_query=0),
        "embedding 2D, nothing inspected": figures.embedding_figure(data, result, 2),
        "small multiples": figures.small_multiples_figure(data, runs),
        "small multiples side by side": figures.small_multiples_figure(
            data, runs, cols=1, side_by_side=True),
        "latent": figures.latent_figure(data),
        "interactions": figures.interaction_matrix_figure(data),
        "group sizes": figures.group_sizes_figure(data),
        "negatives": figures.negatives_figure(data, result),
        "negatives small multiples": figures.negatives_small_multiples(data, runs),
        "training curves": figures.training_curves_figure(result),
        f"metric bars (top {k})": figures.metrics_bar_figure(summaries, references),
        "step cost": figures.step_cost_figure(costs),
    }


def listed(value) -> list:
    return figures.array_values(value) if isinstance(value, (list, tuple, dict)) else [value]


def drawn_colors(spec: dict, background: str) -> list[tuple[str, str, str, float]]:
    """(where, color as drawn, its role, the contrast it needs) for every mark,
    line and trace text of a figure's JSON, see-through colors blended with
    ``background``. A mark is seen by its fill or, where it has one, its
    outline: it needs one of them at 3:1 (WCAG 1.4.11), its worse one is
    listed. A heatmap without numbers written on it has only its colors."""
    found = []
    for index, trace in enumerate(spec["data"]):
        where = f"trace {index} ({trace.get('name', trace['type'])})"
        opacity = trace.get("opacity", 1)
        if trace["type"] == "heatmap":
            if "text" not in trace and "texttemplate" not in trace:
                scale = trace["colorscale"]
                assert not isinstance(scale, str), f"{where}: a named scale cannot be checked"
                found += [(where, color, "heatmap color", 3.0) for _, color in scale]
            continue
        marker = trace.get("marker", {})
        mode = trace.get("mode", "markers" if trace["type"] == "bar" else "")
        assert mode or trace["type"] != "scatter", f"{where}: say its mode"
        if "markers" in mode:
            fills = listed(marker.get("color") or trace["line"]["color"])  # lines+markers
            widths = listed(marker.get("line", {}).get("width", 0))
            line_color = marker.get("line", {}).get("color", "#FFFFFF")
            for i, fill in enumerate(fills):
                fill = blend(fill, background, opacity * marker.get("opacity", 1))
                width = widths[i % len(widths)]
                candidates = [fill] + ([line_color] if width > 0 else [])
                best = max(candidates, key=lambda color: contrast(color, background))
                found.append((where, best, "mark", 3.0))
        if "lines" in mode:
            found.append((where, blend(trace["line"]["color"], background, opacity), "line", 3.0))
        if "text" in mode:  # text: 4.5:1 (WCAG 1.4.3)
            found.append((where, trace["textfont"]["color"], "text", 4.5))
    for shape in spec["layout"].get("shapes", []):
        if shape.get("line", {}).get("width", 2) > 0:
            found.append((f"shape {shape['type']}", shape["line"]["color"], "outline", 3.0))
    for name, axis in spec["layout"].items():
        if isinstance(axis, dict) and axis.get("zeroline") and "zerolinecolor" in axis:
            found.append((name, axis["zerolinecolor"], "reference line", 3.0))
    return found


def test_the_contrast_arithmetic_reproduces_the_reviewers_measurements():
    """The review's figures (issue 19), from the WCAG formula of tests/colors.py."""
    for color, ratio in (("#E69F00", 2.25), ("#56B4E9", 2.31), ("#B8A400", 2.52),
                         ("#AAAAAA", 2.32), ("#DFC27D", 1.73), ("#767676", 4.54)):
        assert contrast(color, "white") == pytest.approx(ratio, abs=0.005)


@pytest.mark.parametrize("name", ["embedding 2D", "embedding 3D", "embedding 2D, nothing inspected",
                                  "small multiples", "small multiples side by side", "latent",
                                  "interactions", "group sizes", "negatives",
                                  "negatives small multiples", "training curves",
                                  "metric bars (top 10)", "step cost"])
def test_every_mark_and_line_stands_out_from_the_charts_background(eight_groups, name):
    """3:1 against the chart's background for every color a mark or a line is
    drawn in (group colors, strategy colors, the inspector's rings and
    outlines, the spurious cross, the matrix's blocks, reference lines), 4.5:1
    for text; every group color is drawn in the 8-group figures."""
    from ui.plot import pio  # the app draws every chart on its template: white

    assert pio.templates.default == "plotly_white"
    spec = eight_groups[name].to_dict()
    background = spec["layout"].get("plot_bgcolor",
                                    pio.templates["plotly_white"].layout.plot_bgcolor)
    assert contrast(background, "white") == 1.0  # the 3D scene's white too
    drawn = drawn_colors(spec, background)
    assert drawn or all(t["type"] == "heatmap" for t in spec["data"])  # numbers in cells
    weak = [(where, color, role, round(contrast(color, background), 2))
            for where, color, role, needed in drawn if contrast(color, background) < needed]
    assert not weak, weak


def test_every_named_color_stands_out_from_white():
    named = {**dict(zip(COLOR_NAMES, PALETTE, strict=True)), **STRATEGY_COLORS,
             "rings and outlines": MARK_COLOR, "spurious": SPURIOUS_COLOR,
             "blocks": BLOCK_LINE}
    weak = {name: round(contrast(color, "white"), 2) for name, color in named.items()
            if contrast(color, "white") < 3.0}
    assert not weak, weak


def test_group_colors_are_told_apart_by_color_blind_eyes_and_clash_with_no_mark():
    """Every pair of group colors at least 8 apart (CIEDE2000; 2.3 is just
    noticeable) in normal vision and in simulated protanopia, deuteranopia and
    tritanopia, so any first n of them are too; none near the near-black of
    the inspector's rings and outline. (The red of a spurious pick is a cross,
    a shape no group's mark has.)"""
    visions = ("normal", "protanopia", "deuteranopia", "tritanopia")
    closest = {vision: min((ciede2000(seen(a, vision), seen(b, vision)), a, b)
                           for a, b in itertools.combinations(PALETTE, 2))
               for vision in visions}
    assert all(distance >= 8 for distance, _, _ in closest.values()), closest
    assert min(ciede2000(seen(color, vision), seen(MARK_COLOR, vision))
               for color in PALETTE for vision in visions) >= 20
    assert len(set(COLOR_NAMES)) == len(PALETTE) and "black" not in COLOR_NAMES
    assert not set(STRATEGY_COLORS.values()) & set(PALETTE)


def panels(traces: list[dict]) -> dict:
    """A figure's traces by the panel they are drawn in: a 3D scene, or a pair of axes."""
    found = defaultdict(list)
    for trace in traces:
        found[trace.get("scene", "scene") if trace["type"] == "scatter3d"
              else (trace.get("xaxis", "x"), trace.get("yaxis", "y"))].append(trace)
    return found


def points(trace: dict) -> np.ndarray:
    axes = "xyz" if trace["type"] == "scatter3d" else "xy"
    return np.column_stack([figures.array_values(trace[axis]) for axis in axes])


def group_cues(traces: list[dict], data, annotations=(), ranges=None) -> dict[int, tuple]:
    """For each group marked in one panel: the shapes of its marks, and the
    name written where its items are (None if none is): a text trace of its
    legend group or, in a 3D scene, one of the scene's ``annotations``. A
    name must stand at the center of its items drawn inside the panel's axes'
    ``ranges`` (all of them without ranges, or if none is) and say its
    group's name."""
    cues = {}
    for g in range(data.n_groups):
        mine = [t for t in traces if t.get("legendgroup") == str(g)]
        marks = [t for t in mine if "markers" in t["mode"]]
        if not marks:
            continue
        names = [(points(t)[0], t["text"]) for t in mine if t["mode"] == "text"]
        names += [(np.array([a["x"], a["y"], a["z"]]), [a["text"]]) for a in annotations]
        items = [t for t in marks if t["name"].endswith(" items")]
        center = None
        if items:
            drawn = points(items[0])
            if ranges is not None:
                inside = ((drawn >= ranges[:, 0]) & (drawn <= ranges[:, 1])).all(axis=1)
                drawn = drawn[inside] if inside.any() else drawn
            center = drawn.mean(axis=0)
        label = None
        for at, text in names:
            if center is not None and np.allclose(at, center, atol=1e-4):
                assert text == [figures.group_name(g)], (text, g)
                label = text[0]
        assert label or not items or not names, f"group {g}: no name at its items' center"
        cues[g] = (frozenset(t["marker"]["symbol"] for t in marks), label)
    return cues


@pytest.mark.parametrize("groups", range(2, 9))
def test_every_group_is_told_apart_without_its_color(groups):
    """In every picture of the groups, each group's marks differ from every
    other group's in shape or in the name written at its items' center, at
    every frame of an animation; the "what it recommends" matrices and the
    data's pictures tell groups apart by position, in named, outlined blocks."""
    data = make_dataset(DataConfig(groups=groups, items_per_group=10, queries_per_group=10))
    result = train(data, TrainConfig(epochs=1))
    made = every_figure(data, result)
    for name in ("embedding 2D", "embedding 3D", "small multiples",
                 "small multiples side by side", "latent", "negatives"):
        spec = made[name].to_dict()
        frames = [([{**trace, **moved} for trace, moved in zip(spec["data"], frame["data"],
                                                               strict=True)],
                   frame.get("layout", {})) for frame in spec.get("frames", [])]
        for traces, layout in frames + [(spec["data"], spec["layout"])]:
            pictures = 0
            for panel, drawn in panels(traces).items():
                marks = [t for t in drawn if t.get("legendgroup") is not None]
                if not marks or any(" items in a top " in t["name"] for t in marks):
                    continue  # a matrix: checked below
                scene = layout.get(panel, {}) if isinstance(panel, str) else {}
                axes = ([spec["layout"][panel][f"{a}axis"] for a in "xyz"]
                        if isinstance(panel, str) else
                        [spec["layout"].get(f"{a[0]}axis{a[1:]}", {}) for a in panel])
                ranges = (np.array([axis["range"] for axis in axes])
                          if all(axis.get("autorange") is False for axis in axes) else None)
                cues = group_cues(drawn, data, scene.get("annotations", []), ranges)
                assert len(cues) == groups, (name, panel)
                assert len(set(cues.values())) == groups, (name, panel, cues)
                pictures += 1
            assert pictures, name
        matrices = [t for t in spec["data"] if " items in a top " in t.get("name", "")]
        for trace in matrices:  # a mark's column is one of its group's items
            group = COLOR_NAMES.index(trace["name"].split()[0])
            assert (data.item_groups[figures.array_values(trace["x"])] == group).all()
        blocks = [s for s in spec["layout"].get("shapes", []) if s["type"] == "rect"]
        assert len(blocks) == len(matrices) // groups * groups
    names = [figures.group_name(g) for g in range(groups)]
    assert made["interactions"].layout.xaxis.ticktext == tuple(names)
    assert made["interactions"].layout.yaxis.ticktext == tuple(names)
    assert made["group sizes"].layout.xaxis2.ticktext == tuple(names)
    assert list(made["group sizes"].data[0].x) == names


def test_the_step_cost_lines_are_told_apart_without_color():
    """A review (/why-sample under simulated tritanopia and achromatopsia):
    five solid lines with one marker, told apart by color alone."""
    costs = [StepCost(strategy, n, 1e-3, 1e-3, 1e-3, 1e-3, 0, 0, 0)
             for strategy in COST_STRATEGIES for n in (1_000, 10_000)]
    traces = figures.step_cost_figure(costs).to_dict()["data"]
    styles = {(t["line"]["dash"], t["marker"]["symbol"]) for t in traces}
    assert len(traces) == len(COST_STRATEGIES) == len(styles)
    assert set(COST_LINES) == set(COST_STRATEGIES)
