"""Charts: the big figures, cached and shared read-only by every session, drawn
by ui/plot.py with the exports a teacher takes away.
"""

from __future__ import annotations

import weakref

import streamlit as st

from backend.cache import ByteCache
from recdemo import export, figures
from recdemo.claims import meaningful_metrics
from recdemo.data import DataConfig
from recdemo.params import PARAMS, run_settings
from recdemo.train import TrainConfig
from ui.plot import SharedFigure, clicked_point, plot, plotly_figure
from ui.settings import link, set_setting, settings
from ui.styles import PRESENTER_FONT_SIZE
from ui.work import MB, dataset, trained_run, wait_for

# Shared, read-only figures, as their charts send them (ui.plot.SharedFigure):
# building one takes longer than sending it. The largest sizes' figures are
# many times the default's.
MAX_FIGURE_BYTES = 64 * MB
FIGURES = ByteCache(MAX_FIGURE_BYTES)


def _figure(key: tuple, make, spinner: str | None = "Drawing…") -> SharedFigure:
    def make_with_spinner():
        if spinner is None:
            return SharedFigure(make())
        with st.spinner(spinner):
            return SharedFigure(make())
    return FIGURES.get_or_make(key, make_with_spinner, wait=wait_for)


def embedding_figure(data_config: DataConfig, config: TrainConfig, components: int,
                     inspected_query: int, height: int | None = None, projector: bool = False):
    """The run's embeddings, with the query ``inspected_query`` highlighted;
    ``height`` and ``projector``: as figures.embedding_figure has them (ui.figure_height)."""
    sized = {} if height is None else {"height": height}
    return _figure(("embedding", data_config, config, components, inspected_query, height,
                    projector),
                   lambda: figures.embedding_figure(
                       dataset(data_config), trained_run(data_config, config), components,
                       inspected_query=inspected_query, projector=projector, **sized))


def negatives_figure(data_config: DataConfig, config: TrainConfig):
    """Where the run's negatives came from (figures.negatives_figure)."""
    return _figure(("negatives", data_config, config), lambda: figures.negatives_figure(
        dataset(data_config), trained_run(data_config, config)), spinner=None)


def training_curves(data_config: DataConfig, config: TrainConfig):
    """The run's loss and test metrics per epoch (the metrics that mean something here)."""
    return _figure(("curves", data_config, config), lambda: figures.training_curves_figure(
        trained_run(data_config, config), metrics=meaningful_metrics(config.k, data_config)),
        spinner=None)


def small_multiples(data_config: DataConfig, configs: tuple[TrainConfig, ...], cols: int,
                    side_by_side: bool = False, height: int | None = None):
    """Final embeddings of several runs side by side, shared like embedding_figure;
    ``height``: the figure's (ui.figure_height), else as its panels need."""
    def make():
        runs = {config.strategy: trained_run(data_config, config) for config in configs}
        return figures.small_multiples_figure(dataset(data_config), runs, cols, height=height,
                                              side_by_side=side_by_side)
    return _figure(("small multiples", data_config, configs, cols, side_by_side, height), make)


def chart(fig, key: str, file_name: str, html_title: str | None = None, on_click=None,
          cards: dict | None = None, alt: str | None = None, run: dict | None = None):
    """The chart (ui/plot.py) with the chart toolbar's PNG export named and
    sharp (plotly draws the PNG in the browser, no network), and, given an
    ``html_title``, a button that downloads the chart as a standalone
    interactive HTML page with that title, the view's link and its settings.
    ``on_click``: called when a point is clicked (ui.plot.clicked_point);
    ``cards``: numbers shown above the chart that follow its frame; ``alt``:
    the chart in words, for a screen reader; ``run``: every setting of the
    run the chart shows (params.run_settings), for the export's link and its
    list of settings: the run's own, where a page shows its last runs that
    trained, and none that it does not read (default: the current settings)."""
    # No "Share chart..." (plotly's upload to its cloud: nothing for a class).
    # The wheel scrolls the page, never zooms: plotly's 3D scene zooms by
    # default, and a student scrolling with the pointer over the Train picture
    # got stuck there (2D charts never zoomed by wheel; ui/plot.js does the rest).
    config = {"displaylogo": False, "showSendToCloud": False, "scrollZoom": False,
              "toImageButtonOptions": {"format": "png", "filename": file_name, "scale": 2}}
    present = settings()["present"]  # the page's type is larger there: so is the chart's
    shown = (figures.with_font_size(plotly_figure(fig), PRESENTER_FONT_SIZE) if present
             else fig)
    plot(shown, key, config, on_click, cards=cards, alt=alt)
    if html_title is not None:
        view = link(**(run or {}))
        # The run's own settings where the page gives them (not MF's on Train).
        run = run or {name: value for name, value in settings().items() if name in PARAMS}

        def html(fig):
            fig = plotly_figure(fig)
            return export.figure_html(figures.with_font_size(fig, PRESENTER_FONT_SIZE)
                                      if present else fig, html_title, view, run)
        st.download_button("Chart as interactive HTML",
                           _made_on_click(html, fig, weakly=FIGURES.holds(fig)),
                           file_name=f"{file_name}.html", mime="text/html", on_click="ignore",
                           icon=":material/download:", key=f"{key}_html")


def history_downloads(data_config: DataConfig, result) -> None:
    """The run's loss and metrics per epoch, as CSV and JSON, each with every
    setting of the run and the link that opens it again (``result`` is a shared
    run, from ui.trained_run: the buttons hold it weakly)."""
    name = export.file_name(data_config, result.config, "metrics")
    view = link(**run_settings(data_config, result.config))  # the run's, if not the current
    left, right = st.columns(2)
    left.download_button("Metrics per epoch (CSV)",
                         _made_on_click(lambda run: export.history_csv(run, data_config, view),
                                        result),
                         file_name=f"{name}.csv", mime="text/csv", on_click="ignore",
                         icon=":material/download:", key="history_csv")
    right.download_button("Metrics per epoch (JSON)",
                          _made_on_click(lambda run: export.history_json(run, data_config, view),
                                         result),
                          file_name=f"{name}.json", mime="application/json",
                          on_click="ignore", icon=":material/download:", key="history_json")


# Widget callbacks and format functions for the pages come from here, not from
# the pages themselves: Streamlit keeps a widget's callback and format function
# for as long as its tab is open, and a function defined in a page keeps all of
# that page's variables alive with it: its runs and figures, for every open tab
# (scripts/benchmark_memory.py measures it).

def clicked_query_inspector(n_groups: int, key: str):
    """on_click for the embedding chart ``key``: a click on a query square
    inspects that query (traces 0, 2, 4... are queries; items and the
    recommendations matrix are not)."""
    def on_click():
        # The point is the browser's word: its trace is checked here, and
        # set_setting checks the id.
        point = clicked_point(key)
        trace = point.get("trace") if isinstance(point, dict) else None
        if isinstance(trace, int) and 0 <= trace < 2 * n_groups and trace % 2 == 0:
            set_setting("query", point.get("id"))
    return on_click


def query_label(dataset):
    """format_func of the query picker: a test query of ``dataset`` and its group."""
    groups = dataset.test.groups.tolist()
    return lambda q: f"query {q} ({figures.group_name(groups[q])})"


GONE = ("This is no longer in the server's memory (it keeps the most recent runs): "
        "reload the page, then download it again.")


def _made_on_click(make, source, weakly: bool = True):
    """A download button's data: ``make(source)``, when the button is clicked.

    Streamlit keeps a download's callable for as long as its tab is open (and
    for a while after). Holding a shared run or figure there would keep it in
    memory however the caches evict it, for every open tab. So a shared
    ``source`` is held weakly, and if the caches let it go before the click,
    the file says to reload."""
    if not weakly:
        return lambda: make(source)
    held = weakref.ref(source)

    def data():
        source = held()
        return GONE if source is None else make(source)
    return data
