"""Figures: what the pictures encode, and that plotly accepts every figure."""

import copy
import json
import re

import numpy as np
import plotly.graph_objects as go
import pytest
from plotly.subplots import make_subplots

from recdemo import figures
from recdemo.data import DataConfig, make_dataset
from recdemo.figures import fit
from recdemo.figures.embedding import plotly_controls
from recdemo.figures.negatives import SHARES_SCALE, SHARES_TEXT, negatives_small_multiples
from recdemo.figures.style import (
    COLOR_NAMES,
)
from recdemo.metrics import METRICS
from recdemo.step_cost import StepCost
from recdemo.train import TrainConfig, train
from tests.colors import contrast, luminance


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


def test_the_negatives_shares_run_from_light_for_none_to_dark_for_all():
    """Spelled out for plotly.js too, whose own "Blues" runs the other way:
    in-group's full diagonal must read as full, its empty cells as empty.
    Every cell's number reads at 4.5:1 (a review: plotly's #444 on a middle
    blue, 3.5:1), and a full cell stands out from the page at 3:1."""
    shades = [luminance(color) for _, color in SHARES_SCALE]
    assert shades == sorted(shades, reverse=True) and shades[0] > 0.9
    assert contrast(SHARES_SCALE[-1][1], "#FFFFFF") >= 3
    # The darkest color is the one where black text reads least: each
    # channel falls from stop to stop, and the luminance with them.
    assert contrast(SHARES_TEXT["color"], SHARES_SCALE[-1][1]) >= 4.5
    data = make_dataset(DataConfig(groups=3, items_per_group=10, queries_per_group=20))
    run = train(data, TrainConfig(strategy="in-group", epochs=2))
    for fig in (figures.negatives_figure(data, run).to_dict(),
                negatives_small_multiples(data, {"in-group": run}).to_dict()):
        heatmaps = [trace for trace in fig["data"] if trace["type"] == "heatmap"]
        assert heatmaps and all(trace["colorscale"] == SHARES_SCALE
                                and trace["textfont"]["color"] == SHARES_TEXT["color"]
                                for trace in heatmaps)
