"""Settings: one dict in the session, read from the URL once when the session
starts, written back to the URL after every change, so a link always
reproduces the view. Every control is drawn from the settings table
(ui/settings_table.py: recdemo/params.py's rows and the view's).
"""

from __future__ import annotations

import ipaddress
from dataclasses import fields
from urllib.parse import urlencode, urljoin, urlparse

import streamlit as st
from streamlit import config

from recdemo.data import DataConfig
from recdemo.exercises import EXERCISES
from recdemo.mf import MFConfig
from recdemo.params import SHOWN_CHARS, STRATEGIES, ParamError, shortened
from recdemo.train import TrainConfig
from ui import widget_guard
from ui.keyboard import focus_follows_the_sidebar
from ui.settings_table import (
    LINK_OWN,
    SETTINGS,
    default_settings,
    link_params,
    near_misses,
    parse_link_params,
)
from ui.start import DROPPED_LINK
from ui.styles import FOCUS_CSS, PRESENTER_CSS

# Widget styles of the parameters that are not sliders.
NUMBER_INPUTS = {"seed", "learning_rate", "l2", "gravity", "temperature", "switch_gravity"}
SLIDER_STEPS = {"leak": 0.01, "unobserved_weight": 0.01, "popularity_skew": 0.1,
                "items_per_group": 5, "queries_per_group": 10, "batch_size": 32}
LABELS = {"k": "k (top-k cut-off)", "l2": "L2 weight decay", "logq_correction": "logQ correction"}

def settings() -> dict:
    """The session's settings; the first call of a session reads the URL."""
    if "settings" not in st.session_state:
        link = {key: st.query_params.get_all(key) for key in st.query_params}
        values, errors = parse_link_params(link)
        st.session_state.settings = values
        st.session_state.notices = [
            (f"Link parameter ignored: {err.reason}. Using the default "
             f"({SETTINGS[err.name].format(SETTINGS[err.name].default) or 'none'}).", err.got)
            for err in errors
        ]
        st.session_state.notices += [
            (f"Link parameter ignored: recdemo has no setting of that name (did you mean "
             f"{meant}?).", key) for key, meant in near_misses(link).items()]
        dropped = link.get(DROPPED_LINK, [""])[-1].split(",")
        if len(dropped) == 2 and all(part.isascii() and part.isdigit() for part in dropped):
            characters, parameters = map(int, dropped)  # (a link can fake it: two numbers)
            st.session_state.notices.append((
                f"Link ignored: it has {characters:,} characters and {parameters:,} "
                f"parameter{'s' * (parameters != 1)}, more than a link may have (524,288 "
                "characters, 1,000 parameters). Using the defaults.", ""))
    return st.session_state.settings


def _show_notice(message: str, got) -> None:
    """A value the app did not use: ``message`` (the app's own words, which may
    use markdown) in a warning, and the value given, shortened, as plain text
    below it. Never the value inside the warning: st.warning renders markdown,
    so a stranger's link could put a link, an image or LaTeX into the page;
    st.code shows its text as it is."""
    text = str(got)
    if len(text) > SHOWN_CHARS:
        message += f" Not allowed ({len(text):,} characters, the first {SHOWN_CHARS} below):"
    elif text:
        message += " Not allowed:"
    st.warning(message, icon=":material/warning:")
    if text:
        st.code(shortened(text), language=None, wrap_lines=True)


def page_setup(data_controls: bool = True, training_controls: bool = False,
               switch_controls: bool = False) -> dict:
    """Start a page: settings (from the link on a session's first run), the
    link's warnings, the sidebar controls the page needs and the share links.
    In presenter view (``present=true``) there is no sidebar and the type is larger."""
    values = settings()
    for message, got in st.session_state.notices:
        _show_notice(message, got)
    st.html(PRESENTER_CSS if values["present"] else FOCUS_CSS)
    if not values["present"]:
        if data_controls:
            _data_controls()
        if training_controls:
            _training_controls(switch_controls)
        _share_links()
        focus_follows_the_sidebar()
    sync_url()
    return values


SOURCE_URL = "https://developers.google.com/machine-learning/recommendation/dnn/training"


def link(**changes) -> str:
    """A link to the current view (with ``changes``), for this page."""
    return _with_query(page_address(), _page_values({**settings(), **changes}))


def page_address() -> str:
    """This page's address for links that others open: with the server's
    address when the teacher gave one (``streamlit run app.py
    --browser.serverAddress 192.168.1.20``), since the address the teacher's
    own browser uses (localhost, say) may not reach the students; else the
    address this browser used."""
    page = urlparse(st.context.url or "")
    if not config.is_manually_set("browser.serverAddress"):
        return st.context.url or ""
    host = st.get_option("browser.serverAddress").rstrip("/")
    if "://" not in host:
        host = f"{page.scheme or 'http'}://{host}:{st.get_option('browser.serverPort')}"
    return host + page.path


def unreachable_host(url: str) -> str | None:
    """The host of ``url`` when no other machine reaches this one by it:
    localhost, a loopback address (127.x, ::1) or the unspecified one
    (0.0.0.0, ::), which on a student's machine name that machine itself."""
    host = (urlparse(url).hostname or "").lower()
    if host == "localhost" or host.endswith(".localhost") or host == "localhost.localdomain":
        return host
    try:
        address = ipaddress.ip_address(host)
    except ValueError:  # a name: the class's DNS may know it
        return None
    return host if address.is_loopback or address.is_unspecified else None


def unreachable_warning(url: str) -> None:
    """A warning for the teacher when ``url``, a link to share, carries an
    address that the students' machines cannot reach, with how to fix it."""
    host = unreachable_host(url)
    if host is None:
        return
    fix = ("Start the server with `--browser.serverAddress` and this machine's address on "
           "the class network (the Network URL that `streamlit run app.py` alone prints)."
           if config.is_manually_set("browser.serverAddress") else
           "Open this page at the Network URL that `streamlit run` printed, or start the "
           "server with `--browser.serverAddress` and that URL's address.")
    st.warning(f"**Students cannot open these links:** on a student's machine, `{host}` is "
               f"that machine itself. {fix}", icon=":material/wifi_off:")


def _share_links() -> None:
    with st.sidebar.expander("Share this view", icon=":material/link:"):
        unreachable_warning(link())
        st.caption("Copy with the button at the right of each box (on a touch screen, tap "
                   "the box first to show it).")
        st.markdown("**Link to this view**")
        st.code(link(), language=None, wrap_lines=True)
        st.markdown("**Presenter link** (no sidebar, larger type)")
        st.code(link(present=True), language=None, wrap_lines=True)
    st.sidebar.button("Reset every setting", icon=":material/restart_alt:", on_click=_reset,
                      help="back to the defaults (the link loses its settings too)")
    # Small text, not a caption: a caption's 0.6 opacity fades its link to 2.8:1
    # against the sidebar (axe-core's color-contrast; tests/test_browser.py).
    st.sidebar.markdown(
        f":small[Source: Google's recommendation course, [Softmax Training]({SOURCE_URL})]")


def _reset() -> None:
    """Every setting back to its default but the presenter view and hidden
    controls, which belong to the link rather than to the lesson."""
    values = settings()
    values.update(default_settings() | {name: values[name] for name in LINK_OWN})
    st.session_state.notices = []
    sync_url()


# A setting that belongs to one page's address (its URL path): the others'
# addresses and links leave it out, so that the Lesson's address, say, does
# not carry the exercise the Exercises page was on (the session keeps it).
PAGE_OWN = {"exercise": "exercises"}


def set_page(path: str) -> None:
    """Note the page this run shows (its URL path; ui/navigation.py)."""
    st.session_state.page = path


def _page_values(values: dict) -> dict:
    """``values`` without the settings that belong to another page's address."""
    page = st.session_state.get("page")
    return {name: value for name, value in values.items()
            if PAGE_OWN.get(name, page) == page}


def sync_url() -> None:
    """Write the settings into the address bar (only what differs from the
    defaults, and only this page's own: PAGE_OWN)."""
    wanted = link_params(_page_values(settings()))
    if st.query_params.to_dict() != wanted:
        st.query_params.from_dict(wanted)


def set_setting(name: str, value) -> None:
    """Change a setting from code (say, a click on the chart); its widget follows.
    A value out of range (a chart event is the browser's word) is ignored, with a notice."""
    _set(name, value, "Value ignored")
    sync_url()


def _set(name: str, value, source: str) -> None:
    try:
        settings()[name] = SETTINGS[name].check(value)
    except ParamError as err:
        keeping = SETTINGS[name].format(settings()[name]) or "none"
        st.session_state.notices = [(f"{source}: {err.reason}. Keeping {keeping}.", value)]


def _widget_key(name: str) -> str:
    return f"control_{name}"


def _copy_from_widget(name: str) -> None:
    st.session_state.notices = []  # the link's problems are the past now
    _take(name, st.session_state[_widget_key(name)])
    sync_url()


def _take(name: str, value) -> None:
    """A control's value, as the browser sent it and ui/widget_guard.py read
    it: the browser keeps a widget in its range, but a client can send anything."""
    if isinstance(value, widget_guard.Refused):
        keeping = SETTINGS[name].format(settings()[name]) or "none"
        st.session_state.notices = [(f"Control value ignored: {value.reason}. Keeping "
                                     f"{keeping}.", value.got)]
        widget_guard.reset(_widget_key(name), settings()[name])
    elif value is not None:  # a number input being edited can be empty
        _set(name, value, "Control value ignored")


def control(name: str, where=None, label: str | None = None, options=None, **kwargs):
    """Draw the widget of one parameter. Its value lives in the settings, so it
    survives page switches even though Streamlit forgets hidden widgets.
    ``options`` makes it a select box over those values (for ranges that
    depend on the data, like the test query ids); a value not among them is
    reset to the first, with a notice, whether the widget is drawn or hidden."""
    where = where or st.sidebar
    param = SETTINGS[name]
    value = settings()[name]
    if options is not None and value not in options:
        where.warning(f"{name} {value} does not exist in this data ({name} {options[0]} to "
                      f"{options[-1]}): showing {name} {options[0]}.", icon=":material/warning:")
        value = settings()[name] = options[0]
        sync_url()
    if name in settings()["hide"]:  # hidden by the link: keep the value, draw nothing
        return value
    widget_value = _widget(where, param, label, options, kwargs)
    caution = param.caution(value)  # value, not widget_value: an emptied number input is None
    if caution:
        where.warning(caution, icon=":material/warning:")
    return widget_value


def _widget(where, param, label: str | None, options, kwargs: dict):
    key = _widget_key(param.name)
    # A value the browser sent for this control before this session drew it:
    # its page was drawn by another process (see ui/widget_guard.py).
    sent = widget_guard.sent_for_undrawn(key)
    st.session_state[key] = settings()[param.name]
    value, shape = _draw(where, param, key, label, options, kwargs)
    widget_guard.guard(key, param, shape, options, kwargs.get("format_func", str))
    if sent is not None:
        before = settings()[param.name]
        _take(param.name, widget_guard.deserialized(key, sent))
        if settings()[param.name] != before:  # a click the other process never saw
            sync_url()
            st.rerun()
    return value


def _draw(where, param, key: str, label: str | None, options, kwargs: dict):
    """The widget of ``param``, and its shape (what ui/widget_guard.py expects it to send)."""
    common = {"key": key, "on_change": _copy_from_widget, "args": (param.name,),
              "help": f"{param.help} ({param.allowed()})", **kwargs}
    label = label or LABELS.get(param.name, param.name.replace("_", " "))
    if options is not None:
        return where.selectbox(label, options, **common), widget_guard.CHOICE
    if param.choices is not None:
        return (where.radio(label, param.choices, horizontal=True, **common),
                widget_guard.CHOICE)
    if param.kind is bool:
        return where.toggle(label, **common), widget_guard.TOGGLE
    if param.name in NUMBER_INPUTS:
        fmt = "%d" if param.kind is int else "%g"
        return where.number_input(label, min_value=param.kind(param.low),
                                  max_value=param.kind(param.high), format=fmt,
                                  **common), widget_guard.NUMBER
    step = SLIDER_STEPS.get(param.name, 1 if param.kind is int else 0.01)
    return where.slider(label, param.kind(param.low), param.kind(param.high),
                        step=param.kind(step), **common), widget_guard.SLIDER


def _data_controls() -> None:
    st.sidebar.subheader("Data")
    for name in ("groups", "items_per_group", "queries_per_group", "leak", "popularity_skew",
                 "seed"):
        control(name)


def _training_controls(switch: bool = False) -> None:
    """Everything but the strategy, which the Train page shows large in its
    body; with ``switch``, the switch mid-run of the run the page shows."""
    st.sidebar.subheader("Model and training")
    for name in ("negatives", "gravity", "epochs", "learning_rate", "dim"):
        control(name)
    with st.sidebar.expander("More settings"):
        for name in ("hidden", "batch_size", "l2", "temperature", "logq_correction", "k",
                     "positives", "test_queries_per_group"):
            control(name, st)
    if switch:
        with st.sidebar.expander("Switch mid-run", expanded=bool(settings()["switch_at"])):
            control("switch_at", st, label="switch after epoch (0: never)")
            control("switch_to", st, label="then train with", options=list(STRATEGIES))
            control("switch_gravity", st, label="and gravity")


def data_config(values: dict | None = None) -> DataConfig:
    values = values or settings()
    return DataConfig(**{name: values[name] for name in DataConfig.__dataclass_fields__})


def exercise_label(number: int) -> str:
    return f"{number}. {EXERCISES[number - 1].title}"


def exercise_page(exercise) -> str:
    """The page an exercise's view opens: the one that trains the model of
    its first run (matrix factorization's, or the softmax model's)."""
    return "mf" if exercise.runs[0].get("strategy") == MFConfig.strategy else "train"


def view_link(page: str, changes: dict) -> str:
    """The link a fresh session opens to see ``page`` with ``changes`` to the
    default settings: a link to share, at the address the students reach."""
    return _with_query(urljoin(page_address() or "/", page), {**default_settings(), **changes})


def open_view_link(page: str, changes: dict) -> str:
    """What "Open this view" opens in a new tab, a session of its own: the
    view of view_link, in this view's presenter choices (``present``,
    ``hide``), at the path this browser used, so that it opens on the server
    this tab reached whatever address the share links carry. This session's
    settings stay as they are: the other pages do not change behind its back."""
    path = urljoin(urlparse(st.context.url or "").path or "/", page)
    return _with_query(path, {**default_settings(), **{name: settings()[name] for name in LINK_OWN},
                              **changes})


def _with_query(address: str, values: dict) -> str:
    query_string = urlencode(link_params(values))
    return f"{address}?{query_string}" if query_string else address


def items_label(n: int) -> str:
    """A widget's label for a number of items (a module's function, not a
    page's: Streamlit keeps a widget's format function while its tab is open)."""
    return f"{n:,} items"


def mf_config(values: dict | None = None, **overrides) -> MFConfig:
    values = {**(values or settings()), **overrides}
    return MFConfig(**{field.name: values[field.name] for field in fields(MFConfig)})


def train_config(values: dict | None = None, with_switch: bool = False,
                 **overrides) -> TrainConfig:
    """The training settings (of ``values``, else the session's) with
    ``overrides``. A switch mid-run belongs to the run the Train page shows
    (``with_switch``): every other run, its baseline too, trains without one."""
    values = {**(values or settings()), **overrides}
    config = TrainConfig(**{name: values[name] for name in TrainConfig.__dataclass_fields__})
    return config if with_switch else config.without_switch()


