"""Exercises: predict, then look, then check."""

import streamlit as st

import ui
from recdemo.exercises import EXERCISES
from recdemo.params import PARAMS
from recdemo.wording import listed

ui.run_through_navigation()  # first: see ui/navigation.py

st.title("Exercises")
settings = ui.page_setup(data_controls=False)
st.markdown("Answer each question **before** you open its view: write your prediction down, "
            "then open the view, look at the picture and the numbers, and only then read "
            "the answer.")
number = ui.control("exercise", st, label="Exercise", options=list(range(1, len(EXERCISES) + 1)),
                    format_func=ui.exercise_label)
exercise = EXERCISES[number - 1]
st.header(f"{number}. {exercise.title}")
st.markdown(f"**Your prediction first.** {exercise.question}")
ignored = [name for name, param in PARAMS.items()
           if settings[name] not in (param.default, exercise.settings.get(name, param.default))]
if ignored:  # a link's or another page's: the view and the answer are of the defaults
    st.caption(f"The view and the answer use the default settings with this exercise's own, "
               f"not your {listed(ignored)}.")
page = ui.exercise_page(exercise)
# A new tab, a session of its own: this one keeps the exercise, and its settings.
st.link_button("Open this view", ui.open_view_link(page, exercise.settings),
               icon=":material/open_in_new:", type="primary",
               help="In a new tab, with this exercise's settings. This tab keeps the "
                    "question, and the answer below for when you have looked.")
shared = ui.view_link(page, exercise.settings)
ui.unreachable_warning(shared)  # and then the link opens nothing on a student's machine
st.caption("Or share it: this link opens the same view on any machine of the class."
           if ui.unreachable_host(shared) is None else "Or share it, once students can open it:")
st.code(shared, language=None, wrap_lines=True)
# Each exercise's answer its own, closed until opened: one expander for all
# kept an answer opened for one exercise open for the next.
with st.expander(f"The answer to exercise {number} (after you have looked)",
                 key=f"answer_{number}"):
    looked = ui.looked_at(exercise)  # the answer is measured on the runs of the view
    if looked is not None:  # else an error has said why
        st.markdown(exercise.answer(looked))
st.caption("A teacher can link to one exercise: the share link of this page keeps its number.")
