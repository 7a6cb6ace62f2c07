"""The Streamlit side shared by app.py and the pages (the library, recdemo/,
and the backend, backend/, never import streamlit):

- settings: the session's settings <-> the URL, and the controls;
- work: datasets, runs and measurements shared by every session, in the
  backend's bounded caches and worker processes, asked for as this session;
- runs: what a page shows of them (a run or why not, progress bars);
- charts: the cached figures, drawn by plot.py, with their exports;
- layout: the presenter view's first screen (the main picture and its numbers);
- navigation and start: the pages, and the server process's set-up, which
  the app does once (importing ui sets up nothing).

The pages call these through ``ui.<name>``.
"""

from ui.charts import (
    chart,
    clicked_query_inspector,
    embedding_figure,
    history_downloads,
    negatives_figure,
    query_label,
    small_multiples,
    training_curves,
)
from ui.layout import (
    PRESENTER_PICTURE_HEIGHT,
    column_beside,
    figure_height,
    for_projector,
    presenting,
    sideways_hint,
    text_and_picture,
    title,
)
from ui.navigation import run_through_navigation
from ui.runs import (
    looked_at,
    mf_comparison,
    references,
    step_costs,
    trained_or_explain,
    trained_run_or_none,
    trained_run_or_why,
    trained_runs,
)
from ui.settings import (
    SOURCE_URL,
    control,
    data_config,
    exercise_label,
    exercise_page,
    items_label,
    link,
    mf_config,
    open_view_link,
    page_setup,
    set_setting,
    settings,
    train_config,
    unreachable_host,
    unreachable_warning,
    view_link,
)
from ui.styles import PRESENTER_FONT_SIZE
from ui.work import dataset, protocols, request_run, trained_run

__all__ = [
    "PRESENTER_FONT_SIZE", "PRESENTER_PICTURE_HEIGHT", "SOURCE_URL", "chart",
    "clicked_query_inspector", "column_beside", "control", "data_config", "dataset",
    "embedding_figure", "exercise_label", "exercise_page", "figure_height", "for_projector",
    "history_downloads", "items_label", "link", "looked_at", "mf_comparison", "mf_config",
    "negatives_figure", "open_view_link", "page_setup", "presenting", "protocols",
    "query_label", "references", "request_run", "run_through_navigation", "set_setting",
    "settings", "sideways_hint", "small_multiples", "step_costs", "text_and_picture", "title",
    "train_config", "trained_or_explain", "trained_run", "trained_run_or_none",
    "trained_run_or_why", "trained_runs", "training_curves", "unreachable_host",
    "unreachable_warning", "view_link",
]
