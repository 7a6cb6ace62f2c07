"""The app's pages and its navigation (app.py runs it).

Page files are named by their URL path, in app_pages/. Not pages/: a folder of
that name puts a fresh Streamlit server in its old multipage mode, whose first
page run shows the folder's raw file list as a navigation (even in presenter
view) until the app's own navigation replaces it, seconds later on a cold
server. app.py's st.navigation is the only navigation there is; in presenter
view it draws none (no sidebar at all).
"""

from __future__ import annotations

import streamlit as st

from ui.start import start

# (URL path, title, icon); the file is app_pages/<path>.py, the Lesson's "lesson".
PAGES = (
    ("", "Lesson", ":material/school:"),
    ("groups", "Groups", ":material/palette:"),
    ("train", "Train", ":material/model_training:"),
    ("compare", "Compare", ":material/leaderboard:"),
    ("mf", "MF vs softmax", ":material/grid_on:"),
    ("why-sample", "Why sample?", ":material/speed:"),
    ("exercises", "Exercises", ":material/quiz:"),
)


def page_file(path: str) -> str:
    return f"app_pages/{path or 'lesson'}.py"


def run_app() -> None:
    """Everything app.py does: the process's set-up (once), the page config
    and the navigation."""
    from ui.settings import settings  # (ui.settings names the pages' files: page_file)

    start()
    st.set_page_config(page_title="recdemo: folding", page_icon="🎨", layout="wide")
    pages = [st.Page(page_file(path), title=title, icon=icon, url_path=path or None,
                     default=not path)
             for path, title, icon in PAGES]
    st.navigation(pages, position="hidden" if settings()["present"] else "sidebar").run()
