"""Hostile links and control sequences on every page, with AppTest.

A few hundred generated links (seeded: the same links on every run), each with
one to four bad values (out of range, wrong type, empty, nan/inf, 1e309, 5,000
digits, 100 kB, unicode digits, underscores, HTML, JavaScript, markdown, LaTeX,
Streamlit's color directives, `hide`/`present` junk, repeated keys) and often
unknown keys, spread over every page of the app. Each must open without an exception,
warn about every bad value by name, and show no value from the link in an
element that renders markdown: a value appears only in a plain-text element
(st.code), where it is shown as it is, shortened.

Every bad value falls back to its default, so after each page's first run the
training is cached and a link costs one cheap page run.
"""

from __future__ import annotations

import json
import random
import string
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from recdemo.params import SPACES, shortened
from ui.navigation import PAGES as NAVIGATION
from ui.navigation import page_file
from ui.settings_table import SETTINGS

pytestmark = pytest.mark.slow  # hundreds of links, each a page run (AppTest)

APP = str(Path(__file__).resolve().parents[1] / "app.py")
PAGES = [page_file(path) for path, _, _ in NAVIGATION]  # every page of the app
TIMEOUT = 90  # the first run of each page trains its runs on a busy 2-core machine
LINKS = 200
SEED = 9

# Text with a meaning to markdown, HTML, LaTeX or Streamlit's directives.
PAYLOADS = [
    "[click me](https://evil.example/phish)",
    "![t](https://evil.example/t.png)",
    '![t](https://evil.example/t.png "title")',
    "[x][1]\n\n[1]: https://evil.example/ref",
    "<https://evil.example/auto>",
    "https://evil.example/bare",
    "www.evil.example",
    "<img src=https://evil.example/i.png>",
    "<a href='https://evil.example/a'>x</a>",
    "<script>alert(1)</script>",
    "javascript:alert(1)",
    "**bold**", "__bold__", "*em*", "`code`", "~~strike~~", "# heading", "> quote",
    ":red[red]", ":blue-background[x]", ":material/warning:", ":smile:",
    "$x^2$", "$$\\int_0^1 x$$", "\\(x\\)",
    "| a | b |\n|---|---|\n| 1 | 2 |",
    "<!-- hidden -->", "&lt;b&gt;", "&#x3C;b>",
]
# Text that is no number, no flag, no name, on every parameter.
JUNK = [
    "abc", "nan", "NaN", "-nan", "inf", "-inf", "Infinity", "1e309", "-1e309", "1e99999",
    "0x10", "0b1", "1e", "e3", "--1", "+-1", ".", "-", "1.2.3", "1,5", "3 4", "None", "null",
    "[]", "{}", "٣", "９", "²", "١٢", "1_0", "0.1_0", "٣.٥", "\x00", "\u202e3", "3\x00",
    "9" * 5000, "x" * 100_000,
]
UNKNOWN_KEYS = ["colour", "GROUPS", "seed ", "__proto__", "<b>key</b>", "[k](https://evil.example/k)"]


def bad_texts(name: str) -> list[str]:
    """Texts ``name`` must refuse: the junk and payloads, and values out of its range."""
    param = SETTINGS[name]
    texts = JUNK + PAYLOADS + ["".join(random.Random(name).choices(string.printable, k=12))]
    if param.kind in (int, float):
        low, high = (min(param.choices), max(param.choices)) if param.choices else \
            (param.low, param.high)
        texts += [str(param.kind(low - 1)), str(param.kind(high + 1)),
                  str(param.kind(high) * 1000), "", " "]
    if param.kind is int:
        texts += [f"{param.default}.5", f"{param.default}.0", f"{param.default}e0",
                  f"+{param.default}", f"{param.default}_0"]
    if param.kind is bool:
        texts += ["yes", "on", "2", "ｔｒｕｅ", ""]
    if param.kind is str:
        texts += [param.default.upper(), ",".join(param.choices[:2]), ""]
    if param.kind is tuple:  # a list with a name that is no control; an empty list is allowed
        texts += ["present", "hide", "query,foo", "strategy,,<b>x</b>"]
    return texts


def random_link(rng: random.Random) -> tuple[dict[str, str | list[str]], dict[str, str]]:
    """A link with one to four bad values and maybe allowed ones and unknown keys:
    (its query parameters, {bad parameter: the text the page must show for it})."""
    query: dict[str, str | list[str]] = {}
    expected = {}
    for name in rng.sample(sorted(SETTINGS), rng.randint(1, 4)):
        text = rng.choice(bad_texts(name))
        if rng.random() < 0.1:  # a key given twice is refused, whatever its values
            query[name] = [text, SETTINGS[name].format(SETTINGS[name].default)]
            expected[name] = "&".join(f"{name}={value}" for value in query[name])
        else:
            query[name] = text
            expected[name] = unknown_names(text) if name == "hide" else text
    if "present" not in query and rng.random() < 0.2:  # allowed, and cheap: same runs
        query["present"] = "true"
    if "hide" not in query and rng.random() < 0.2:
        query["hide"] = ",".join(rng.sample(SETTINGS["hide"].choices, 2))
    for key in rng.sample(UNKNOWN_KEYS, rng.randint(0, 2)):
        query[key] = rng.choice(PAYLOADS)
    return query, expected


def unknown_names(text: str) -> str:
    """What the page shows of a bad ``hide``: the names that are no control."""
    names = (name.strip(SPACES) for name in text.strip(SPACES).split(","))
    return ",".join(name for name in names if name and name not in SETTINGS["hide"].choices)


LINK_CASES = [(PAGES[i % len(PAGES)], *random_link(random.Random(f"{SEED}-{i}")))
              for i in range(LINKS)]


def open_page(page: str, query: dict) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params.update(query)
    at.switch_page(page)
    return at.run()


def elements(at: AppTest):
    for root in (at.main, at.sidebar):
        yield from (node for node in root if node.proto is not None)


def rendered_strings(at: AppTest) -> list[str]:
    """Every string the page sends to the browser that the browser may interpret
    (markdown, HTML in labels and chart titles, anything but a plain-text body)."""
    found = []
    for element in elements(at):
        plain = {"code": {"code_text"}, "text": {"body"},
                 # the chart component's own script and style: the app's code, no link's
                 "bidi_component": {"js_content", "css_content"},
                 # an alert's icon: the app's own constant (ui/settings.py), no link's
                 **{alert: {"icon"} for alert in ("warning", "error", "info", "success")},
                 }.get(element.type, set())
        found += proto_strings(element.proto, skip=plain)
    return found


def proto_strings(message, skip: set[str] = frozenset()) -> list[str]:
    found = []
    for field, value in message.ListFields():
        if field.name in skip:
            continue
        for item in value if field.is_repeated else [value]:
            if field.name in ("spec", "config") and isinstance(item, str):  # a chart's JSON
                found += json_strings(json.loads(item))
            elif isinstance(item, str):
                found.append(item)
            elif hasattr(item, "ListFields"):
                found += proto_strings(item)
    return found


def json_strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        value = [*value.keys(), *value.values()]
    return [s for item in value for s in json_strings(item)] if isinstance(value, list) else []


def has_markup(text: str) -> bool:
    """Could ``text`` mean something to markdown, HTML, LaTeX or a directive?"""
    return any(c in text for c in "[]()<>*_`~$:#|\\&!") or "www." in text


def link_texts(query: dict) -> list[str]:
    """The values of a link, and its keys that are no parameter."""
    texts = [key for key in query if key not in SETTINGS]
    for value in query.values():
        texts += value if isinstance(value, list) else [value]
    return texts


@pytest.mark.parametrize("page, query, bad", LINK_CASES,
                         ids=[f"{i}-{Path(p).stem}" for i, (p, _, _) in enumerate(LINK_CASES)])
def test_a_hostile_link_warns_about_each_bad_value_and_renders_none(page, query, bad):
    at = open_page(page, query)
    assert not at.exception, [e.message for e in at.exception]
    warnings = [w.value for w in at.warning]
    codes = [c.value for c in at.code]
    for name, got in bad.items():
        assert any(w.startswith(f"Link parameter ignored: {name} must be") for w in warnings), \
            (name, warnings)
        if got:  # shown as plain text, as given (non-printing characters escaped), shortened
            assert shortened(got) in codes, (name, shortened(got), codes)
    rendered = "\n".join(rendered_strings(at))
    assert "evil.example" not in rendered
    for text in link_texts(query):
        if has_markup(text):
            assert text[:20] not in rendered, text  # the start of a long value too


# ------------------------------------------------------------ the query inspector's range

@pytest.mark.parametrize("query", [
    {"query": "180", "hide": "query"},  # the default data has 180 test queries: 0 to 179
    {"present": "true", "hide": "query,components", "query": "399"},  # the README's projector
    {"query": "399"},
])
def test_a_query_beyond_the_data_is_reset_with_a_notice_hidden_or_not(query):
    at = open_page("pages/train.py", query)
    assert not at.exception, [e.message for e in at.exception]
    assert any(w.value.startswith(f"query {query['query']} does not exist in this data")
               for w in at.warning), [w.value for w in at.warning]
    assert "query" not in at.query_params, "the URL shows the query that is shown: 0"
    assert any(c.proto.component_name == "recdemo.plot" for c in at.get("bidi_component")), \
        "the page still draws its chart"


@pytest.mark.parametrize("hide", ["query", ""])
def test_fewer_groups_under_an_inspected_query_reset_it_with_a_notice(hide):
    at = open_page("pages/train.py", {"hide": hide, "query": "100"})
    assert not at.exception and not at.warning
    at.slider(key="control_groups").set_value(2).run()  # 60 test queries: 0 to 59
    assert not at.exception, [e.message for e in at.exception]
    assert any(w.value.startswith("query 100 does not exist in this data (query 0 to 59)")
               for w in at.warning), [w.value for w in at.warning]
    if not hide:
        assert at.selectbox(key="control_query").value == 0
    at.slider(key="control_groups").set_value(6).run()  # the notice was for that run only
    assert not at.exception and not at.warning


def test_a_query_kept_from_another_page_is_checked_where_it_is_used():
    at = open_page("pages/groups.py", {"query": "399", "groups": "3"})
    assert not at.warning, "the Groups page shows no query"
    at.switch_page("pages/train.py").run()
    assert not at.exception
    assert any(w.value.startswith("query 399 does not exist") for w in at.warning)


# --------------------------------------------------------------------- values known to fail

def test_a_learning_rate_known_to_fail_is_cautioned_beside_its_control():
    at = open_page("pages/train.py", {"learning_rate": "0.5", "epochs": "2"})
    assert not at.exception
    caution = SETTINGS["learning_rate"].caution(0.5)
    assert [w.value for w in at.sidebar.warning] == [caution]
    at.number_input(key="control_learning_rate").set_value(0.05).run()
    assert not at.exception and not at.warning


# ------------------------------------------------------------ values from the browser's events

def test_a_chart_event_out_of_range_is_ignored_with_a_notice():
    """A click on the chart sets the query from the event's data, which any client can forge."""
    def script():
        import ui
        ui.set_setting("query", 10**6)
        ui.page_setup()

    at = AppTest.from_function(script, default_timeout=TIMEOUT).run()
    assert not at.exception, [e.message for e in at.exception]
    assert [w.value for w in at.warning] == [
        f"Value ignored: query must be {SETTINGS['query'].allowed()}. Keeping 0. Not allowed:"]
    assert [c.value for c in at.code][0] == "1000000"
