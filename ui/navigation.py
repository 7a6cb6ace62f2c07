"""The app's pages and its navigation (app.py runs it).

Page files are named by their URL path, in pages/. A folder of that name puts
a fresh Streamlit server's first script run in its old multipage mode: it
runs the page file a link names alone, under a navigation of the folder's
raw file names. So the app draws its own navigation: Streamlit's is hidden
(``client.showSidebarNavigation = false`` hides the old mode's list too, which
a cold server showed for seconds, even in presenter view), st.navigation
only routes, and the sidebar's first lines are a link per page (none in
presenter view). Every page starts with ``run_through_navigation()``, which
in that first run hands over to the app's navigation; that switches the
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
    from ui.settings import set_page, settings  # (ui.settings names the pages' files)

    start()
    st.set_page_config(page_title="recdemo: folding", page_icon="🎨", layout="wide")
    pages = [st.Page(page_file(path), title=title, icon=icon, url_path=path or None,
                     default=not path)
             for path, title, icon in PAGES]
    shown = st.navigation(pages, position="hidden")
    set_page(shown.url_path)
    if not settings()["present"]:
        with st.sidebar.container(key="navigation"):
            for page in pages:
                st.page_link(page)
    shown.run()


def run_through_navigation() -> None:
    """Called first by every page: in Streamlit's old pages/-folder mode (a
    fresh server's first run), run the app's navigation instead, and stop."""
    if PagesManager.uses_pages_directory:
        run_app()
        st.stop()
