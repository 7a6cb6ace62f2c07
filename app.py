"""recdemo: see why softmax recommenders need negatives.

Start with `streamlit run app.py`. The pages and the navigation are in
ui/navigation.py; each page in pages/ starts with ui.run_through_navigation(),
then ui.page_setup(), which loads the session's settings from the link and
draws the controls that page needs.
"""

from ui.navigation import run_app

run_app()
