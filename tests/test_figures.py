"""Figures: what the pictures encode, and that plotly accepts every figure."""

import copy
import itertools
import json
import re
from collections import defaultdict

import numpy as np
import plotly.graph_objects as go
import pytest
from plotly.subplots import make_subplots

from recdemo import claims, figures
from recdemo.data import DataConfig, make_dataset
from recdemo.figures import fit
from recdemo.figures.embedding import plotly_controls
from recdemo.figures.negatives import SHARES_SCALE
from recdemo.figures.recommendations import BLOCK_LINE
from recdemo.figures.style import (
    COLOR_NAMES,
    MARK_COLOR,
    PALETTE,
    SPURIOUS_COLOR,
    STRATEGY_COLORS,
)
from recdemo.metrics import METRICS
from recdemo.params import COST_STRATEGIES
from recdemo.step_cost import StepCost
from recdemo.train import TrainConfig, train
from recdemo.wording import significant
from tests.colors import blend, ciede2000, contrast, luminance, seen


@pytest.fixture(scope="module")
def run():
    data = make_dataset(DataConfig(groups=3, items_per_group=10, queries_per_group=20))
    return data, train(data, TrainConfig(epochs=3))


@pytest.mark.parametrize("components", [2, 3])
@pytest.mark.parametrize("selected", [None, 4])
def test_embedding_figure_passes_plotly_validation(run, components, selected):
    """embedding_figure skips plotly's validation for speed; this is where it is checked."""
    data, result = run
    fig = figures.embedding_figure(data, result, components, inspected_query=selected)
    validated = go.Figure(fig.to_dict())  # raises on any invalid property
    assert len(validated.frames) == result.config.epochs + 1


def test_embedding_figure_highlights_the_query_and_its_picks(run):
    data, result = run
    fig = figures.embedding_figure(data, result, inspected_query=4)
    by_name = {trace.name: trace for trace in fig.data}
    assert figures.array_values(by_name["selected query"].customdata) == [4]
    k = result.config.k
    assert len(figures.array_values(by_name[f"its top {k}"].x)) == k
    spurious = len(figures.array_values(by_name["spurious pick (other group)"].x))
    picks = figures.array_values(by_name[f"its top {k}"].customdata)
    assert spurious == int((data.item_groups[picks] != data.test.groups[4]).sum())


def marks(traces) -> set[tuple[int, int, str]]:
    """(query, item, group name) of every mark of the "what it recommends"
    traces (one per group: a square at x = item, y = query)."""
    found = set()
    for trace in traces:
        if " items in a top " in trace["name"]:
            xs, ys = figures.array_values(trace["x"]), figures.array_values(trace["y"])
            found |= {(int(y), int(x), trace["name"].split()[0]) for x, y in zip(xs, ys,
                                                                                 strict=True)}
    return found


def test_what_it_recommends_marks_exactly_each_query_top_k_in_its_group_color(run):
    """The picture that needs no projection: a mark for every (query, item in its
    top-k), in the item's group's trace, at every frame and in the final data."""
    data, result = run
    fig = figures.embedding_figure(data, result, 2, inspected_query=0).to_dict()
    matrix = [trace for trace in fig["data"] if " items in a top " in trace["name"]]
    assert [trace["marker"]["color"] for trace in matrix] == [
        figures.group_color(COLOR_NAMES.index(trace["name"].split()[0])) for trace in matrix]
    assert len(matrix) == data.n_groups

    def expected(picks):
        return {(q, int(item), figures.group_name(data.item_groups[item]))
                for q, row in enumerate(picks) for item in row}
    assert marks(fig["data"]) == expected(result.top_k_snapshots[-1])
    for epoch, frame in enumerate(fig["frames"]):
        styled = [{**style, **trace} for style, trace in zip(fig["data"], frame["data"],
                                                             strict=True)]
        assert marks(styled) == expected(result.top_k_snapshots[epoch])


@pytest.mark.parametrize("make", [
    lambda data, result: figures.training_curves_figure(result),
    lambda data, result: figures.small_multiples_figure(data, {"a": result, "b": result}),
    lambda data, result: figures.small_multiples_figure(data, {"a": result, "b": result},
                                                        cols=1, side_by_side=True),
    lambda data, result: figures.metrics_bar_figure(
        [result.summary()], {"perfect": {"spurious_at_k": 0.1}, "random": {}}),
    lambda data, result: figures.interaction_matrix_figure(data),
    lambda data, result: figures.group_sizes_figure(data),
    lambda data, result: figures.latent_figure(data),
    lambda data, result: figures.step_cost_figure(
        [StepCost("full", 1000, 0.01, 0.01, 0.009, 0.012, 10, 5, 100),
         StepCost("uniform", 1000, 0.001, 0.001, 0.001, 0.002, 10, 5, 10)]),
])
def test_other_figures_are_valid_plotly(run, make):
    assert go.Figure(make(*run).to_dict()).data


@pytest.mark.parametrize("make", [
    lambda data, result: figures.embedding_figure(data, result, 3, inspected_query=1,
                                                  projector=True),
    lambda data, result: figures.embedding_figure(data, result, 2, inspected_query=1),
    lambda data, result: figures.negatives_figure(data, result),
    lambda data, result: figures.training_curves_figure(result),
    lambda data, result: figures.small_multiples_figure(
        data, {"a": result, "b": result, "c": result, "d": result, "e": result}, cols=4,
        height=480, side_by_side=True),
    lambda data, result: figures.metrics_bar_figure(
        [result.summary()], {"perfect": {"spurious_at_k": 0.1}, "random": {}}),
    lambda data, result: figures.negatives_small_multiples(data, {"a": result, "b": result}),
    lambda data, result: figures.group_sizes_figure(data),
    lambda data, result: figures.latent_figure(data),
])
def test_every_layout_for_a_narrower_chart_is_valid_plotly(run, make):
    """A figure's narrower layouts (fit.py), as ui/plot.js merges them over it,
    pass plotly's validation and keep every panel inside the figure, in the
    presenter's larger type too; the narrowest is for any width."""
    for fig in (make(*run), figures.with_font_size(make(*run), 20)):
        spec = fig.to_dict()
        variants = fit.variants_of(spec["layout"])
        assert variants and min(variant["min_em"] for variant in variants) == 0
        for variant in variants:
            layout = fit.merged(spec["layout"], variant["layout"])
            frames = [fit.merged(frame.get("layout", {}), texts) for frame, texts
                      in zip(spec.get("frames", []), variant["frames"], strict=True)
                      ] if "frames" in variant else []
            go.Figure({"data": spec["data"], "layout": layout, "frames": [
                {"layout": frame} for frame in frames]})  # raises on any invalid property
            domains = [value for name, axis in layout.items() if isinstance(axis, dict)
                       for value in axis.get("domain", []) if isinstance(value, float)]
            assert all(0.0 <= value <= 1.0 for value in domains), domains


def test_typed_arrays_round_trip_as_float32():
    values = [0.5, -1.25, 3.0e-3]
    encoded = figures.typed_array(values)
    assert encoded["dtype"] == "f4"
    assert figures.array_values(encoded) == pytest.approx(values, rel=1e-6)
    assert figures.array_values([1, 2]) == [1, 2]  # plain JSON lists pass through


def test_embedding_figure_json_follows_updates_and_keeps_its_frames(run):
    """AnimatedFigure.to_dict shares its JSON instead of copying it: it must
    still show later changes, as plotly's to_dict does, and keep the frames."""
    data, result = run
    fig = figures.embedding_figure(data, result, 2, inspected_query=1)
    fig.update_layout(title_text="changed")
    spec = fig.to_dict()
    assert spec["layout"]["title"]["text"] == "changed"
    assert len(spec["frames"]) == result.config.epochs + 1
    assert spec["data"] == go.Figure(fig).to_dict()["data"]  # what plotly itself would write


@pytest.mark.parametrize("make", [
    lambda data, result: figures.embedding_figure(data, result, 2, inspected_query=1),
    lambda data, result: figures.training_curves_figure(result),
])
def test_with_font_size_copies_the_figure_and_leaves_the_original(run, make):
    fig = make(*run)
    before = copy.deepcopy(fig.to_dict())
    big = figures.with_font_size(fig, 24)
    assert big.to_dict()["layout"]["font"]["size"] == 24
    assert fig.to_dict() == before and before["layout"]["font"] == figures.FONT
    assert [frame["data"] for frame in big.to_dict().get("frames", [])] == [
        frame["data"] for frame in before.get("frames", [])]
    assert go.Figure(big.to_dict()).layout.font.size == 24  # still valid plotly


def test_with_font_size_grows_every_text_in_proportion():
    """Texts with a size of their own (a subplot title, a title, an axis's)
    grow by size / FONT; texts without one get the new size, explicitly (a
    chart theme would otherwise keep its own, smaller, sizes)."""
    fig = make_subplots(rows=1, cols=2, subplot_titles=("left panel", "right panel"))
    fig.add_trace(go.Bar(x=["a"], y=[1], text=["1.00"], textfont={"size": 12}), row=1, col=1)
    fig.update_layout(
        font=figures.FONT, height=300, margin={"t": 40, "b": 10, "l": 10, "r": 10},
        title={"text": "a title", "font": {"size": 18}, "pad": {"t": 6}},
        xaxis={"title": {"text": "x", "font": {"size": 14}}, "tickfont": {"size": 12}},
        yaxis={"title": {"text": "y"}},
        updatemenus=[{"type": "buttons", "pad": {"t": 30}, "buttons": [{"label": "go"}]}],
    )
    fig.add_annotation(text="a note", x=0.5, y=0.5, showarrow=False)
    before = copy.deepcopy(fig.to_dict())
    size = 20
    factor = size / figures.FONT["size"]
    big = figures.with_font_size(fig, size)
    layout = big.to_dict()["layout"]

    assert [note["font"]["size"] for note in layout["annotations"]] == pytest.approx(
        [16 * factor, 16 * factor, size], abs=0.05)  # make_subplots' titles are 16: they grow
    assert layout["title"]["font"]["size"] == pytest.approx(18 * factor, abs=0.05)
    assert layout["xaxis"]["title"]["font"]["size"] == pytest.approx(14 * factor, abs=0.05)
    assert layout["xaxis"]["tickfont"]["size"] == pytest.approx(12 * factor, abs=0.05)
    for axis in ("yaxis", "xaxis2", "yaxis2"):
        assert layout[axis]["tickfont"]["size"] == size
        assert layout[axis]["title"]["font"]["size"] == size
    assert layout["legend"]["font"]["size"] == size
    assert layout["updatemenus"][0]["font"]["size"] == size
    assert big.to_dict()["data"][0]["textfont"]["size"] == pytest.approx(12 * factor, abs=0.05)
    # The room around the texts grows with them.
    assert layout["height"] == round(300 * factor)
    assert layout["margin"]["t"] == round(40 * factor)
    assert layout["updatemenus"][0]["pad"]["t"] == round(30 * factor)
    assert layout["title"]["pad"]["t"] == round(6 * factor)

    assert fig.to_dict() == before, "the original is left as it was"
    again = figures.with_font_size(big, size).to_dict()
    assert again == big.to_dict(), "a second call at the same size changes nothing"
    back = figures.with_font_size(big, figures.FONT["size"]).to_dict()["layout"]
    assert back["title"]["font"]["size"] == pytest.approx(18, abs=0.05)
    assert back["height"] == 300


def test_with_font_size_grows_the_texts_of_every_animation_frame(run):
    data, result = run
    fig = figures.embedding_figure(data, result, 3, inspected_query=1)
    big = figures.with_font_size(fig, 20).to_dict()
    for frame in big["frames"]:
        assert frame["layout"]["title"]["font"]["size"] == 20
        assert {note["font"]["size"] for note in frame["layout"]["annotations"]} == {20}
    layout = big["layout"]
    assert figures.with_font_size(fig, 20).playback == fig.playback, "its replay stays"
    assert layout["legend"]["title"]["font"]["size"] == 20
    assert all(layout["scene"][f"{axis}axis"]["tickfont"]["size"] == 20 for axis in "xyz")


@pytest.mark.parametrize("change, shown", [(-0.001, "+0.00"), (0.004, "+0.00"), (-0.006, "-0.01"),
                                           (0.7349, "+0.73"), (-0.73, "-0.73"), (0.0, "+0.00")])
def test_a_change_that_rounds_to_zero_never_reads_minus_zero(change, shown):
    assert figures.delta_text(change) == shown


@pytest.mark.parametrize("components", [2, 3])
def test_the_pictures_faithfulness_is_measured_on_the_drawn_points(run, components):
    """The caption's "x% of a query's k nearest here" is recomputed from the
    coordinates the figure draws, at every frame; its "y% in all dD" from the
    run's own embeddings, the queries scaled as the picture scales them."""
    data, result = run
    fig = figures.embedding_figure(data, result, components, inspected_query=0).to_dict()
    axes = "xyz"[:components]
    k = result.config.k
    Q, V = result.query_snapshots, result.item_snapshots
    scale = np.linalg.norm(V[-1], axis=1).mean() / np.linalg.norm(Q[-1], axis=1).mean()

    def nearest_share(queries, items, query_groups, item_groups):
        distances = ((queries[:, None] - items[None]) ** 2).sum(axis=2)
        nearest = np.argsort(distances, axis=1, kind="stable")[:, :k]
        return (item_groups[nearest] != query_groups[:, None]).mean()

    for epoch, frame in enumerate(fig["frames"]):
        styled = [{**style, **trace} for style, trace in zip(fig["data"], frame["data"],
                                                             strict=True)]
        query_points, item_points, query_groups, item_groups = [], [], [], []
        for trace in styled[:2 * data.n_groups]:  # a query trace and an item trace per group
            points = np.column_stack([figures.array_values(trace[a]) for a in axes])
            group = int(trace["legendgroup"])  # "blue" and "blue items" are group "0"
            is_items = trace["name"].endswith(" items")
            (item_points if is_items else query_points).append(points)
            (item_groups if is_items else query_groups).append(np.full(len(points), group))
        share = nearest_share(np.concatenate(query_points), np.concatenate(item_points),
                              np.concatenate(query_groups), np.concatenate(item_groups))
        full = nearest_share(scale * Q[epoch], V[epoch], data.test.groups, data.item_groups)
        # Every layout (fit.py: the chart's width picks one) says it, wrapped its way.
        captions = [frame["layout"]["annotations"][0]["text"]] + [
            variant["frames"][epoch]["annotations"][0]["text"]
            for variant in fig["layout"]["meta"]["recdemo"]["variants"]]
        for caption in captions:
            assert (f"From other groups: {share:.0%} of a query's {k} nearest items here, "
                    f"{full:.0%} in all {V.shape[-1]}D") in caption.replace("<br>", " ")


def test_a_picture_of_every_dimension_says_so_and_measures_the_same_share():
    """At d = 2 the 2D picture is the embeddings themselves (turned): the
    caption says so, not "in 2D ... in all 2D", and its two shares agree;
    the small multiples' titles say it too."""
    data = make_dataset(DataConfig(groups=3, items_per_group=10, queries_per_group=20))
    result = train(data, TrainConfig(epochs=2, dim=2))
    fig = figures.embedding_figure(data, result, 2).to_dict()
    caption = fig["layout"]["annotations"][0]["text"].replace("<br>", " ")
    shares = re.search(r"From other groups: (\d+%) of a query's 10 nearest items here, (\d+%) "
                       r"in the embeddings themselves \(the picture shows all 2D\)", caption)
    assert shares and shares[1] == shares[2], caption
    title = figures.small_multiples_figure(data, {"a": result}).to_dict()["layout"]
    texts = " ".join(re.sub(r"<[^>]+>", " ", " ".join(a["text"] for a in title["annotations"]))
                     .split())
    assert "other groups in 2D (all its dimensions)" in texts and "in 2D," not in texts


def test_a_run_label_names_only_settings_its_strategies_read():
    """A review's links: "positives-only (negatives 50)" on a run that draws
    no negatives, "full, temperature 0.05", "uniform, logq correction false"."""
    label = figures.run_label
    assert label(TrainConfig(strategy="positives-only", negatives=50, temperature=0.05,
                             logq_correction=False, gravity=1.0)) == "positives-only, gravity 1"
    assert label(TrainConfig(strategy="full", negatives=50, dim=2)) == "full, dim 2"
    assert label(TrainConfig(strategy="hard", negatives=50, temperature=0.05)) == \
        "hard, negatives 50, temperature 0.05"
    assert label(TrainConfig(strategy="popularity", logq_correction=False)) == \
        "popularity, logq correction false"
    # A switch reads the settings of the strategy it switches to, named after
    # it: "hard, logq correction false, then in-batch" read as hard's setting.
    assert label(TrainConfig(strategy="positives-only", temperature=0.05, switch_at=3,
                             switch_to="hard")) == \
        "positives-only, then hard after epoch 3, temperature 0.05"
    assert label(TrainConfig(strategy="hard", logq_correction=False, switch_at=3,
                             switch_to="in-batch")) == \
        "hard, then in-batch after epoch 3, logq correction false"
    assert label(TrainConfig(strategy="hard", temperature=0.05, negatives=50, switch_at=3,
                             switch_to="uniform")) == \
        "hard, negatives 50, temperature 0.05, then uniform after epoch 3"


def test_an_animated_figure_says_how_to_replay_it_and_the_export_gets_plotlys_controls(run):
    """The app draws Play and the epoch itself (ui/plot.js), from the figure's
    playback; the standalone HTML export, with no app, gets plotly's own."""
    data, result = run
    fig = figures.embedding_figure(data, result, 2)
    epochs = len(result.metrics)
    assert fig.playback == {"frames": tuple(str(e) for e in range(epochs)), "active": epochs - 1,
                            "label": "epoch", "frame_ms": figures.FRAME_MS,
                            "glide_ms": int(0.6 * figures.FRAME_MS)}
    assert "sliders" not in fig.to_dict()["layout"], "no controls a keyboard cannot reach"
    assert [f["name"] for f in fig.to_dict()["frames"]] == list(fig.playback["frames"])
    controls = plotly_controls(fig.playback)
    assert [s["label"] for s in controls["sliders"][0]["steps"]] == list(fig.playback["frames"])


# Told apart without color (issue 19) ----------------------------------------------

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


def test_the_3d_spurious_cross_is_drawn_as_its_legend_shows_it(run):
    """A 3D scene draws its markers as characters, and its "x" is the emoji
    U+274C, which many machines lack (Chromium on Linux drew red boxes): no
    visible 3D mark uses it. The spurious picks are a bold "×" over an "x"
    marker too small to see, the symbol the legend draws (a cross)."""
    data, result = run
    spec = figures.embedding_figure(data, result, 3, inspected_query=0).to_dict()
    visible = [t for t in spec["data"] if t["type"] == "scatter3d" and "markers" in t["mode"]
               and t["marker"]["symbol"] == "x" and t["marker"]["size"] >= 1]
    assert not visible
    (spurious,) = [t for t in spec["data"] if t["name"] == "spurious pick (other group)"]
    assert spurious["marker"]["symbol"] == "x" and spurious["text"] == "×"
    assert spurious["textfont"]["weight"] == "bold" and "text" in spurious["mode"]
    assert spec["layout"]["legend"]["itemsizing"] == "constant"
    flat = figures.embedding_figure(data, result, 2, inspected_query=0).to_dict()
    (spurious,) = [t for t in flat["data"] if t["name"] == "spurious pick (other group)"]
    assert spurious["marker"]["symbol"] == "x-thin-open" and spurious["mode"] == "markers"


def test_the_training_curves_legend_lists_the_test_metrics_only(run):
    """The legend stands beside the test metrics' panel: the loss, which has
    a panel of its own, is not listed among them."""
    _, result = run
    spec = figures.training_curves_figure(result).to_dict()
    listed_names = [t["name"] for t in spec["data"] if t.get("showlegend", True)]
    assert listed_names == [figures.metric_label(m, result.config.k) for m in METRICS]
    assert all(t.get("xaxis") == "x2" for t in spec["data"] if t.get("showlegend", True))
    (loss,) = [t for t in spec["data"] if t["name"] == "loss"]
    assert loss.get("xaxis", "x") == "x"


def test_the_training_curves_tell_the_metrics_apart_without_color(run):
    """A review: the four metric lines differed by their color alone."""
    _, result = run
    spec = figures.training_curves_figure(result).to_dict()
    metrics = [t for t in spec["data"] if t.get("xaxis") == "x2"]
    styles = {(t["line"]["dash"], t["marker"]["symbol"]) for t in metrics}
    assert len(metrics) == len(METRICS) and len(styles) == len(METRICS)


def test_a_pictures_title_keeps_each_number_on_the_line_of_its_name(run):
    """A review: "cross-group AUC =" at the end of one line, "0.66" on the
    next, in a narrow picture's title."""
    data, result = run
    spec = figures.embedding_figure(data, result, 2).to_dict()
    titles = re.findall(r'"([^"]*cross-group[^"]*)"', json.dumps(spec, ensure_ascii=False))
    assert titles and all(re.search(r"cross-group\xa0AUC\xa0=\xa0\d\.\d\d", title)
                          and re.search(r"@\d+\xa0=\xa0\d\.\d\d", title) for title in titles)
    narrow = fit.wrap(titles[0].replace("<br>", " "), 8)
    assert any(re.fullmatch(r"cross-group\xa0AUC\xa0=\xa0\d\.\d\d", line) for line in narrow)


def test_each_text_alternative_states_the_numbers_its_figure_draws(run):
    """A chart's words for a screen reader are computed from what it draws,
    so they cannot say something the picture does not."""
    data, result = run
    spec = figures.training_curves_figure(result).to_dict()
    alt = figures.training_curves_alt(result)
    loss, *metrics = [figures.array_values(t["y"]) for t in spec["data"]]
    assert f"{loss[0]:.3g} in epoch 1 and {loss[-1]:.3g} in epoch" in alt
    for trace, values in zip(spec["data"][1:], metrics, strict=True):
        assert f"{trace['name']} {values[0]:.2f} to {values[-1]:.2f}" in alt

    shares = figures.negatives_figure(data, result).to_dict()["frames"][-1]["data"][0]["text"]
    own = {figures.group_name(g): shares[g][g] for g in range(data.n_groups)}  # "17%"
    said = re.search(r"(\d+%) \((\w+)\) to (\d+%) \((\w+)\)", figures.negatives_alt(data, result))
    low, low_group, high, high_group = said.groups()
    assert own[low_group] == low == min(own.values(), key=lambda v: int(v[:-1]))
    assert own[high_group] == high == max(own.values(), key=lambda v: int(v[:-1]))

    runs = {"a": result, "b": train(data, TrainConfig(epochs=3, strategy="positives-only"))}
    titles = [a["text"] for a in figures.small_multiples_figure(data, runs).to_dict()[
        "layout"]["annotations"] if a["text"].startswith("<b>")]
    alt = figures.small_multiples_alt(data, runs.values())
    for title in titles:
        label, value = title.split("</b>")[0][3:], title.split(" = ")[1][:4]
        assert f"{label}: spurious@{result.config.k} {value}" in alt

    summaries = [r.summary() for r in runs.values()]
    bars = figures.metrics_bar_figure(summaries, {}).to_dict()["data"]
    alt = figures.metrics_bar_alt(summaries, {})
    for bar, metric in zip(bars, METRICS, strict=True):
        values = dict(zip(figures.array_values(bar["y"]), figures.array_values(bar["x"]),
                          strict=True))
        low = min(values.values())
        lowest = " and ".join(name for name, value in values.items() if value == low)
        said = (f"every strategy {low:.2f}" if len(set(values.values())) == 1 else
                f"lowest {lowest} {low:.2f}")
        assert f"{figures.metric_label(metric, result.config.k)}: {said}" in alt

    # A metric a page leaves out is neither drawn nor said (a review's links: an
    # empty panel of within-group recall, "Bars of 4 metrics" listing 3, the
    # curves' text giving the recall its caption had left out).
    three = tuple(m for m in METRICS if m != "within_group_recall_at_k")
    without = [{**row, "within_group_recall_at_k": None} for row in summaries]
    bars = figures.metrics_bar_figure(without, {}).to_dict()
    assert [a["text"] for a in bars["layout"]["annotations"]][:3] == [
        figures.metric_label(m, result.config.k) for m in three]
    assert len(bars["data"]) == 3
    said = figures.metrics_bar_alt(without, {})
    assert said.startswith("Bars of 3 metrics") and "within-group" not in said
    curves = figures.training_curves_figure(result, metrics=three).to_dict()["data"]
    assert [t["name"] for t in curves[1:]] == [figures.metric_label(m, result.config.k)
                                             for m in three]
    assert "within-group" not in figures.training_curves_alt(result, three)

    # Ties are named together (a review's link: "lowest full 0.00" where six tied).
    tied = [{"strategy": name, "k": 5, **dict.fromkeys(METRICS, value)}
            for name, value in (("full", 0.0), ("uniform", 0.0), ("hard", 0.25))]
    alt = figures.metrics_bar_alt(tied, {})
    assert "spurious@5: lowest full and uniform 0.00, highest hard 0.25" in alt
    assert "every strategy 0.00" in figures.metrics_bar_alt(tied[:2], {})

    heatmap = figures.interaction_matrix_figure(data).to_dict()["data"][0]
    drawn = int(np.isfinite(np.array(figures.array_values(heatmap["z"]), dtype=float)).sum())
    assert f"each of the {drawn:,} interactions" in figures.interaction_matrix_alt(data)

    costs = [StepCost(strategy, n, 0.0, 1e-3 * n ** 0.5, 0.9e-3 * n ** 0.5, 1.1e-3 * n ** 0.5,
                      10, 5, 100)
             for strategy in COST_STRATEGIES for n in (1_000, 100_000)]
    alt = figures.step_cost_alt(costs)
    for trace in figures.step_cost_figure(costs).to_dict()["data"]:
        first, last = figures.array_values(trace["y"])[0], figures.array_values(trace["y"])[-1]
        assert f"{trace['name']}: {significant(first)} ms (" in alt
        assert f"at 1,000 items, {significant(last)} ms (" in alt


def test_the_step_cost_alt_says_what_the_page_says():
    """A review's /why-sample?largest_corpus=10000: the alt gave hard "10.3 ms at
    1,000 items, 12.5 ms at 10,000 (1.22 times)" where the page said "no change
    beyond the spread of the repeats"."""
    def cost(strategy, n_items, median, low, high):
        return StepCost(strategy, n_items, median, median, low, high, 0, 0, 0)

    costs = [cost("hard", 1_000, 0.0103, 0.0096, 0.0157),
             cost("hard", 10_000, 0.0125, 0.0115, 0.0145),
             cost("full", 1_000, 0.002, 0.0019, 0.0021), cost("full", 10_000, 0.02, 0.019, 0.021),
             cost("uniform", 1_000, 0.001, 0.0009, 0.0011)]
    alt = figures.step_cost_alt(costs)
    growth = [claim for claim in claims.step_cost_claims(costs) if claim.text.startswith("**")]
    assert [claim.text.split("**")[1] for claim in growth] == ["hard", "full"]
    for claim in growth:
        assert claim.text.replace("**", "") in alt
    assert "no change beyond the spread" in alt and "1.22" not in alt
    assert "uniform: 1.00 ms at 1,000 items." in alt, "measured at one size: its time"


def test_the_interaction_matrix_says_no_leak_where_it_draws_none():
    """A review's link, /groups?leak=0&positives=1: "the dots off the diagonal
    are the leak" where there are none."""
    data = make_dataset(DataConfig(leak=0.0, positives=1))
    assert "none is off it, none leaks." in figures.interaction_matrix_alt(data)
    caption = figures.groups.interaction_matrix_caption(data)
    assert "off the diagonal are the leak" not in caption and "none of the interactions" in caption
    assert "the dots off the diagonal are the leak." in figures.groups.interaction_matrix_caption(
        make_dataset(DataConfig()))


def test_the_interaction_matrix_alt_says_shares_that_add_up_to_all():
    """A review's link, /groups?groups=2&items_per_group=10&positives=10&leak=0.5:
    46.5% of the drawn interactions leak, which the alt text gave as 53% on the
    diagonal and 46% off it, 99% of the interactions."""
    data = make_dataset(DataConfig(groups=2, items_per_group=10, positives=10, leak=0.5))
    alt = figures.interaction_matrix_alt(data)
    own, off = (int(share) for share in re.findall(r"(\d+)% (?:of them fall|are off)", alt))
    assert own + off == 100, alt
    # A sentence of its own: "Over 99% of them", not "over 99%" (/groups?leak=0.001).
    alt = figures.interaction_matrix_alt(make_dataset(DataConfig(leak=0.001)))
    assert "interactions. Over 99% of them fall in the blocks" in alt, alt


def test_the_negatives_alt_never_rounds_a_correlation_to_a_perfect_one():
    """A review's link, /train?strategy=uniform&negatives=50&groups=2&items_per_group=10:
    each item's negatives against its popularity, correlation -0.998, read "-1.00"."""
    data = make_dataset(DataConfig(groups=2, items_per_group=10))
    result = train(data, TrainConfig(strategy="uniform", negatives=50))
    alt = figures.negatives_alt(data, result)
    assert "correlation -0.998" in alt, alt


def test_the_negatives_alt_names_no_range_where_every_group_has_the_same_share():
    """A review's link, /train?strategy=in-group&items_per_group=10&positives=10:
    every group's negatives all from its own group, said "100% (blue) to 100% (blue)"."""
    data = make_dataset(DataConfig(items_per_group=10, positives=10))
    result = train(data, TrainConfig(strategy="in-group", epochs=2))
    alt = figures.negatives_alt(data, result)
    assert "from the query's own group, 100% for every group, 17% if spread evenly" in alt, alt


def test_the_negatives_alt_says_how_many_epochs_drew_any():
    """A review's link, /train?strategy=uniform&switch_at=5&switch_to=positives-only:
    "over 15 epochs of training", where only the first 5 drew negatives."""
    data = make_dataset(DataConfig(groups=2))
    switched = train(data, TrainConfig(strategy="uniform", epochs=4, switch_at=1,
                                       switch_to="positives-only"))
    assert "over 4 epochs of training, 1 of which drew any. First panel" in figures.negatives_alt(
        data, switched)
    plain = train(data, TrainConfig(strategy="uniform", epochs=4))
    assert "over 4 epochs of training. First panel" in figures.negatives_alt(data, plain)


def test_the_training_curves_alt_of_one_epoch_gives_its_loss_once():
    """A review's link, /train?strategy=full&epochs=1: "the training loss, 4.67 in
    epoch 1 and 4.67 in epoch 1"."""
    data = make_dataset(DataConfig(groups=2))
    result = train(data, TrainConfig(strategy="uniform", epochs=1))
    alt = figures.training_curves_alt(result)
    assert f"the training loss, {result.losses[0]:.3g} in epoch 1. Second panel:" in alt, alt


def test_the_training_curves_of_a_switched_run_keep_its_two_losses_apart():
    """A review's link, /train?strategy=positives-only&switch_at=7: the loss
    went from 0.02 in epoch 7 to 4.90 in epoch 8, on one line, and the alt
    read "0.168 in epoch 1 and 2.23 in epoch 15": positives-only's sigmoid
    loss, then uniform's softmax loss, as if they were one."""
    data = make_dataset(DataConfig(groups=3, items_per_group=10, queries_per_group=20))
    result = train(data, TrainConfig(strategy="positives-only", switch_at=2, epochs=4))
    spec = figures.training_curves_figure(result).to_dict()
    losses = [t for t in spec["data"] if t["name"] == "loss"]
    assert [list(t["x"]) for t in losses] == [[1, 2], [3, 4]]
    assert [x["x0"] for x in spec["layout"]["shapes"]] == [2.5, 2.5]
    headings = [note["text"].replace("<br>", " ") for note in spec["layout"]["annotations"]]
    assert "training loss: a new loss from epoch\xa03" in headings, headings
    alt = figures.training_curves_alt(result)
    first, then = result.losses[:2], result.losses[2:]
    assert (f"the training loss, {first[0]:.3g} in epoch 1 and {first[1]:.3g} in epoch 2, "
            f"then, a new loss after the switch, {then[0]:.3g} in epoch 3 and {then[1]:.3g} in "
            "epoch 4. Second panel:") in alt, alt
    plain = figures.training_curves_figure(train(data, TrainConfig(epochs=2))).to_dict()
    assert len([t for t in plain["data"] if t["name"] == "loss"]) == 1
    assert "shapes" not in plain["layout"]


def test_no_text_alternative_places_a_panel_left_or_right():
    """A review: "Left: ... Right: ..." where a phone stacks the two panels."""
    data = make_dataset(DataConfig(groups=3, items_per_group=10, queries_per_group=20))
    result = train(data, TrainConfig(epochs=2))
    for alt in (figures.embedding_alt(data, result, 2), figures.negatives_alt(data, result),
                figures.training_curves_alt(result), figures.group_sizes_alt(data)):
        assert "Left" not in alt and "Right" not in alt, alt
        assert "First panel" in alt and "Second panel" in alt, alt


def test_the_negatives_shares_run_from_light_for_none_to_dark_for_all():
    """Spelled out for plotly.js too, whose own "Blues" runs the other way:
    in-group's full diagonal must read as full, its empty cells as empty."""
    shades = [luminance(color) for _, color in SHARES_SCALE]
    assert shades == sorted(shades, reverse=True) and shades[0] > 0.9 > 0.1 > shades[-1]
    data = make_dataset(DataConfig(groups=3, items_per_group=10, queries_per_group=20))
    run = train(data, TrainConfig(strategy="in-group", epochs=2))
    fig = figures.negatives_figure(data, run)
    heatmaps = [trace for trace in fig.to_dict()["data"] if trace["type"] == "heatmap"]
    assert heatmaps and all(trace["colorscale"] == SHARES_SCALE for trace in heatmaps)
