"""The app's pages and its navigation (app.py runs it).

Page files are named by their URL path. A fresh Streamlit server runs its
first script run in its old multipage mode (a pages/ folder exists): it runs
the page file a link names alone, or shows "Page not found" for a name it
does not know. Every page starts with ``run_through_navigation()``, which in
that first run hands over to the app's own navigation; that switches the
server to it for good.
"""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from ui.start import start

# (URL path, title, icon); the file is pages/<path>.py, the Lesson's "lesson".
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
    return f"pages/{path or 'lesson'}.py"


def run_app() -> None:
    """Everything app.py does: the process's set-up (once), the page config
    and the navigation."""
    start()
    st.set_page_config(page_title="recdemo: folding", page_icon="🎨", layout="wide")
    pages = [st.Page(page_file(path), title=title, icon=icon, url_path=path or None,
                     default=not path)
             for path, title, icon in PAGES]
    st.navigation(pages).run()


def run_through_navigation() -> None:
    """Called first by every page: in Streamlit's old pages/-folder mode (a
    fresh server's first run), run the app's navigation instead, and stop."""
    if PagesManager.uses_pages_directory:
        run_app()
        st.stop()
