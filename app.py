"""recdemo: see why softmax recommenders need negatives.

Start with `streamlit run app.py`. This entry point lists the pages; each page
in pages/ starts with ui.page_setup(), which loads the session's settings from
the link and draws the controls that page needs.
"""

import streamlit as st

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

page.run()
