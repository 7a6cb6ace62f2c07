"""The Streamlit side shared by app.py and the pages.

- Settings: one dict in the session, read from the URL once when the session
  starts, written back to the URL after every change, so a link always
  reproduces the view. Every control is drawn from the table in
  recdemo/params.py.
- Cached work: datasets, trained models and the big figures are cached by
  their full configuration, with bounded caches, and shared by every browser
  tab: thirty students asking for the same run train it once.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from urllib.parse import urlencode

import streamlit as st

from recdemo import export, figures
from recdemo.data import DataConfig, make_dataset
from recdemo.params import PARAMS, parse_query, to_query
from recdemo.train import TrainConfig, TrainingDiverged, one_blas_thread, train

# Bounded caches. A trained run keeps its embeddings after every epoch: 0.3 MB
# at the defaults, 9 MB for the largest run the parameter ranges allow.
MAX_RUNS = 96
MAX_FIGURES = 48
# Cache keys: a config's repr names every field, and hashing it is 15 times
# faster than Streamlit's general hashing of a dataclass, on every page run.
CONFIG_HASH = {DataConfig: repr, TrainConfig: repr}
# Widget styles of the parameters that are not sliders.
NUMBER_INPUTS = {"seed", "learning_rate", "l2", "gravity", "temperature"}
SLIDER_STEPS = {"leak": 0.01, "popularity_skew": 0.1, "items_per_group": 5,
                "queries_per_group": 10, "batch_size": 32}
LABELS = {"k": "k (top-k cut-off)", "l2": "L2 weight decay", "logq_correction": "logQ correction"}


# ---------------------------------------------------------------- settings

def settings() -> dict:
    """The session's settings; the first call of a session reads the URL."""
    if "settings" not in st.session_state:
        values, warnings = parse_query(st.query_params.to_dict())
        st.session_state.settings = values
        st.session_state.url_warnings = warnings
    return st.session_state.settings


def page_setup(data_controls: bool = True, training_controls: bool = False) -> dict:
    """Start a page: settings (from the link on a session's first run), the
    link's warnings, the sidebar controls the page needs and the share links.
    In presenter view (``present=true``) there is no sidebar and the type is larger."""
    values = settings()
    for warning in st.session_state.url_warnings:
        st.warning(f"Link parameter ignored: {warning}", icon="⚠️")
    if values["present"]:
        st.html(PRESENTER_CSS)
    else:
        if data_controls:
            _data_controls()
        if training_controls:
            _training_controls()
        _share_links()
    sync_url()
    return values


# Presenter view: hide the sidebar and Streamlit's toolbar; larger type for the back row,
# in the charts too (their usual size is figures.FONT).
PRESENTER_FONT_SIZE = 20
PRESENTER_CSS = """<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
[data-testid="stToolbar"], [data-testid="stHeader"] { display: none !important; }
html { font-size: 22px; }
[data-testid="stMainBlockContainer"] { padding-top: 1.5rem; }
[data-testid="stMetricValue"] { font-size: 3.2rem; }
</style>"""


def link(**changes) -> str:
    """A link to the current view (with ``changes``), for this page."""
    query = urlencode(to_query({**settings(), **changes}))
    base = st.context.url or ""  # the page's address without its query string
    return f"{base}?{query}" if query else base


def _share_links() -> None:
    with st.sidebar.expander("Share this view", icon=":material/link:"):
        st.caption("Copy with the button at the right of each box.")
        st.markdown("**Link to this view**")
        st.code(link(), language=None, wrap_lines=True)
        st.markdown("**Presenter link** (no sidebar, larger type)")
        st.code(link(present=True), language=None, wrap_lines=True)


def sync_url() -> None:
    """Write the settings into the address bar (only what differs from the defaults)."""
    wanted = to_query(settings())
    if st.query_params.to_dict() != wanted:
        st.query_params.from_dict(wanted)


def set_setting(name: str, value) -> None:
    """Change a setting from code (say, a click on the chart); its widget follows."""
    settings()[name] = PARAMS[name].check(value)
    sync_url()


def _widget_key(name: str) -> str:
    return f"control_{name}"


def _copy_from_widget(name: str) -> None:
    st.session_state.url_warnings = []  # the link's problems are the past now
    value = st.session_state[_widget_key(name)]
    if value is not None:  # a number input being edited can be empty
        settings()[name] = PARAMS[name].check(value)
    sync_url()


def control(name: str, where=None, label: str | None = None, options=None, **kwargs):
    """Draw the widget of one parameter. Its value lives in the settings, so it
    survives page switches even though Streamlit forgets hidden widgets.
    ``options`` makes it a select box over those values (for ranges that
    depend on the data, like the test query ids)."""
    where = where or st.sidebar
    param = PARAMS[name]
    key = _widget_key(name)
    value = settings()[name]
    if name in settings()["hide"]:  # hidden by the link: keep the value, draw nothing
        return value
    if options is not None and value not in options:
        value = settings()[name] = options[0]
    st.session_state[key] = value
    common = {"key": key, "on_change": _copy_from_widget, "args": (name,),
              "help": f"{param.help} ({param.allowed()})", **kwargs}
    label = label or LABELS.get(name, name.replace("_", " "))
    if options is not None:
        return where.selectbox(label, options, **common)
    if param.choices is not None:
        return where.radio(label, param.choices, horizontal=True, **common)
    if param.kind is bool:
        return where.toggle(label, **common)
    if name in NUMBER_INPUTS:
        fmt = "%d" if param.kind is int else "%g"
        return where.number_input(label, min_value=param.kind(param.low),
                                  max_value=param.kind(param.high), format=fmt, **common)
    step = SLIDER_STEPS.get(name, 1 if param.kind is int else 0.01)
    return where.slider(label, param.kind(param.low), param.kind(param.high),
                        step=param.kind(step), **common)


def _data_controls() -> None:
    st.sidebar.subheader("Data")
    for name in ("groups", "items_per_group", "queries_per_group", "leak", "popularity_skew",
                 "seed"):
        control(name)


def _training_controls() -> None:
    """Everything but the strategy, which the Train page shows large in its body."""
    st.sidebar.subheader("Model and training")
    for name in ("negatives", "gravity", "epochs", "learning_rate", "dim"):
        control(name)
    with st.sidebar.expander("More settings"):
        for name in ("hidden", "batch_size", "l2", "temperature", "logq_correction", "k",
                     "positives", "test_queries_per_group"):
            control(name, st)


def data_config(values: dict | None = None) -> DataConfig:
    values = values or settings()
    return DataConfig(**{name: values[name] for name in DataConfig.__dataclass_fields__})


def train_config(values: dict | None = None, **overrides) -> TrainConfig:
    values = {**(values or settings()), **overrides}
    return TrainConfig(**{name: values[name] for name in TrainConfig.__dataclass_fields__})


# ---------------------------------------------------------------- cached work

@st.cache_data(max_entries=MAX_RUNS, show_spinner=False, hash_funcs=CONFIG_HASH)
def dataset(config: DataConfig):
    return make_dataset(config)


_pool: ProcessPoolExecutor | None = None  # the training workers, started on first use
_pool_lock = threading.Lock()  # sessions run in threads: one pool, made once

one_blas_thread()  # in this process too: see its docstring


@st.cache_resource(max_entries=MAX_RUNS, show_spinner=False, hash_funcs=CONFIG_HASH)
def training(data: DataConfig, config: TrainConfig) -> Future:
    """The run of ``config`` on ``data``, as a future: sent to a worker process
    on the first request and then shared by every session, so identical
    configurations train once. It returns at once; a page can start its runs
    early and collect them with trained() after drawing its controls.

    Training runs in worker processes because every session of the server
    shares one Python interpreter (one GIL): training there would stall every
    other student's page, and workers use all the cores. The worker is sent
    the dataset this process has already made.
    """
    examples = dataset(data)
    pool = _training_pool()
    try:
        return pool.submit(train, examples, config)
    except BrokenProcessPool:  # a worker died (killed, out of memory): start afresh
        return _training_pool(broken=pool).submit(train, examples, config)


# A worker process that dies (killed, out of memory) or runs out of memory
# loses that run, not the configuration: the run is trained again, once.
WORKER_FAILURES = (BrokenProcessPool, MemoryError)
_retry_lock = threading.Lock()


def trained(data: DataConfig, config: TrainConfig):
    """The finished run (shared by every session: read it, never change it).
    Raises TrainingDiverged, or ValueError for a run too large, as train()
    does, and one of WORKER_FAILURES if its worker failed twice."""
    future = training(data, config)
    try:
        return _result(future)
    except WORKER_FAILURES:
        with _retry_lock:  # the sessions waiting on it restart it once, not each
            if training(data, config) is future:
                training.clear(data, config)
        return _result(training(data, config))


def _result(future: Future):
    if future.done():
        return future.result()
    with st.spinner("Training the model…"):
        return future.result()


def _training_pool(broken: ProcessPoolExecutor | None = None) -> ProcessPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None or _pool is broken:
            workers = os.cpu_count() or 2
            # forkserver: workers start from a clean process, not a copy of the
            # threaded server (forking threads is unsafe).
            _pool = ProcessPoolExecutor(max_workers=workers,
                                        mp_context=multiprocessing.get_context("forkserver"),
                                        initializer=one_blas_thread)
            # Start every worker now (each imports numpy and the library, most
            # of a CPU-second), not when a class first asks for two runs at once.
            for _ in range(workers):
                _pool.submit(os.getpid)
        return _pool


@st.cache_resource(max_entries=MAX_FIGURES, show_spinner="Drawing…", hash_funcs=CONFIG_HASH)
def embedding_figure(data: DataConfig, config: TrainConfig, components: int, query: int):
    """Shared, read-only figure objects: building one takes longer than sending it."""
    return figures.embedding_figure(dataset(data), trained(data, config), components,
                                    selected_query=query, k=config.k)


@st.cache_resource(max_entries=MAX_FIGURES, show_spinner=False, hash_funcs=CONFIG_HASH)
def training_curves(data: DataConfig, config: TrainConfig):
    return figures.training_curves_figure(trained(data, config))


@st.cache_resource(max_entries=MAX_FIGURES, show_spinner="Drawing…", hash_funcs=CONFIG_HASH)
def small_multiples(data: DataConfig, configs: tuple[TrainConfig, ...], cols: int):
    """Final embeddings of several runs side by side, shared like embedding_figure."""
    runs = {config.strategy: trained(data, config) for config in configs}
    return figures.small_multiples_figure(dataset(data), runs, cols)


def train_all(data: DataConfig, strategies, slot: str) -> dict:
    """Train each strategy (with the other settings as they are), with a progress
    bar; returns {strategy: (result, config)} for those that trained."""
    configs = {strategy: train_config(strategy=strategy) for strategy in strategies}
    for config in configs.values():  # all at once: the workers train them side by side
        training(data, config)
    runs = {}
    progress = st.progress(0.0, text="Training…")
    for index, (strategy, config) in enumerate(configs.items()):
        result, config = train_or_explain(data, config, slot=f"{slot}_{strategy}")
        if result is not None:
            runs[strategy] = (result, config)
        progress.progress((index + 1) / len(strategies), text=f"Trained {strategy}")
    progress.empty()
    return runs


def chart(fig, key: str, file_name: str, html_download: bool = False, **kwargs):
    """st.plotly_chart with the chart toolbar's PNG export named and sharp
    (plotly draws the PNG in the browser, no network), and optionally a
    button that downloads the chart as a standalone interactive HTML page."""
    config = {"displaylogo": False,
              "toImageButtonOptions": {"format": "png", "filename": file_name, "scale": 2}}
    if settings()["present"]:  # the page's type is larger there: so is the chart's
        fig = figures.with_font_size(fig, PRESENTER_FONT_SIZE)
    event = st.plotly_chart(fig, key=key, config=config, **kwargs)
    if html_download:
        st.download_button("Chart as interactive HTML", lambda: export.figure_html(fig),
                           file_name=f"{file_name}.html", mime="text/html", on_click="ignore",
                           icon=":material/download:", key=f"{key}_html")
    return event


def history_downloads(result) -> None:
    """The run's loss and metrics per epoch, as CSV and JSON."""
    name = f"recdemo-{result.config.strategy}-metrics"
    left, right = st.columns(2)
    left.download_button("Metrics per epoch (CSV)", lambda: export.history_csv(result),
                         file_name=f"{name}.csv", mime="text/csv", on_click="ignore",
                         icon=":material/download:", key="history_csv")
    right.download_button("Metrics per epoch (JSON)", lambda: export.history_json(result),
                          file_name=f"{name}.json", mime="application/json",
                          on_click="ignore", icon=":material/download:", key="history_json")


def trained_or_none(data: DataConfig, config: TrainConfig):
    """The trained run, or None if it diverges or is too large (for a comparison
    that can do without it)."""
    try:
        return trained(data, config)
    except (TrainingDiverged, ValueError, *WORKER_FAILURES):
        return None


def train_or_explain(data: DataConfig, config: TrainConfig, slot: str):
    """The trained run, or, if it diverged or is too large, an error naming what
    to change and the last run that did train in this ``slot`` (or None).
    Returns (result, config)."""
    try:
        result = trained(data, config)
    except (TrainingDiverged, ValueError, *WORKER_FAILURES) as err:
        if isinstance(err, WORKER_FAILURES):
            message = ("The server could not finish this run: its worker process stopped "
                       "(out of memory?). Reload the page to try again, or make the run smaller.")
        else:
            message = str(err)[0].upper() + str(err)[1:]
        st.error(f"{message} The picture below is the last run that trained.", icon="🚫")
        last = st.session_state.get(f"last_good_{slot}")
        return (trained(*last), last[1]) if last else (None, None)
    st.session_state[f"last_good_{slot}"] = (data, config)
    return result, config
