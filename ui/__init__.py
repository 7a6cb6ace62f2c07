"""The Streamlit side shared by app.py and the pages (the library, recdemo/,
never imports streamlit):

- settings: the session's settings <-> the URL, and the controls;
- runs: datasets and trained models in bounded caches, training in workers;
- charts: the cached figures, drawn by plot.py, with their exports;
- layout: the presenter view's first screen (the main picture and its numbers).

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
    for_projector,
    presenting,
    text_and_picture,
)
from ui.navigation import run_through_navigation
from ui.runs import (
    dataset,
    looked_at,
    mf_comparison,
    protocols,
    references,
    step_costs,
    train_all,
    train_or_explain,
    trained,
    trained_or_none,
    training,
)
from ui.settings import (
    PRESENTER_FONT_SIZE,
    SOURCE_URL,
    control,
    data_config,
    exercise_label,
    items_label,
    link,
    mf_config,
    open_view,
    page_setup,
    set_setting,
    settings,
    train_config,
    view_link,
)

__all__ = [
    "PRESENTER_FONT_SIZE", "PRESENTER_PICTURE_HEIGHT", "SOURCE_URL", "chart",
    "clicked_query_inspector", "column_beside", "control", "data_config", "dataset",
    "embedding_figure", "exercise_label", "for_projector", "history_downloads", "items_label",
    "link", "looked_at", "mf_comparison", "mf_config", "negatives_figure", "open_view",
    "page_setup", "presenting", "protocols", "query_label", "references", "run_through_navigation",
    "set_setting", "settings", "small_multiples", "step_costs", "text_and_picture", "train_all",
    "train_config", "train_or_explain", "trained", "trained_or_none", "training",
    "training_curves", "view_link",
]
