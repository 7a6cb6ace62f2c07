"""The settings of every page, run headless with Streamlit's AppTest: links
set the controls and survive page switches, bad values fall back with a
warning, the share box, Reset, the presenter view, the exercises' links."""

import json
from pathlib import Path
from urllib.parse import urlencode

import pytest
from streamlit.testing.v1 import AppTest

import ui
from recdemo.exercises import EXERCISES
from recdemo.figures import FONT
from recdemo.params import PARAMS
from tests.page_runs import (
    APP,
    PAGES,
    TIMEOUT,
    chart_spec,
    charts,
    no_exceptions,
    open_page,
)
from ui.navigation import page_file
from ui.settings_table import default_settings, link_params, parse_link_params

pytestmark = pytest.mark.slow  # every page run (AppTest), training its runs

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


def test_data_settings_are_shared_across_pages():
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.switch_page("pages/groups.py").run()
    at.slider(key="control_groups").set_value(3).run()
    at.switch_page("pages/train.py").run()
    assert no_exceptions(at)
    assert at.slider(key="control_groups").value == 3
    names = [t["name"] for t in chart_spec(at, "embedding_chart")["data"]]
    assert sum(name.endswith(" items") for name in names) == 3


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


def test_a_switch_can_be_removed_from_the_pages_body():
    """A review: in presenter view (no sidebar) a switch from a link stayed on
    every strategy clicked after it, in-group then separating on the projector."""
    at = open_page("pages/train.py", present="true", strategy="positives-only", switch_at=7)
    assert no_exceptions(at)
    button = at.button(key="no_switch")
    assert (button.label, button.help) == ("Remove the switch",
                                           "Train without the switch (then uniform after epoch 7).")
    button.click().run()
    assert no_exceptions(at) and "switch_at" not in at.query_params
    assert "no_switch" not in [b.key for b in at.button]
    assert at.query_params["strategy"] == "positives-only"
