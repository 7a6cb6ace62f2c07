"""Page layout: on every screen a page's main picture comes first, under the
page's title (and the controls it needs), so that it starts on the first
screen; the page's explanations go below it. In the presenter view
(``present=true``, ui/settings.py), on a projector of 1280x720 or 1024x768,
the picture and its numbers fill the first screen under a compact title
(PRESENTER_CSS): the teacher talks, and the text is still on the page.
"""

from __future__ import annotations

import streamlit as st

from recdemo import figures
from ui.plot import plotly_figure
from ui.settings import settings
from ui.styles import PRESENTER_FONT_SIZE

# The first screen of the smaller projector view (1280x720), less the compact
# title over the picture, the page's padding and a little to spare: the height
# of a main picture that has nothing else above it (a page with a row of
# controls above its picture takes that row's height off).
PRESENTER_PICTURE_HEIGHT = 640
# The widths of a picture and of the narrow column beside it.
PICTURE_AND_COLUMN = (5, 1)
# The key of a picture with controls beside it (column_beside): PRESENTER_CSS knows it.
CONTROLS_BESIDE = "controls_beside"


def presenting() -> bool:
    return settings()["present"]


def title(text: str, on_projector: bool = True) -> None:
    """The page's title; not ``on_projector``, in presenter view it is there
    for a screen reader only (PRESENTER_CSS), and the first screen is the picture's."""
    if on_projector or not presenting():
        st.title(text)
        return
    with st.container(key="for_screen_readers"):
        st.title(text, anchor=False)  # no link to a heading no one sees: no empty Tab stop


def sideways_hint() -> None:
    """Above a table that can be wider than a phone's or a tablet's page: its
    grid draws no scrollbar until it is touched (a review found students
    reading it without its AUC). Not on a projector, where it fits."""
    if not presenting():
        st.caption("On a narrow screen, swipe the table sideways: more columns are at its "
                   "right.")


def text_and_picture():
    """Two containers, (text, picture), for a page's explanation and its main
    picture: the picture first, the explanation below it."""
    picture, text = st.container(), st.container()
    return text, picture


def column_beside(picture, controls: bool = False):
    """In presenter view, (picture, column): two columns of ``picture``, a
    narrow one at the right of the picture for its numbers or its controls, so
    that both fit the first screen; elsewhere None (the page puts them where it
    always has). ``controls``: the column holds widgets, which a sixth of a
    tablet's width (about 100 px) squeezes until their labels break mid-word
    and a number input sticks out of the screen: on a screen narrower than a
    projector the column goes above the picture, its widgets two to a row
    (PRESENTER_CSS, ui/styles.py)."""
    if not presenting():
        return None
    holder = picture.container(key=CONTROLS_BESIDE) if controls else picture
    return tuple(holder.columns(PICTURE_AND_COLUMN, gap="medium"))


def for_projector(fig, height: int | None = None):
    """In presenter view, ``fig`` as a projector shows it: every text larger
    (figures.with_font_size; ui.chart does that for every chart) and, given
    ``height``, that many pixels tall, so that a main picture fits the first
    screen (a figure that lays out its own panels is made that tall instead:
    figure_height). Elsewhere ``fig`` itself. ``fig``, maybe shared, is left as it is."""
    if not presenting():
        return fig
    shown = figures.with_font_size(plotly_figure(fig), PRESENTER_FONT_SIZE)
    if height is not None:
        shown.layout.height = height
    return shown


def figure_height(height: int) -> int | None:
    """In presenter view, the height to make a figure at its own type size
    (figures.FONT) that for_projector shows ``height`` pixels tall; elsewhere
    None (as tall as its panels need)."""
    if not presenting():
        return None
    return round(height * figures.FONT["size"] / PRESENTER_FONT_SIZE)
