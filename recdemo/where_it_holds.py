"""Where the lesson holds, as measured, and what a page says when a run leaves it.

where_it_holds.json is written by ``python scripts/sweep_lesson.py --table``:
for each setting it swept (one or two parameters away from the defaults),
each group count and each strategy, on how many seeds the run did what the
lesson says it does (verdicts.expected) by the verdict rule. The pages do not
predict from it whether a run will fold: they show the run's verdict. They use
it for two things:

- ``reasons``: when a run does not do what the lesson says, the settings of
  its view at which the sweep found the same failure on most seeds, with
  their counts (or, when there is none, that this seed is an exception);
- ``warnings``: before the runs are shown, the settings at which the sweep
  found the lesson failing on most seeds.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

from recdemo.params import PARAMS
from recdemo.verdicts import FOLDS

TABLE = json.loads(Path(__file__).with_name("where_it_holds.json").read_text())
IGNORED = ("seed", "strategy")  # a view's settings that no sweep varies
PAST_TENSE = {FOLDS: "folded", "separates": "separated"}


@dataclass(frozen=True)
class Finding:
    """How often ``strategy`` did what the lesson says at one swept setting."""

    setting: str  # its name in the table, e.g. "learning rate 0.01"
    groups: int
    strategy: str
    held: int  # runs that did what the lesson says
    runs: int

    @property
    def mostly_fails(self) -> bool:
        return 2 * self.held <= self.runs


def changed_settings(values: dict) -> dict:
    """The settings in ``values`` (names of the parameter table; any other
    name, a view's, is not the run's) that differ from their defaults, but
    those no sweep varies."""
    return {name: value for name, value in values.items()
            if name in PARAMS and name not in IGNORED and value != PARAMS[name].default}


def matching_settings(changed: dict) -> list[str]:
    """The swept settings nearest to ``changed``: for each set of parameters a
    swept setting varies, all of them changed here and on the same side of
    their defaults, the setting whose values are nearest; a setting that
    varies several of the changed parameters replaces those that vary one."""
    best: dict[tuple, tuple[float, str]] = {}
    for name, swept in TABLE["settings"].items():
        if not swept or not set(swept) <= set(changed):
            continue
        if not all(_same_side(param, swept[param], changed[param]) for param in swept):
            continue
        distance = sum(_distance(param, swept[param], changed[param]) for param in swept)
        key = tuple(sorted(swept))
        if key not in best or distance < best[key][0]:
            best[key] = (distance, name)
    keys = list(best)
    return [best[key][1] for key in keys
            if not any(set(key) < set(other) for other in keys)]


def finding(setting: str, groups: int, strategy: str) -> Finding | None:
    counts = TABLE["held"].get(setting, {}).get(str(groups), {}).get(strategy)
    return None if counts is None else Finding(setting, groups, strategy, *counts)


def culprits(strategy: str, values: dict) -> list[Finding]:
    """The swept settings of this view (the group count itself first, as the
    defaults at it) at which ``strategy`` did what the lesson says on at most
    half the seeds; a setting counts only if it fails more often than the
    defaults at the same group count, which would fail without it."""
    groups = values["groups"]
    base = finding("defaults", groups, strategy)
    found = [base] if base is not None and base.mostly_fails else []
    for name in matching_settings(changed_settings(values)):
        f = finding(name, groups, strategy)
        if f is not None and f.mostly_fails and (base is None or f.held < base.held):
            found.append(f)
    return found


def reasons(strategy: str, expected: str, values: dict) -> list[str]:
    """Why a run of ``strategy`` with the settings ``values`` may not have done
    what the lesson says (``expected``), as far as the sweep can tell: a
    sentence per culprit, or one that says the sweep knows none."""
    groups, verb = values["groups"], PAST_TENSE[expected]
    found = culprits(strategy, values)
    if found:
        return [f"In the sweep at {_where(f.setting, values)} with {groups} groups, {strategy} "
                f"{verb} on only {f.held} of {f.runs} seeds." for f in found]
    base = finding("defaults", groups, strategy)
    measured = f" ({base.held} of {base.runs} at the defaults)" if base else ""
    return [f"The sweep knows no setting of this view at which {strategy} mostly fails to "
            f"do so{measured}: this seed is one of the exceptions."]


def warnings(strategies: dict, values: dict) -> list[str]:
    """Before the runs: a sentence with the counts for each culprit of any of
    ``strategies`` (name -> what the lesson expects of it)."""
    by_setting: dict[str, list[str]] = {}
    for strategy, expected in strategies.items():
        for f in culprits(strategy, values):
            by_setting.setdefault(f.setting, []).append(
                f"{strategy} {PAST_TENSE[expected]} on {f.held} of {f.runs}")
    return [f"The lesson is unreliable here: in the sweep at {_where(setting, values)} with "
            f"{values['groups']} groups, {'; '.join(counts)} seeds."
            for setting, counts in by_setting.items()]


def _where(setting: str, values: dict) -> str:
    return "the default settings" if setting == "defaults" else _described(setting, values)


def _described(setting: str, values: dict) -> str:
    """The setting's name, and this view's value where it is not the one swept."""
    swept = TABLE["settings"][setting]
    own = [f"{param.replace('_', ' ')} {PARAMS[param].format(values[param]).removesuffix('.0')}"
           for param in swept if values[param] != swept[param]]
    return setting + (f" (the nearest measured to {', '.join(own)})" if own else "")


def _same_side(param: str, swept, value) -> bool:
    default = PARAMS[param].default
    if isinstance(default, bool):
        return swept == value
    return (swept > default) == (value > default)


def _distance(param: str, swept, value) -> float:
    if isinstance(swept, bool):
        return 0.0
    return abs(math.log(value + 1e-3) - math.log(swept + 1e-3))
