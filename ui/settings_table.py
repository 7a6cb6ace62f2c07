"""Every setting a link carries: the library's parameters (recdemo/params.py:
the data, the softmax model, matrix factorization) and the rows of what the
app shows, which the library never reads; and the text of a link's
parameters, parsed and written by those rows.
"""

from __future__ import annotations

import difflib
from typing import Any

from recdemo.exercises import EXERCISES
from recdemo.params import PARAMS, Param, ParamError

# What the app shows: the view, not the model.
VIEW_PARAMS: dict[str, Param] = {p.name: p for p in [
    Param("components", int, 3, "PCA components of the embedding picture", "view",
          choices=(2, 3)),
    # The URL's "query" (the inspected query; a link's other "query" is its query string).
    Param("query", int, 0, "test query shown in the query inspector", "view", 0, 399),
    Param("exercise", int, 1, "the exercise shown on the Exercises page", "view", 1,
          len(EXERCISES)),
    Param("largest_corpus", int, 100_000, "the largest corpus the Why sample? page measures",
          "view", choices=(10_000, 100_000, 1_000_000)),
    Param("present", bool, False, "presenter view: no sidebar, larger type", "view"),
]}
# Which controls a link hides: any but these two, which belong to the link itself.
VIEW_PARAMS["hide"] = Param("hide", tuple, (), "controls to hide, comma-separated names", "view",
                            choices=(*PARAMS, *(n for n in VIEW_PARAMS if n != "present")))

SETTINGS: dict[str, Param] = {**PARAMS, **VIEW_PARAMS}
LINK_OWN = ("present", "hide")  # kept when the settings go back to their defaults


def default_settings() -> dict[str, Any]:
    """Every setting's default, the view's too (params.defaults: the runs' only)."""
    return {name: param.default for name, param in SETTINGS.items()}


def parse_link_params(params: dict[str, str | list[str]]) -> tuple[dict[str, Any],
                                                                   list[ParamError]]:
    """Parse a link's parameters (each a text, or the list of texts of a key
    given several times) into a complete settings dict.

    Unknown keys are ignored; a bad value, or a parameter given more than once
    (which one did the link mean?), falls back to its default and adds an
    error that names the parameter and its allowed values.
    """
    settings = default_settings()
    errors = []
    for name, param in SETTINGS.items():
        texts = params.get(name, [])
        texts = [texts] if isinstance(texts, str) else list(texts)
        try:
            if len(texts) > 1:
                raise ParamError(name, f"{name} must be given once, as {param.allowed()}",
                                 "&".join(f"{name}={text}" for text in texts))
            if texts:
                settings[name] = param.parse(texts[0])
        except ParamError as err:
            errors.append(err)
    return settings, errors


# The symbols the pages write for a setting (the MF page's $w_0$), which a
# teacher may write in a link; no setting's name is close to them.
SYMBOLS = {"w0": "unobserved_weight"}


def near_misses(keys) -> dict[str, str]:
    """A link's keys that are no setting but read like one, with the setting
    they may mean ("presenter": "present", "w0": "unobserved_weight"); other
    unknown keys (a tracker's "utm_source", Streamlit's "embed") are no
    concern of the app."""
    return {key: close[0] for key in keys if key not in SETTINGS
            and (close := [SYMBOLS[key]] if key in SYMBOLS else
                 difflib.get_close_matches(key, SETTINGS, n=1, cutoff=0.75))}


def link_params(settings: dict[str, Any]) -> dict[str, str]:
    """A link's parameters: the settings that differ from their defaults (short links)."""
    return {
        name: SETTINGS[name].format(value)
        for name, value in settings.items()
        if name in SETTINGS and value != SETTINGS[name].default
    }
