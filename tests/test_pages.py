"""Every page run headless with Streamlit's AppTest (no browser)."""

import json
import re
from pathlib import Path
from urllib.parse import urlencode

import pytest
from streamlit.testing.v1 import AppTest

import ui
from recdemo import figures
from recdemo.exercises import EXERCISES
from recdemo.figures import FONT, PALETTE, array_values
from recdemo.figures.style import COLOR_NAMES
from recdemo.params import PARAMS
from recdemo.step_cost import MEMORY_TEXT
from recdemo.verdicts import VERDICTS
from tests.test_step_cost import formula_value
from ui.navigation import PAGES as NAVIGATION
from ui.navigation import page_file
from ui.settings_table import default_settings, link_params, parse_link_params

pytestmark = pytest.mark.slow  # every page run (AppTest), training its runs

APP = str(Path(__file__).resolve().parents[1] / "app.py")
PAGES = [page_file(path) for path, _, _ in NAVIGATION]  # every page of the app
TIMEOUT = 90  # pages that train several strategies take seconds on 2 cores


def open_page(page: str, timeout: float = TIMEOUT, **query) -> AppTest:
    """Open ``page`` the way a browser does: the link's query string, then the page."""
    at = AppTest.from_file(APP, default_timeout=timeout)
    at.query_params.update({name: str(value) for name, value in query.items()})
    at.switch_page(page)
    return at.run()


def no_exceptions(at: AppTest) -> bool:
    return not at.exception and not at.error


def metric_values(at: AppTest) -> dict[str, str]:
    """The Train page's numbers at the last epoch, as its chart shows them above
    the picture (the cards follow the epoch: ui/plot.js)."""
    cards = chart_data(at, "embedding_chart")["cards"]["cards"]
    return {card["label"]: card["values"][-1] for card in cards}


def charts(at: AppTest) -> list:
    """The page's charts (ui/plot.py: a Streamlit component drawing plotly)."""
    return [c for c in at.get("bidi_component") if c.proto.component_name == "recdemo.plot"]


def chart_data(at: AppTest, key: str) -> dict:
    """What the chart ``key`` sends the browser (JSON in bytes, ui/plot.py): the
    figure, the config..."""
    found = [c for c in charts(at) if key in c.proto.id]
    assert len(found) == 1, f"expected one chart {key}"
    return json.loads(found[0].proto.bytes)


def chart_spec(at: AppTest, key: str) -> dict:
    return chart_data(at, key)["figure"]


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_without_exception(page):
    at = open_page(page)
    assert no_exceptions(at), [e.message for e in at.exception] + [e.value for e in at.error]
    if page != page_file("exercises"):  # questions and links only
        assert charts(at), "every page but the exercises shows a chart"


@pytest.mark.parametrize("page", PAGES)
def test_every_chart_has_a_text_alternative_with_its_numbers(page):
    """What a screen reader gets for each chart (ui/plot.js puts it in the
    page and points the chart's aria-describedby at it): some words and the
    chart's main numbers. Pages that train every strategy get time for it."""
    at = open_page(page, timeout=600, epochs=5, largest_corpus=10_000)
    assert no_exceptions(at), [e.message for e in at.exception] + [e.value for e in at.error]
    alts = {chart.proto.id: json.loads(chart.proto.bytes)["alt"] for chart in charts(at)}
    assert alts or page == page_file("exercises")
    for key, alt in alts.items():
        assert alt and len(alt.split()) >= 10, (key, alt)
        assert re.search(r"\d", alt), (key, alt)


@pytest.mark.parametrize("number", range(1, len(EXERCISES) + 1))
def test_every_exercise_opens_its_view_with_its_settings(number):
    exercise = EXERCISES[number - 1]
    at = open_page(page_file("exercises"), exercise=number)
    assert at.header[0].value == f"{number}. {exercise.title}"
    assert any(exercise.question in m.value for m in at.markdown)
    page = "mf" if exercise.runs[0].get("strategy") == "wals" else "train"
    shared, opened = at.code[0].value, link_button(at, "Open this view").url
    assert shared.split("?")[0].endswith(f"/{page}"), "the page that trains its model"
    assert opened.split("?")[0] == f"/{page}", "where this browser is, whatever address is shared"
    for link in (shared, opened):
        assert parse_link_params(dict(pair.split("=") for pair in link.split("?")[1].split("&"))
                                 ) == (default_settings() | exercise.settings, [])
    # A link to a new tab: this session and its address keep the exercise, and
    # the other pages their settings.
    assert dict(at.query_params) == link_params(default_settings() | {"exercise": number})


def test_an_exercise_says_which_of_your_settings_it_does_not_use():
    """A review's links, /exercises?exercise=4&seed=11&groups=3: the answer
    gave seed 0's numbers, and nothing said the link's seed and groups were not used."""
    at = open_page(page_file("exercises"), exercise=4, seed=11, groups=3)
    assert no_exceptions(at)
    assert ("The view and the answer use the default settings with this exercise's own, not "
            "your groups and seed.") in [c.value for c in at.caption]
    # Its own settings are used: a link that sets them as it does is not told otherwise.
    at = open_page(page_file("exercises"), exercise=4, strategy="positives-only", gravity=1)
    assert no_exceptions(at)
    assert not any("not your" in c.value for c in at.caption)


def test_the_exercise_stays_in_the_exercises_address():
    """The session keeps the exercise a student was on, but only the Exercises
    page's address and links carry it: the Lesson's address written with
    exercise=5 was a second history entry, where Back sometimes landed."""
    at = open_page(page_file("exercises"), exercise=5, seed=7)
    assert dict(at.query_params) == {"exercise": "5", "seed": "7"}
    for page in (page_file("lesson"), page_file("train")):
        at.switch_page(page).run()
        assert no_exceptions(at)
        assert dict(at.query_params) == {"seed": "7"}, page
        shared = [code.value for code in at.sidebar.code]
        assert shared and not [link for link in shared if "exercise" in link], shared
    at.switch_page(page_file("exercises")).run()
    assert at.header[0].value == f"5. {EXERCISES[4].title}"
    assert dict(at.query_params) == {"exercise": "5", "seed": "7"}


def link_button(at: AppTest, label: str):
    """The proto of the link button ``label`` (its url, its label)."""
    found = [button.proto for button in at.get("link_button") if button.proto.label == label]
    assert len(found) == 1, [button.proto.label for button in at.get("link_button")]
    return found[0]


def test_an_exercise_opens_its_view_in_the_presenters_view_for_a_presenter():
    at = open_page(page_file("exercises"), exercise=4, present="true", hide="query")
    assert no_exceptions(at)
    opened = link_button(at, "Open this view").url
    assert opened == "/train?" + urlencode(link_params(
        default_settings() | EXERCISES[3].settings | {"present": True, "hide": ("query",)}))
    assert "present" not in at.code[0].value, "the link for students has no presenter view"


def test_switching_strategy_changes_the_metrics():
    at = open_page("pages/train.py")
    uniform = metric_values(at)
    at.radio(key="control_strategy").set_value("positives-only").run()
    folded = metric_values(at)
    assert no_exceptions(at)
    assert uniform.keys() == folded.keys() and len(uniform) == 4
    assert uniform != folded
    spurious = next(label for label in uniform if label.startswith("spurious"))
    assert float(folded[spurious]) > 2 * float(uniform[spurious])
    assert at.query_params["strategy"] == "positives-only", "the URL follows the control"


def test_train_chart_has_squares_circles_and_one_color_per_group():
    groups = 4
    at = open_page("pages/train.py", groups=groups)
    spec = chart_spec(at, "embedding_chart")
    # Traces 0, 2, 4... are each group's queries (named by the color alone in the
    # legend), 1, 3, 5... its items.
    markers = [(t["name"], t["marker"]["symbol"], t["marker"]["color"])
               for t in spec["data"][:2 * groups]]
    query_traces, item_traces = markers[0::2], markers[1::2]
    assert [name for name, _, _ in query_traces] == list(COLOR_NAMES[:groups])
    assert all(name.endswith(" items") for name, _, _ in item_traces)
    assert len(query_traces) == len(item_traces) == groups
    assert {symbol for _, symbol, _ in query_traces} == {"square"}
    assert {symbol for _, symbol, _ in item_traces} == {"circle"}
    colors = [color for _, _, color in query_traces]
    assert len(set(colors)) == groups and set(colors) <= set(PALETTE)
    assert [color for _, _, color in item_traces] == colors
    # One animation frame per epoch plus the initial embeddings, same traces in each.
    assert len(spec["frames"]) == PARAMS["epochs"].default + 1
    assert all(len(f["data"]) == len(spec["data"]) for f in spec["frames"])
    assert "scene" in spec["layout"], "3D by default: the most faithful picture"
    caption = spec["layout"]["annotations"][0]["text"].replace("<br>", " ")
    assert caption.startswith("Squares: queries, circles: items. PCA 3D (")
    assert "of the variance" in caption


def test_url_parameters_set_the_controls():
    at = open_page("pages/train.py", strategy="hard", groups=3, leak=0.1, epochs=5, seed=7)
    assert no_exceptions(at)
    assert at.radio(key="control_strategy").value == "hard"
    assert at.slider(key="control_groups").value == 3
    assert at.slider(key="control_leak").value == pytest.approx(0.1)
    assert at.slider(key="control_epochs").value == 5
    assert at.number_input(key="control_seed").value == 7
    assert len(chart_spec(at, "embedding_chart")["frames"]) == 6
    assert not at.warning


@pytest.mark.parametrize("name, bad", [("groups", "99"), ("leak", "lots"), ("strategy", "magic")])
def test_bad_url_parameter_warns_and_falls_back_to_default(name, bad):
    at = open_page("pages/train.py", **{name: bad})
    assert no_exceptions(at)
    warnings = [w.value for w in at.warning]
    assert any(name in w and PARAMS[name].allowed() in w for w in warnings), warnings
    assert {w.icon for w in at.warning} == {":material/warning:"}, "not an emoji: see below"
    assert charts(at), "the page still draws"
    widget = at.radio if name == "strategy" else at.slider
    assert widget(key=f"control_{name}").value == PARAMS[name].default


def test_query_inspector_lists_k_items_and_follows_the_pick():
    at = open_page("pages/train.py", k=7)
    table = at.dataframe[0].value
    assert list(table.columns) == ["rank", "item", "group", "spurious"]
    assert list(table["rank"]) == [f"#{rank}" for rank in range(1, 8)]
    at.selectbox(key="control_query").set_value(12).run()
    assert no_exceptions(at)
    assert at.query_params["query"] == "12"
    highlighted = [t for t in chart_spec(at, "embedding_chart")["data"]
                   if t["name"] == "selected query"]
    assert highlighted and array_values(highlighted[0]["customdata"]) == [12]


def test_data_settings_are_shared_across_pages():
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.switch_page("pages/groups.py").run()
    at.slider(key="control_groups").set_value(3).run()
    at.switch_page("pages/train.py").run()
    assert no_exceptions(at)
    assert at.slider(key="control_groups").value == 3
    names = [t["name"] for t in chart_spec(at, "embedding_chart")["data"]]
    assert sum(name.endswith(" items") for name in names) == 3


def test_divergence_explains_and_keeps_the_last_good_picture():
    at = open_page("pages/train.py", epochs=3)
    good = chart_spec(at, "embedding_chart")
    at.number_input(key="control_learning_rate").set_value(10.0).run()
    assert not at.exception
    assert any("learning_rate" in e.value for e in at.error), [e.value for e in at.error]
    # A Material icon, drawn from Streamlit's own font: an emoji (🚫) was a
    # blank box on a machine without an emoji font.
    assert {e.icon for e in at.error} == {":material/block:"}
    assert chart_spec(at, "embedding_chart")["data"] == good["data"], "last good picture stays"
    assert at.number_input(key="control_learning_rate").value == 10.0, "settings are kept"


def test_the_last_good_runs_downloads_carry_its_own_link_and_settings(monkeypatch):
    """Where Train shows the last run that trained, its downloads (the metrics
    and the chart as HTML) open that run, not the settings that diverged."""
    import ui.charts
    made = []

    def record(make, source, weakly=True):
        made.append((make, source))
        return lambda: make(source)
    monkeypatch.setattr(ui.charts, "_made_on_click", record)
    at = open_page("pages/train.py", epochs=3)
    at.number_input(key="control_learning_rate").set_value(10.0).run()
    assert any("learning_rate" in e.value for e in at.error), "the run diverged"
    files = [make(source) for make, source in made[-3:]]  # this page run's
    assert len(files) == 3 and all("epochs=3" in file for file in files), files
    assert not any("learning_rate=10" in file for file in files), "the link of the run shown"
    assert '"learning_rate": 0.06' in files[-1], "the JSON's settings are the run's"
    assert "<th>learning_rate</th><td>0.06</td>" in files[0], "the chart's settings too"
    assert "<th>unobserved_weight</th>" not in files[0], "no setting of MF's on Train"


def pinned(table) -> list[str]:
    """The columns of an st.dataframe that stay in place when it scrolls sideways."""
    return [name for name, config in json.loads(table.proto.columns).items()
            if config.get("pinned")]


def test_compare_page_shows_every_strategy():
    at = open_page("pages/compare.py", epochs=5)
    assert no_exceptions(at)
    table = at.dataframe[0].value
    strategies = list(PARAMS["strategy"].choices)
    assert list(table["strategy"]) == [f"{name}, epochs 5" for name in strategies] + [
        "the oracle", "a random ranking"]
    assert set(table["verdict"][:len(strategies)]) <= set(VERDICTS)
    assert "final_loss" not in table.columns, "losses of different kinds are not compared"
    assert pinned(at.dataframe[0]) == pinned(at.dataframe[1]) == ["strategy"], (
        "on a phone the numbers scroll sideways beside the strategy")
    bars = chart_spec(at, "metric_bars")
    assert len(bars["data"]) == 4, "one panel per metric"
    references = ["the oracle", "a random ranking"]
    shown = len(strategies)
    assert all(figures.array_values(t["y"])[:shown] == strategies for t in bars["data"])
    assert [figures.array_values(t["y"])[shown:] for t in bars["data"]] == [references] * 3 + [[]]
    colors = {color for t in bars["data"] for color in t["marker"]["color"]}
    assert not colors & set(PALETTE), "no strategy wears a group's color"


def test_train_says_top_20_where_k_is_past_every_item():
    """A review's link: k 30 of 20 items. The line over the 20-row table said
    "Top 30"; full's negatives chart said "each query group's the push"."""
    at = open_page("pages/train.py", strategy="full", groups=2, items_per_group=10, k=30,
                   epochs=2)
    assert no_exceptions(at)
    assert any(m.value.startswith("**Top 20** of query 0 (blue; every item: k = 30 is more "
                                  "than the 20 items) after training") for m in at.markdown)
    alt = chart_data(at, "embedding_chart")["alt"]
    assert "top 20 items" in alt and "top 30" not in alt  # a review's link said 50 of 20
    headings = [a["text"].replace("<br>", " ")
                for a in chart_spec(at, "negatives_chart")["layout"]["annotations"]]
    assert "Share of each query group's push (softmax weight)" in headings
    # The picture's captions and legend count the 20 items there are, as the table does.
    picture = json.dumps(chart_spec(at, "embedding_chart")).replace("<br>", " ")
    assert "query's 20 nearest items here" in picture and "top 20 by score" in picture
    assert "its top 20" in picture and not re.search(r"(top|its|query's) 30\b", picture)


def test_the_lesson_counts_the_items_there_are_where_k_is_past_them():
    """A review's link: k 50 of 20 items; the caption said "a query's 50
    nearest items" and each picture "50 nearest"."""
    at = open_page(page_file(""), groups=2, items_per_group=10, k=50, epochs=2)
    assert no_exceptions(at)
    assert "a query's 20 nearest items *in the picture* that come" in said(at)
    picture = json.dumps(chart_spec(at, "lesson_side_by_side")).replace("<br>", " ")
    assert "20 nearest: " in picture and "top 20)" in picture and "50 nearest" not in picture


def test_compare_where_the_positives_fill_a_group():
    """A review's link: with 10 items a group and 10 positives a query, a
    query's own group holds nothing but its positives. The sampled protocol
    raised IndexError there; now those queries have no own-group negatives,
    and where no query has any the table says "–" and no sentence reads it."""
    at = open_page("pages/compare.py", items_per_group=10, positives=10, epochs=2, leak=0.0)
    assert no_exceptions(at)
    protocols = at.dataframe[1].value
    assert "within_group_recall_at_k" not in protocols.columns, "left out, as the caption says"
    assert not [m.value for m in at.markdown if m.value.startswith("Sampled from the query's")]
    assert protocols["own_group_sampled_recall_at_k"].isna().all()
    assert any(c.value.startswith("–: no test query's group has an item that is not one of its "
                                  "positives") for c in at.caption)
    # Every ranking scores within-group recall alike here: left out of the bars too.
    assert any(c.value.startswith("Within-group recall@10 is left out") for c in at.caption)
    titles = [a["text"] for a in chart_spec(at, "metric_bars")["layout"]["annotations"]]
    assert not any("within-group" in title for title in titles)


def test_compare_where_no_run_can_fold_or_separate():
    """A review's link: k 30 of 20 items. No verdict sentence calls a run "in
    between" (in-group's AUC 0.34 is no such thing); in-group's protocol
    sentence does not say it folds; the sampled table leaves out the
    within-group recall the caption leaves out; the corpus is said to be
    smaller than the 100 drawn; the bars' text and the table agree."""
    at = open_page("pages/compare.py", groups=2, items_per_group=10, k=30, epochs=2)
    assert no_exceptions(at)
    text = said(at)
    assert "in between" not in text
    assert "On this data no run can fold or separate" in text
    assert "cannot see folding" not in text
    assert "and on this data no run can fold or separate." in text
    assert "Here the whole corpus has only 20 items, fewer than the 100 drawn." in text
    assert "within_group_recall_at_k" not in at.dataframe[1].value.columns
    assert "(tied) (" not in text


def test_compare_shows_one_value_for_one_number():
    """A review's link: full's spurious@10 is 0.015000000000000013; the table
    said 0.02 and the bars' text 0.01 (rounded twice)."""
    at = open_page("pages/compare.py", groups=2, seed=77, epochs=3)
    assert no_exceptions(at)
    table = at.dataframe[0].value
    full = table[table["strategy"] == "full, epochs 3"]["spurious_at_k"].iloc[0]
    alt = chart_data(at, "metric_bars")["alt"]
    lowest = alt.split("spurious@10: lowest ")[1].split(",")[0]
    assert lowest.endswith(f"{full:.2f}"), (lowest, full)


def test_why_sample_at_a_million_items_writes_no_exponent():
    at = open_page("pages/why-sample.py", largest_corpus=1_000_000, timeout=600)
    assert no_exceptions(at)
    text = said(at) + chart_data(at, "step_costs")["alt"]
    assert "e+0" not in text
    assert not any("e+0" in cell for cell in at.dataframe[0].value["spread"])


def test_presenter_link_hides_the_sidebar_and_chosen_controls():
    at = open_page("pages/train.py", present="true", hide="strategy,query", strategy="hard")
    assert no_exceptions(at)
    assert not at.sidebar.slider and not at.sidebar.number_input, "no sidebar controls"
    assert not [r for r in at.radio if r.key == "control_strategy"], "strategy hidden"
    assert not at.selectbox, "query picker hidden"
    assert "hard" in chart_spec(at, "embedding_chart")["layout"]["title"]["text"]
    assert at.query_params["present"] == "true", "the presenter link stays in the URL"
    for key in ("embedding_chart", "curves"):  # larger type in the charts too
        assert chart_spec(at, key)["layout"]["font"]["size"] == ui.PRESENTER_FONT_SIZE
    at = open_page("pages/train.py", strategy="hard")  # the same, shared, figure
    assert chart_spec(at, "embedding_chart")["layout"]["font"] == FONT


@pytest.mark.parametrize("page", PAGES)
def test_every_page_in_presenter_view(page):
    """No sidebar, so no word of one; every chart in the presenter's type, the
    main one (the first) no taller than a projector's first screen holds
    (tests/test_browser.py checks that on the screen itself)."""
    at = open_page(page, present="true")
    assert no_exceptions(at), [e.message for e in at.exception] + [e.value for e in at.error]
    assert not at.sidebar.children, "no sidebar"
    texts = [element.value for kind in ("markdown", "caption", "info", "warning", "header",
                                        "subheader", "title")
             for element in at.get(kind)]
    assert texts and not [text for text in texts if "sidebar" in text.lower()]
    layouts = [json.loads(chart.proto.bytes)["figure"]["layout"]
               for chart in charts(at)]
    if page != page_file("exercises"):  # under its panels, a legend and captions may follow
        assert layouts[0]["height"] - (layouts[0]["margin"]["b"] if page == page_file("train")
                                       else 0) <= ui.PRESENTER_PICTURE_HEIGHT
    assert {layout["font"]["size"] for layout in layouts} <= {ui.PRESENTER_FONT_SIZE}


def test_no_exercise_points_to_a_sidebar():
    """The Exercises page shows them in presenter view too, which has none."""
    assert not [e.title for e in EXERCISES if "sidebar" in e.question]


def test_every_page_offers_its_share_links():
    for page in PAGES:
        at = open_page(page, strategy="hard")
        codes = [c.value for c in at.sidebar.code]
        assert any("strategy=hard" in c and "present" not in c for c in codes), codes
        assert any("strategy=hard" in c and "present=true" in c for c in codes), codes


def test_train_page_offers_chart_and_metric_downloads():
    at = open_page("pages/train.py")
    labels = [b.label for b in at.get("download_button")]
    assert {"Chart as interactive HTML", "Metrics per epoch (CSV)",
            "Metrics per epoch (JSON)"} <= set(labels), labels
    toolbar = chart_data(at, "embedding_chart")["config"]
    assert toolbar["toImageButtonOptions"]["format"] == "png"


@pytest.mark.parametrize("page", PAGES)
def test_a_diverging_link_explains_itself_on_every_page(page):
    at = open_page(page, learning_rate=10.0)
    assert not at.exception
    # Groups and Exercises train nothing; Why sample? times steps, whatever they learn.
    if page not in (page_file("groups"), page_file("why-sample"), page_file("exercises")):
        assert any("learning_rate" in e.value for e in at.error), [e.value for e in at.error]


def test_a_run_too_large_for_the_server_is_refused_with_what_to_change():
    at = open_page("pages/train.py", groups=8, queries_per_group=300, epochs=40,
                   batch_size=32)
    assert not at.exception
    assert any("batch_size" in e.value and "epochs" in e.value for e in at.error)


@pytest.mark.parametrize("page", PAGES)
def test_nothing_keeps_a_pages_variables_after_its_run(page):
    """Streamlit keeps a widget's callback and format function while the tab is
    open. A function defined in a page would keep every variable of that page
    with it (its runs and figures: 23 MB per open tab at the largest sizes), so
    the page's namespace must be gone once its run is over."""
    import gc

    path = str(Path(APP).parent / page)

    def namespaces() -> set[int]:
        gc.collect()
        return {id(d) for d in gc.get_objects()
                if isinstance(d, dict) and d.get("__file__") == path}

    before = namespaces()  # earlier tests' AppTests may still hold theirs
    at = open_page(page)
    assert no_exceptions(at)
    assert not namespaces() - before, \
        f"something keeps {page}'s variables alive (a function defined in it?)"


def test_reset_puts_every_setting_back_but_keeps_the_presenter_choices():
    at = open_page("pages/train.py", strategy="hard", groups=4, hide="query")
    reset = next(b for b in at.sidebar.button if "Reset" in b.label)
    reset.click().run()
    assert no_exceptions(at)
    assert at.radio(key="control_strategy").value == PARAMS["strategy"].default
    assert at.slider(key="control_groups").value == PARAMS["groups"].default
    assert dict(at.query_params) == {"hide": "query"}, "the link keeps only its hidden control"


def test_share_links_use_the_servers_address_when_the_teacher_gives_one():
    """A teacher's own browser may show localhost; students need the address
    the server was started with (--browser.serverAddress)."""
    from streamlit import config

    try:
        config.set_option("browser.serverAddress", "class.example", where_defined="test")
        at = open_page("pages/train.py", strategy="hard")
        codes = [c.value for c in at.sidebar.code]
        assert codes and all(c.startswith("http://class.example:8501") for c in codes), codes
    finally:
        config.set_option("browser.serverAddress", "localhost",
                          where_defined=config.ConfigOption.DEFAULT_DEFINITION)


@pytest.mark.parametrize("address", ["localhost", "127.0.0.1", "0.0.0.0"])
def test_share_box_warns_when_its_links_carry_an_address_students_cannot_reach(address):
    """Started with --browser.serverAddress localhost (or 127.x, 0.0.0.0), every
    share link opens nothing on a student's machine: the share box, and the
    exercise's link, say so and how to fix it."""
    from streamlit import config

    try:
        config.set_option("browser.serverAddress", address, where_defined="test")
        for page in (page_file("train"), page_file("exercises")):
            at = open_page(page)
            assert no_exceptions(at)
            warned = [w.value for w in at.sidebar.warning
                      if "Students cannot open these links" in w.value]
            assert len(warned) == 1 and f"`{address}`" in warned[0], warned
            assert "--browser.serverAddress" in warned[0]
        main = [w.value for w in at.main.warning if "Students cannot open" in w.value]
        assert len(main) == 1, "beside the exercise's link too"
        # and the link's caption does not promise what the warning denies
        assert not [c for c in at.main.caption if "on any machine of the class" in c.value]
        config.set_option("browser.serverAddress", "class.example", where_defined="test")
        at = open_page(page_file("exercises"))
        assert not [w for w in at.warning if "Students cannot open" in w.value]
        assert [c for c in at.main.caption if "on any machine of the class" in c.value]
    finally:
        config.set_option("browser.serverAddress", "localhost",
                          where_defined=config.ConfigOption.DEFAULT_DEFINITION)


def test_mf_page_measures_the_sources_table_and_follows_w0():
    at = open_page("pages/mf.py")
    assert no_exceptions(at)
    tables = at.get("table")
    assert len(tables) == 2, "the source's table and the two stages"
    spec = chart_spec(at, "mf_side_by_side")
    titles = [a["text"] for a in spec["layout"]["annotations"]]
    assert any(t.startswith("<b>wals</b>") for t in titles), titles
    separated = float(next(t for t in titles if t.startswith("<b>wals")).split("= ")[1][:4])
    at.slider(key="control_unobserved_weight").set_value(0.0).run()
    assert no_exceptions(at)
    assert at.query_params["unobserved_weight"] == "0.0"
    titles = [a["text"] for a in chart_spec(at, "mf_side_by_side")["layout"]["annotations"]]
    folded = next(t for t in titles if t.startswith("<b>wals, unobserved weight 0</b>"))
    assert float(folded.split("= ")[1][:4]) >= 3 * separated, "observed-only MF folds at d = 4"


def test_why_sample_measures_every_strategy_at_every_size_asked_for():
    from recdemo.params import COST_STRATEGIES

    at = open_page("pages/why-sample.py", largest_corpus=10_000)
    assert no_exceptions(at)
    spec = chart_spec(at, "step_costs")
    assert [t["name"] for t in spec["data"]] == list(COST_STRATEGIES)
    assert all(array_values(t["x"]) == [1_000, 10_000] for t in spec["data"])
    assert spec["layout"]["xaxis"]["type"] == spec["layout"]["yaxis"]["type"] == "log"
    table = at.dataframe[0].value
    assert len(table) == 2 * len(COST_STRATEGIES) and set(table["items"]) == {"1,000", "10,000"}
    assert (table[table["strategy"] == "uniform"]["× uniform"] == 1.0).all()
    # Memory in two parts, as the caption defines them: the table every strategy keeps,
    # and the step's own (peak memory alone read as if uniform cost full's memory).
    assert "peak MiB" not in table and (table["kept MiB"] > table["step MiB"] / 100).all()
    assert MEMORY_TEXT in said(at)
    # A review: "nothing of size n is read or written" beside uniform measured 2.4
    # times as long at 10 times the items, and no word of why.
    assert "less often in the processor's cache, so their step can still take longer" in said(at)
    assert pinned(at.dataframe[0]) == ["strategy", "items"], "a row's name stays on a phone"
    assert at.query_params["largest_corpus"] == "10000"


def test_why_samples_caption_gives_every_rows_gflop():
    """The caption's own formulas, with the values it states, give each row's
    GFLOP: the tower's for every step, plus the one after the row's strategy
    (a review found "about 8Bnd, 6B(P+K)d", which gave none of the sampled rows)."""
    at = open_page("pages/why-sample.py", largest_corpus=10_000)
    assert no_exceptions(at)
    (caption,) = [c.value for c in at.caption if "GFLOP counts" in c.value]
    values = {name: int(value.replace(",", ""))
              for name, value in re.findall(r"\$(\w)\$ = ([\d,]+)", caption)}
    assert set(values) == {"B", "d", "P", "K", "F", "h"}, values
    tower = re.search(r"forward and backward, \$([^$]+)\$", caption).group(1)
    formulas = {name: formula
                for names, formula in re.findall(
                    r"((?:\*\*[\w-]+\*\*(?:, )?)+): [^;]*?\$([^$]+)\$(?=;|\. )", caption)
                for name in re.findall(r"\*\*([\w-]+)\*\*", names)}
    table = at.dataframe[0].value
    assert set(formulas) == set(table["strategy"]), formulas
    for row in table.itertuples():
        n_items = int(row.items.replace(",", ""))
        flops = formula_value(f"{tower} + {formulas[row.strategy]}", n=n_items, **values)
        assert table.loc[row.Index, "GFLOP per step"] == pytest.approx(flops / 1e9), row


def test_why_sample_names_its_model_and_its_alt_says_what_its_text_says():
    """A review's link: the text called the cost command's model "the page's
    usual model", said nothing of the link's dim, batch_size and negatives it
    ignores, and its chart's alt gave hard a growth factor where the text said
    "no change beyond the spread of the repeats"."""
    at = open_page("pages/why-sample.py", largest_corpus=10_000, batch_size=32, negatives=1,
                   dim=2)
    assert no_exceptions(at)
    text = said(at)
    assert "usual model" not in text
    assert "a model of its own, the defaults of `python -m recdemo cost` (dimension 32, 256 " \
        "queries per batch, 20 negatives)" in text
    assert "This page ignores the dim, batch_size and negatives of a link" in text
    alt = chart_data(at, "step_costs")["alt"]
    claimed = [line.removeprefix("- ").replace("**", "") for line in text.splitlines()
               if line.startswith("- **") and " ms (" in line]
    assert len(claimed) == 5 and all(claim in alt for claim in claimed), (claimed, alt)


# What the pages say about outcomes comes from the runs (recdemo/claims.py) ----------

def said(at: AppTest) -> str:
    return "\n".join(element.value for kind in ("markdown", "caption", "warning")
                     for element in at.get(kind))


def test_the_lesson_says_what_each_run_did_on_a_link_a_review_tried():
    at = open_page(page_file(""), groups=4, seed=11)
    assert no_exceptions(at)
    text = said(at)
    for strategy in ("positives-only", "in-group", "uniform"):
        assert f"**{strategy}** " in text or f"**Here {strategy} does not" in text
    assert "every query gets the same few items" not in text
    assert "six separated groups" not in text


def test_train_says_what_gravity_did_against_the_same_run_without_it():
    at = open_page("pages/train.py", strategy="positives-only", gravity=10.0, groups=8, seed=3)
    assert no_exceptions(at)
    (line,) = [m.value for m in at.markdown if m.value.startswith("With gravity 10, spurious")]
    assert "(no gravity, same data and seed)" in line
    assert "learns little" not in said(at)


def test_a_switched_run_credits_its_switch_not_gravity():
    """A review's link: gravity 10 for one epoch, then uniform. Gravity's
    sentence (against the same run without gravity) would credit gravity with
    what the switch did; the switch's sentence names the gravity before it."""
    at = open_page("pages/train.py", strategy="positives-only", gravity=10.0, switch_at=1,
                   switch_to="uniform", seed=999, epochs=4)
    assert no_exceptions(at)
    text = said(at)
    assert "With gravity 10, spurious" not in text
    assert "After 1 epoch of positives-only with gravity 10, spurious@10" in text
    assert "Then 3 epochs of uniform" in text


def test_the_lesson_names_its_runs_gravity():
    at = open_page(page_file(""), gravity=1.0, seed=3, epochs=4)
    assert no_exceptions(at)
    text = said(at)
    for strategy in ("positives-only", "in-group", "uniform"):
        assert f"{strategy} (gravity 1, epochs 4)** " in text, strategy
    assert "Here, against uniform on the same data (both with gravity 1, which pulls" in text


def test_the_lesson_at_one_epoch_and_k_1():
    """A review's links: section 7 was left empty at 1 epoch (no half to switch
    at), and "1 nearest item ... that come", "no more than 1 items"."""
    at = open_page(page_file(""), k=1, epochs=1, seed=2024)
    assert no_exceptions(at)
    text = said(at)
    assert "a query's 1 nearest item *in the picture* that comes from other groups" in text
    assert "no more than 1 item:" in text and "1 items" not in text
    assert "With 1 epoch there is no half to switch at" in text


def test_the_lesson_where_no_run_trains_names_each_and_says_so():
    """A review's link: three identical errors, none naming its run, under
    "Above, the same data trained three ways" and no picture."""
    at = open_page(page_file(""), learning_rate=10.0, seed=7)
    assert not at.exception
    errors = [e.value for e in at.error]
    for strategy in ("positives-only", "in-group", "uniform"):
        assert any(e.startswith(f"**{strategy}**: Training diverged") for e in errors), errors
    text = said(at)
    assert "Here no run trained on these settings" in text
    assert "Above, the same data trained three ways" not in text
    assert "in the pictures above" not in text


def test_a_mistyped_setting_in_a_link_is_named_not_rendered():
    at = open_page(page_file("groups"), presenter="1")
    assert no_exceptions(at)
    assert any(w.value.startswith("Link parameter ignored: recdemo has no setting of that name "
                                  "(did you mean present?).") for w in at.warning)
    assert "presenter" in [c.value for c in at.code]


def test_the_groups_page_never_shows_a_leak_of_0_percent_that_is_not():
    at = open_page(page_file("groups"), leak=0.0002, queries_per_group=300, positives=10,
                   groups=8, seed=4242, present="true")
    assert no_exceptions(at)
    assert "over 99.9% of the positives are from the query's own group, under 0.1% leak" \
        in said(at)
    assert [m.value for m in at.metric if m.label == "positives leaking"] == ["under 0.1%"]


def test_the_groups_page_writes_counts_with_separators_and_no_leak_where_there_is_none():
    """Reviews' links: "**2400 training queries**" where Why sample? writes
    1,000; and at leak=0 a caption on "the dots off the diagonal"."""
    at = open_page(page_file("groups"), present="true", groups=8, queries_per_group=300,
                   positives=1, leak=0.0005, seed=97)
    assert no_exceptions(at)
    assert "**2,400 training queries** (plus 240 held-out test queries)" in said(at)
    assert [m.value for m in at.metric if m.label == "training queries"] == ["2,400"]
    at = open_page(page_file("groups"), leak=0, positives=1)
    assert no_exceptions(at)
    assert "off the diagonal are the leak" not in said(at)
    assert "no dot is off the diagonal: none of the interactions drawn leaks." in said(at)


def test_a_run_too_large_says_so_in_sentences():
    at = open_page("pages/train.py", switch_at=20)
    assert no_exceptions(at) or at.error
    (error,) = [e.value for e in at.error if "switch_at" in e.value]
    assert "; got 20. There is nothing earlier to show instead." in error
    assert error.startswith("switch_at must be 0")


def test_train_warns_before_and_explains_after_where_the_sweep_says_it_fails():
    at = open_page("pages/train.py", strategy="uniform", l2=0.1)
    assert no_exceptions(at)
    assert any("the lesson did not hold there" in w.value and "l2 0.1" in w.value
               for w in at.warning)
    assert any(m.value.startswith("**Here uniform (l2 0.1) does not separate")
               for m in at.markdown)


def test_a_metric_that_means_nothing_is_left_out_with_the_reason():
    at = open_page("pages/train.py", items_per_group=10)
    assert no_exceptions(at)
    assert metric_values(at)["within-group recall@10"] == "–"
    assert any("Within-group recall@10 is left out" in c.value for c in at.caption)


def test_the_mf_tables_leave_out_a_recall_any_model_would_score_1_on():
    """With k = 10 and 10 items a group, within-group recall@10 is 1.00 for
    any ranking: neither table shows it, and the caption says why."""
    at = open_page("pages/mf.py", items_per_group=10, queries_per_group=20)
    assert no_exceptions(at)
    cells = " ".join(str(v) for table in at.table for row in table.value.to_dict("records")
                     for v in row.values())
    assert "spurious@10" in cells and "within-group recall" not in cells
    assert any(c.value.startswith("Within-group recall@10 is left out") for c in at.caption)


def test_the_mf_pictures_caption_says_which_panel_it_is_about():
    """A review's link, /mf?cold_start=average&positives=1&seed=11: "new to
    matrix factorization: embedded by average" under two panels, one of them
    the softmax model's, which embeds no query by fold-in or average."""
    at = open_page("pages/mf.py", cold_start="average", positives=1, seed=11,
                   queries_per_group=20)
    assert no_exceptions(at)
    cells = " ".join(str(v) for table in at.table for row in table.value.to_dict("records")
                     for v in row.values())
    average = "the average of the 10 training queries with the most similar features"
    assert average.removeprefix("the ") in cells
    assert ("Both panels show the same 180 held-out test queries. In the wals panel they are "
            f"new to matrix factorization, embedded by {average}; in the positives-only panel "
            "the softmax model puts their features through its query tower."
            in [c.value for c in at.caption])


def test_the_mf_page_says_whether_two_stages_separate_on_its_own_data():
    at = open_page("pages/mf.py", groups=8)
    assert no_exceptions(at)
    assert "Folding is fine" not in said(at)
    assert any(f"On this data, {answer}" in said(at) for answer in (
        "yes", "no", "its top 10 says yes and its whole ranking no"))


def test_the_mf_page_falls_back_to_the_last_runs_with_their_own_data():
    """A review's session: MF at seed 7, then positives 1 on Train (a data
    setting every page shares), then MF again, where fold-in cannot train.
    The page shows the last runs that trained, and everything on it is of their
    data (positives 5): the verdicts' references, the picture, the tables. It
    drew positives 1's references beside them, then a traceback."""
    from recdemo.data import DataConfig, make_dataset
    from recdemo.mf import mf_references
    from recdemo.wording import fmt

    at = open_page("pages/mf.py", seed=7, epochs=5)
    assert no_exceptions(at)
    before = chart_spec(at, "mf_side_by_side")["data"]
    at.switch_page("pages/train.py").run()
    at.slider(key="control_positives").set_value(1).run()
    at.switch_page("pages/mf.py").run()
    assert not at.exception, [e.message for e in at.exception]
    (error,) = [e.value for e in at.error]
    assert "cold_start fold-in needs positives of at least 2" in error
    assert error.endswith("Everything below is of the last runs that trained. It is of the "
                          "settings it trained with: positives 5 (now 1)."), error
    old, new = (mf_references(make_dataset(DataConfig(seed=7, positives=positives)), 10)
                for positives in (5, 1))
    own = (f"against the data's own {fmt(old.oracle['spurious_at_k'])} and a random ranking's "
           f"{fmt(old.random['spurious_at_k'])}; cross-group AUC")
    assert fmt(old.oracle["spurious_at_k"]) != fmt(new.oracle["spurious_at_k"])
    verdicts = [m.value for m in at.markdown if m.value.startswith(("**wals", "**positives"))]
    assert len(verdicts) == 3 and all(own in v for v in verdicts), verdicts
    assert chart_spec(at, "mf_side_by_side")["data"] == before, "the last runs' picture"
    assert len(at.table) == 2
    assert any("2 of each test query's 5 positives are what it brings" in c.value
               for c in at.caption)


def test_the_mf_pages_gravity_is_positives_only_s_and_its_cells_follow_its_data():
    """Gravity trains positives-only with it; uniform and in-group, the two
    stages' references, train without it, whatever the control says. With one
    positive per query there is nothing to fold in: the table and its caption
    say so (cold start by average), and fold-in is refused with the reason."""
    def two_stage_rows(at):
        return at.table[1].value.to_dict("records")

    plain, heavy = open_page("pages/mf.py"), open_page("pages/mf.py", gravity=10.0)
    assert no_exceptions(plain) and no_exceptions(heavy)
    rows = [two_stage_rows(at) for at in (plain, heavy)]
    assert rows[0][0] == rows[1][0] and rows[0][2] == rows[1][2], "in-group and uniform"
    assert "half of each" not in " ".join(c.value for c in plain.caption)
    assert any("2 of each test query's 5 positives are what it brings" in c.value
               for c in plain.caption)

    one = open_page("pages/mf.py", positives=1, cold_start="average")
    assert no_exceptions(one)
    cells = " ".join(str(v) for row in one.table[0].value.to_dict("records")
                     for v in row.values())
    assert "fold-in: nothing to fold in" in cells
    assert "folded in" not in cells, "no fold-in is timed where there is nothing to fold in"
    table = " ".join(str(v) for row in heavy.table[0].value.to_dict("records")
                     for v in row.values())
    assert "positives-only (gravity 10): spurious@10" in table, "the run the cell is of"
    refused = open_page("pages/mf.py", positives=1)
    assert any("cold_start fold-in needs positives of at least 2" in e.value
               for e in refused.error)


def test_the_lesson_switches_only_the_negatives_in_folding_undone():
    """A review's link: a switch_gravity from a Train link went on into the
    lesson's section 7, whose switch is meant to change the negatives alone."""
    at = open_page(page_file(""), switch_gravity=2.0, epochs=4, seed=5)
    assert no_exceptions(at)
    text = said(at)
    assert "Then 2 epochs of uniform, from the same parameters" in text
    assert "with gravity 2" not in text
    at = open_page(page_file(""), gravity=0.5, switch_gravity=2.0, epochs=4, seed=5)
    text = said(at)
    assert "on the same data and with the same gravity (0.5):" in text
    assert "Then 2 epochs of uniform with gravity 0.5, from the same parameters" in text


def test_a_switch_to_in_batch_says_what_the_logq_correction_did():
    """A review's link: a run that switches to a logQ strategy read the
    correction after the switch, and the page said nothing of it."""
    at = open_page("pages/train.py", strategy="positives-only", switch_at=7,
                   switch_to="in-batch", seed=13)
    assert no_exceptions(at)
    assert ("With the logQ correction positives-only (then in-batch after epoch 7)'s "
            "within-group recall@10 is **") in said(at)


def test_the_lessons_caption_promises_no_gap_where_the_two_shares_cannot_differ():
    """A review's link, /?dim=2&hidden=4: "the same share in all 2 dimensions
    ...: the gap between the two", where each picture shows one share."""
    at = open_page(page_file(""), dim=2, hidden=4, epochs=3, seed=123457)
    assert no_exceptions(at)
    text = said(at)
    assert "with 2 dimensions the picture is the whole embedding" in text
    assert "in all 2 dimensions" not in text
    # A review's link, /?groups=2&items_per_group=10&k=50: "20 nearest" of 20
    # items, 50% in 2D and in 16D for any model, read as a projection that loses nothing.
    text = said(open_page(page_file(""), groups=2, items_per_group=10, k=50, epochs=2))
    assert "here they are all 20 items, so the share is the same for any model" in text
    assert "what the projection loses" not in text


def test_compares_table_gives_no_verdict_where_its_sentences_give_none():
    """A review's link, /compare?groups=2&items_per_group=10&k=50: the
    sentences said "no verdict on this data", the table "neither"."""
    at = open_page("pages/compare.py", groups=2, items_per_group=10, k=50, epochs=2)
    assert no_exceptions(at)
    assert "no verdict on this data" in said(at)
    assert at.dataframe[0].value["verdict"].isna().all()  # shown as "–"
