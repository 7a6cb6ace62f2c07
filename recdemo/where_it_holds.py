"""Where the lesson holds, as measured, and what a page says when a run leaves it.

where_it_holds.json is written by ``python scripts/sweep_lesson.py --table``:
for each setting it swept (one or two parameters away from the defaults),
each group count and each strategy, on how many seeds the run did what the
lesson says it does (verdicts.expected) by the verdict rule. The pages do not
predict from it whether a run will fold: they show the run's verdict. They use
it for two things:

- ``reasons``: when a run does not do what the lesson says, the settings of
  its view at which the sweep found the same failure on most seeds, with
  their counts; when there is none, how often the lesson held at this very
  view if the sweep measured it (on its own seeds, which this one may not be
  among), else what it measured nearby;
- ``warnings``: before the runs are shown, the settings at which the sweep
  found the lesson failing on most seeds.

A count is read only for what it counted: the sweep's row of a strategy at
a setting counts the runs that did what the lesson expects *there*
(positives-only folds, but with gravity it separates), so it speaks for a
view only where the lesson expects the same. The sweep never switches a run
mid-run: of such a run it says nothing.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

from recdemo.params import PARAMS, USED_BY
from recdemo.verdicts import FOLDS, expected

TABLE = json.loads(Path(__file__).with_name("where_it_holds.json").read_text())
# A view's settings that are no swept setting: the sweep's seeds, the strategies
# it trains, and the group counts, an axis of its table of its own.
IGNORED = ("seed", "strategy", "groups")
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
    those no sweep varies, and a switch's target when there is no switch."""
    unused = () if values.get("switch_at") else ("switch_to", "switch_gravity")
    return {name: value for name, value in values.items()
            if name in PARAMS and name not in IGNORED + unused
            and value != PARAMS[name].default}


def read_by(strategy: str, changed: dict) -> dict:
    """Of ``changed``, the settings that ``strategy`` reads (params.USED_BY):
    uniform at temperature 0.05 trains exactly as at the default, so the
    sweep's temperature point says nothing more of it than its defaults."""
    return {name: value for name, value in changed.items()
            if strategy in USED_BY.get(name, (strategy,))}


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


def finding(setting: str, groups: int, strategy: str, expects: str) -> Finding | None:
    """The sweep's count of ``strategy`` at ``setting`` and ``groups``, if it
    counted what the lesson ``expects`` (of this view): None if it did not
    measure it, or counted another expectation (positives-only at a gravity
    setting counts separations, at the others folds)."""
    counts = TABLE["held"].get(setting, {}).get(str(groups), {}).get(strategy)
    gravity = TABLE["settings"].get(setting, {}).get("gravity", 0.0)
    if counts is None or expected(SimpleNamespace(strategy=strategy, gravity=gravity)) != expects:
        return None
    return Finding(setting, groups, strategy, *counts)


def culprits(strategy: str, expects: str, values: dict) -> list[Finding]:
    """The swept settings of this view (the group count itself first, as the
    defaults at it) at which ``strategy`` did what the lesson says (``expects``)
    on at most half the seeds; a setting counts only if it fails more often
    than the defaults at the same group count, which would fail without it.
    Nothing for a run that switches mid-run: the sweep switches none."""
    if values.get("switch_at"):
        return []
    groups = values["groups"]
    base = finding("defaults", groups, strategy, expects)
    found = [base] if base is not None and base.mostly_fails else []
    for name in matching_settings(read_by(strategy, changed_settings(values))):
        f = finding(name, groups, strategy, expects)
        if f is not None and f.mostly_fails and (base is None or f.held < base.held):
            found.append(f)
    return found


def reasons(strategy: str, expects: str, values: dict) -> list[str]:
    """Why a run of ``strategy`` with the settings ``values`` may not have done
    what the lesson says (``expects``), as far as the sweep can tell: a
    sentence per culprit; else, if the sweep measured this very view, that
    this seed is an exception; else what the sweep found near it."""
    if values.get("switch_at"):
        return ["The sweep switches no run mid-run, so it cannot tell whether this is usual."]
    groups, verb = values["groups"], PAST_TENSE[expects]
    found = culprits(strategy, expects, values)
    if found:
        return [f"In the sweep at {_where(f.setting, values)} with {groups} groups, {strategy} "
                f"{verb} on {'none of the' if f.held == 0 else f'only {f.held} of'} {f.runs} seeds."
                for f in found]
    changed = read_by(strategy, changed_settings(values))
    here = [f for name, swept in TABLE["settings"].items() if swept == changed
            if (f := finding(name, groups, strategy, expects)) is not None]
    if here:
        f = here[0]
        # Not "one of the exceptions": the sweep trained its own seeds, maybe not this one.
        seed = values["seed"]
        if f.held == f.runs and seed in TABLE["seeds"]:  # it held there, and not here
            unlike = (f"it trained this very run at commit {TABLE['commit']}, where it {verb}: "
                      "the code or the machine has changed since.")
        else:
            unlike = ("this run is an exception." if f.held == f.runs else
                      f"this run is like the {f.runs - f.held} that did not.")
        return [f"In the sweep at {_where(f.setting, values)} with {groups} groups, {strategy} "
                f"{verb} on {f.held} of {f.runs} seeds ({_seeds(seed)}): {unlike}"]
    near = [f for name in ["defaults", *matching_settings(changed)]
            if (f := finding(name, groups, strategy, expects)) is not None]
    if not near:
        return ["The sweep measured nothing near this view's settings."]
    counts = "; ".join(f"{f.held} of {f.runs} seeds at {_where(f.setting, values)}" for f in near)
    unmeasured = ("settings together; near them" if len(changed) > 1 else
                  "{} {}; near it".format(*[(name.replace("_", " "), PARAMS[name].said(value))
                                           for name, value in changed.items()][0]))
    return [f"The sweep did not measure this view's {unmeasured}, with {groups} groups, "
            f"{strategy} {verb} on {counts}."]


def _seeds(seed: int) -> str:
    """The sweep's seeds, and whether ``seed`` is one: "200 to 209; not seed 13"."""
    seeds = TABLE["seeds"]
    listed = (f"{seeds[0]} to {seeds[-1]}" if seeds == list(range(seeds[0], seeds[-1] + 1))
              else ", ".join(map(str, seeds)))
    return f"{listed}; " + (f"seed {seed} among them" if seed in seeds else f"not seed {seed}")


def warnings(strategies: dict, values: dict) -> list[str]:
    """Before the runs: a sentence with the counts for each culprit of any of
    ``strategies`` (name -> what the lesson expects of it)."""
    by_setting: dict[str, list] = {}
    for strategy, expects in strategies.items():
        for f in culprits(strategy, expects, values):
            by_setting.setdefault(f.setting, []).append(
                (f"{strategy} {PAST_TENSE[expects]} on {f.held} of {f.runs}", f.held))
    # Each sentence of its own sweep point (two can disagree: the defaults' and a setting's).
    return [f"In the sweep at {_where(setting, values)} with {values['groups']} groups, "
            f"{'; '.join(count for count, _ in counts)} seeds: the lesson {_how_well(counts)} "
            "there, and may not hold here."
            for setting, counts in by_setting.items()]


def _how_well(counts: list) -> str:
    """On none of the sweep's seeds the lesson did not hold; on some, it was unreliable."""
    return "was unreliable" if any(held for _, held in counts) else "did not hold"


def _where(setting: str, values: dict) -> str:
    return "the default settings" if setting == "defaults" else _described(setting, values)


def _described(setting: str, values: dict) -> str:
    """The setting's name, and this view's value where it is not the one swept."""
    swept = TABLE["settings"][setting]
    own = [f"{param.replace('_', ' ')} {PARAMS[param].said(values[param])}"
           for param in swept if values[param] != swept[param]]
    # The nearest on the same side of the default: the defaults are a point of their own.
    return setting + (f" (the nearest measured to {', '.join(own)} on its side of the default)"
                      if own else "")


def _same_side(param: str, swept, value) -> bool:
    default = PARAMS[param].default
    if isinstance(default, bool):
        return swept == value
    return (swept > default) == (value > default)


def _distance(param: str, swept, value) -> float:
    if isinstance(swept, bool):
        return 0.0
    return abs(math.log(value + 1e-3) - math.log(swept + 1e-3))
