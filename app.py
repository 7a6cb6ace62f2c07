"""recdemo: see why softmax recommenders need negatives.

Start with `streamlit run app.py`. This entry point lists the pages, loads the
session's settings from the link, and draws the controls each page needs in
the sidebar; the pages in pages/ do the rest.
"""

import streamlit as st

import ui

st.set_page_config(page_title="recdemo: folding", page_icon=":material/palette:", layout="wide")

PAGES = [
    st.Page("pages/lesson.py", title="Lesson", icon=":material/school:", default=True),
    st.Page("pages/groups.py", title="Groups", icon=":material/palette:", url_path="groups"),
    st.Page("pages/train.py", title="Train", icon=":material/model_training:",
            url_path="train"),
    st.Page("pages/compare.py", title="Compare", icon=":material/leaderboard:",
            url_path="compare"),
]
page = st.navigation(PAGES)

ui.settings()
ui.show_url_warnings()
if page.url_path in ("groups", "train", "compare"):
    ui.data_controls()
if page.url_path in ("train", "compare"):
    ui.training_controls()
ui.sync_url()
page.run()
