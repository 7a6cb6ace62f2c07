"""recdemo: see why softmax recommenders need negatives.

Start with `streamlit run app.py`. This entry point lists the pages; each page
in pages/ starts with ui.page_setup(), which loads the session's settings from
the link and draws the controls that page needs.
"""

import streamlit as st

st.set_page_config(page_title="recdemo: folding", page_icon="🎨", layout="wide")

# The URL paths (what teachers share) differ from the file names on purpose:
# on a fresh server Streamlit first runs in its old pages/-folder mode, where a
# link to /train would run pages/train.py alone, without this navigation.
PAGES = [
    st.Page("pages/folding_lesson.py", title="Lesson", icon=":material/school:", default=True),
    st.Page("pages/colored_groups.py", title="Groups", icon=":material/palette:",
            url_path="groups"),
    st.Page("pages/train_model.py", title="Train", icon=":material/model_training:",
            url_path="train"),
    st.Page("pages/compare_strategies.py", title="Compare", icon=":material/leaderboard:",
            url_path="compare"),
    st.Page("pages/mf.py", title="MF vs softmax", icon=":material/grid_on:", url_path="mf"),
    st.Page("pages/why_sample.py", title="Why sample?", icon=":material/speed:",
            url_path="why-sample"),
]
page = st.navigation(PAGES)

page.run()
