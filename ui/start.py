"""The server process's set-up, done once, before its first page run
(ui/navigation.py's run_app calls start()): importing ui does none of it."""

from __future__ import annotations

import threading

from streamlit.runtime import app_session

from backend import process

# Streamlit drops a link's whole query string when it is longer than 512 Ki
# characters or has more than 1,000 parameters, and only logs it (AppSession
# calls query_params.sanitize_query_string): the page would open with the
# defaults and no word why. The app's own check names the link's size instead,
# through a query of one parameter that no link of the app has (ui/settings.py
# reads it). It is in place from the page run after start() on.
DROPPED_LINK = "recdemo-dropped-link"

_STARTED = threading.Event()
_STARTING = threading.Lock()


def start() -> None:
    """One BLAS thread and freed memory returned to the system
    (backend/process.py), and a link too long for Streamlit named. Every
    page run calls it; only the first does anything."""
    if _STARTED.is_set():
        return
    with _STARTING:
        if not _STARTED.is_set():
            process.set_up()
            _say_when_a_link_is_dropped()
            _STARTED.set()


def _say_when_a_link_is_dropped() -> None:
    sanitize = app_session.sanitize_query_string
    if getattr(sanitize, "recdemo", False):
        return

    def sanitize_or_say(query_string: str) -> str:
        kept = sanitize(query_string)
        return kept if kept or not query_string else \
            f"{DROPPED_LINK}={len(query_string)},{query_string.count('&') + 1}"

    sanitize_or_say.recdemo = True
    app_session.sanitize_query_string = sanitize_or_say
