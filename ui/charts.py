"""Charts: the big figures, cached and shared read-only by every session, and
st.plotly_chart with the exports a teacher takes away.
"""

from __future__ import annotations

import streamlit as st

from recdemo import export, figures
from recdemo.data import DataConfig
from recdemo.params import PARAMS
from recdemo.train import TrainConfig
from ui.runs import CONFIG_HASH, dataset, trained
from ui.settings import PRESENTER_FONT_SIZE, link, settings

MAX_FIGURES = 48


@st.cache_resource(max_entries=MAX_FIGURES, show_spinner="Drawing…", hash_funcs=CONFIG_HASH)
def embedding_figure(data: DataConfig, config: TrainConfig, components: int, query: int):
    """Shared, read-only figure objects: building one takes longer than sending it."""
    return figures.embedding_figure(dataset(data), trained(data, config), components,
                                    selected_query=query)


@st.cache_resource(max_entries=MAX_FIGURES, show_spinner=False, hash_funcs=CONFIG_HASH)
def training_curves(data: DataConfig, config: TrainConfig):
    return figures.training_curves_figure(trained(data, config))


@st.cache_resource(max_entries=MAX_FIGURES, show_spinner="Drawing…", hash_funcs=CONFIG_HASH)
def small_multiples(data: DataConfig, configs: tuple[TrainConfig, ...], cols: int):
    """Final embeddings of several runs side by side, shared like embedding_figure."""
    runs = {config.strategy: trained(data, config) for config in configs}
    return figures.small_multiples_figure(dataset(data), runs, cols)


def chart(fig, key: str, file_name: str, html_title: str | None = None, **kwargs):
    """st.plotly_chart with the chart toolbar's PNG export named and sharp
    (plotly draws the PNG in the browser, no network), and, given an
    ``html_title``, a button that downloads the chart as a standalone
    interactive HTML page with that title, the view's link and its settings."""
    config = {"displaylogo": False,
              "toImageButtonOptions": {"format": "png", "filename": file_name, "scale": 2}}
    if settings()["present"]:  # the page's type is larger there: so is the chart's
        fig = figures.with_font_size(fig, PRESENTER_FONT_SIZE)
    event = st.plotly_chart(fig, key=key, config=config, **kwargs)
    if html_title is not None:
        view = link()
        run = {name: value for name, value in settings().items()
               if PARAMS[name].section != "view"}
        st.download_button("Chart as interactive HTML",
                           lambda: export.figure_html(fig, html_title, view, run),
                           file_name=f"{file_name}.html", mime="text/html", on_click="ignore",
                           icon=":material/download:", key=f"{key}_html")
    return event


def history_downloads(data: DataConfig, result) -> None:
    """The run's loss and metrics per epoch, as CSV and JSON, each with every
    setting of the run and the link that opens it again."""
    name = export.file_name(data, result.config, "metrics")
    view = link()
    left, right = st.columns(2)
    left.download_button("Metrics per epoch (CSV)",
                         lambda: export.history_csv(result, data, view),
                         file_name=f"{name}.csv", mime="text/csv", on_click="ignore",
                         icon=":material/download:", key="history_csv")
    right.download_button("Metrics per epoch (JSON)",
                          lambda: export.history_json(result, data, view),
                          file_name=f"{name}.json", mime="application/json",
                          on_click="ignore", icon=":material/download:", key="history_json")
