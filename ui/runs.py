"""What a page shows of the shared work (ui/work.py): its runs, or the last
good ones and an error naming why not; progress bars over several runs or
measurement cells; the MF page's tables and an exercise's runs.
"""

from __future__ import annotations

import functools
from typing import NamedTuple

import streamlit as st

from backend.scheduler import WORKER_FAILURES
from recdemo import work_cost
from recdemo.data import DataConfig
from recdemo.exercises import Looked
from recdemo.figures import run_label
from recdemo.mf import MFConfig
from recdemo.mf_comparison import measure
from recdemo.params import PARAMS, defaults, run_settings
from recdemo.step_cost import CostConfig, measure_step
from recdemo.train import TrainConfig, TrainingDiverged
from ui.settings import data_config as settings_data_config
from ui.settings import mf_config, train_config
from ui.work import (
    ATTEMPTS,
    ask,
    collected,
    dataset,
    request_run,
    trained_run,
)
from ui.work import references as shared_references

# Why work did not finish after its worker's deaths, in every message that says so.
WORKER_STOPPED = (f"its worker process stopped {ATTEMPTS} times (out of memory, or stopped by "
                  "the system)")


def trained_run_or_none(data_config: DataConfig, config: TrainConfig | MFConfig):
    """The trained run, or None if it diverges or is too large, or its worker
    died ATTEMPTS times (for a comparison that can do without it)."""
    return trained_run_or_why(data_config, config)[0]


def trained_run_or_why(data_config: DataConfig, config: TrainConfig | MFConfig):
    """(the trained run, "") or (None, why it did not train, in a few words),
    for a sentence that reads the run where it trained."""
    try:
        return trained_run(data_config, config), ""
    except TrainingDiverged:
        return None, "it diverged"
    except ValueError:
        return None, "it is too large for this server"
    except WORKER_FAILURES:
        return None, WORKER_STOPPED


class Shown(NamedTuple):
    """Runs a page shows, all of one data: the settings' own, or the last that
    trained in its slot (its references, verdicts and figures are of ``data_config``)."""
    data_config: DataConfig
    results: tuple
    configs: tuple


def trained_or_explain(data_config: DataConfig, configs: tuple, slot: str,
                       same_data: bool = False,
                       last_shown: str = "The picture below is the last run that trained.",
                       of: str = "", errors: dict | None = None):
    """The trained runs of ``configs`` on ``data_config``, or, if one diverged or
    is too large, an error naming what to change and the last runs that did
    train together in this ``slot``, if there are some (shown instead, with
    their own data and configs, and the error says so; with ``same_data``,
    only runs of ``data_config``; ``of`` names the run in the error, where a
    page trains several, and ``errors`` collects such an error, message ->
    the runs it is of, for the page to say once). Returns a Shown, or None
    when nothing can be shown."""
    try:
        results = tuple(trained_run(data_config, config) for config in configs)
    except (TrainingDiverged, ValueError, *WORKER_FAILURES) as err:
        last = st.session_state.get(f"last_good_{slot}")
        if last is not None and same_data and last[0] != data_config:
            last = None
        shown = None
        if last is not None:
            results = tuple(trained_run_or_none(last[0], config) for config in last[1])
            shown = None if None in results else Shown(last[0], results, last[1])
        if shown is not None and (changed := _changes((shown.data_config, *shown.configs),
                                                      (data_config, *configs))):
            last_shown += f" It is of the settings it trained with: {changed}."
        if errors is not None and not isinstance(err, WORKER_FAILURES):  # no button to place
            errors.setdefault(_message(err, shown is not None, last_shown), []).append(of)
        else:
            _explain(err, shown is not None, slot, last_shown, of)
        return shown
    st.session_state[f"last_good_{slot}"] = (data_config, tuple(configs))
    return Shown(data_config, results, tuple(configs))


def _changes(shown: tuple, now: tuple) -> str:
    """The settings of ``shown`` (a data config, then run configs) that differ
    from ``now``'s, each once, as "positives 5 (now 1), k 10 (now 50)"."""
    def text(name, value):  # as the run's label writes it: 10, not 10.0
        return PARAMS[name].said(value) if name in PARAMS else str(value)

    changed = {}
    for then, current in zip(shown, now, strict=True):
        for name in type(then).__dataclass_fields__:
            if getattr(then, name) != getattr(current, name):
                changed.setdefault(name, f"{name} {text(name, getattr(then, name))} "
                                         f"(now {text(name, getattr(current, name))})")
    return ", ".join(changed.values())


def trained_runs(data_config: DataConfig, strategies, slot: str) -> dict:
    """Train each strategy (with the other settings as they are), with a progress
    bar; returns {strategy: (result, config)} for those that trained."""
    configs = {strategy: train_config(strategy=strategy) for strategy in strategies}
    for config in configs.values():  # all at once: the workers train them side by side
        request_run(data_config, config)
    runs, errors = {}, {}
    progress = st.progress(0.0, text="Training…")
    for index, (strategy, config) in enumerate(configs.items()):
        # Only runs of this data: the page's references and figures are of it.
        shown = trained_or_explain(data_config, (config,), slot=f"{slot}_{strategy}",
                                   same_data=True, of=strategy, errors=errors,
                                   last_shown="Shown below instead: the last run that trained "
                                              "on this data.")
        if shown is not None:
            runs[strategy] = (shown.results[0], shown.configs[0])
        progress.progress((index + 1) / len(strategies), text=f"Trained {strategy}")
    progress.empty()
    # One error for the runs that failed alike (the step limit is every run's).
    for message, names in errors.items():
        st.error(f"**{', '.join(names)}**: {message}", icon=":material/block:")
    return runs


class Tables(NamedTuple):
    """The MF page's tables (mf_comparison.Comparison) with the data and the
    MF settings they were measured with: the session's last ones may be of others."""
    data_config: DataConfig
    mf: MFConfig
    comparison: object


def mf_comparison(data_config: DataConfig, *, mf: MFConfig, observed_only: MFConfig,
                  positives_only: TrainConfig, uniform: TrainConfig, in_group: TrainConfig):
    """The MF page's two tables (mf_comparison.measure), made in a worker: it
    times serving, which the server's own busy process would distort. Shared
    by every session once measured, like a run. If a run it needs did not
    train, or its worker died ATTEMPTS times, an error says so, above the
    session's last tables if it has some (returned instead), else None.
    Returns Tables."""
    key = ("mf comparison", data_config, mf, observed_only, positives_only, uniform, in_group)

    def tables():
        runs = {name: trained_run(data_config, config) for name, config in (
            ("mf", mf), ("observed_only", observed_only), ("positives_only", positives_only),
            ("uniform", uniform), ("in_group", in_group))}
        cost = work_cost.mf_comparison_seconds(data_config, mf, uniform)
        task = (functools.partial(measure, **runs), dataset(data_config))
        return Tables(data_config, mf,
                      collected(lambda: ask(key, lambda: task, cost), key, "Measuring…"))

    return _measured_or_explained(tables, "mf_comparison", "The tables below are the last "
                                  "ones measured.")


def step_costs(config: CostConfig) -> list | None:
    """The cost of a training step (step_cost.measure_step) of every strategy
    at every corpus size of ``config``, with a progress bar: measured in a
    worker, one cell after the other (two at once would time each other),
    and shared by every session once measured, like a run. If a cell's worker
    died ATTEMPTS times, an error says so, above the session's last
    measurement if it has one (returned instead), else None."""
    cells = [(strategy, n_items) for n_items in sorted(config.corpus_sizes)
             for strategy in config.strategies]

    def cell(strategy: str, n_items: int):
        key = ("step cost", strategy, n_items, config)
        task = (measure_step, strategy, n_items, config)
        cost = work_cost.step_cost_seconds(strategy, n_items, config)
        return collected(lambda: ask(key, lambda: task, cost), key, "Measuring…")

    def costs():
        progress = st.progress(0.0, text="Measuring…")
        measured = []
        try:
            for strategy, n_items in cells:
                progress.progress(len(measured) / len(cells),
                                  text=f"Measuring {strategy} at {n_items:,} items…")
                measured.append(cell(strategy, n_items))
        finally:
            progress.empty()
        return measured

    return _measured_or_explained(costs, "step_costs", "The chart and table below are the "
                                  "last measurement that finished.")


def references(data_config: DataConfig, k: int, held_out_by_mf: bool = False):
    """The data's references (ui.work.references); if their worker died
    ATTEMPTS times, an error saying so with a Try again button, and the page
    stops there: every verdict and sentence below reads them."""
    try:
        return shared_references(data_config, k, held_out_by_mf)
    except WORKER_FAILURES as err:
        _explain(err, False, "references", of="the references")
        st.stop()


def looked_at(exercise) -> Looked | None:
    """The runs an exercise's answer reads (exercises.Exercise.runs, each a
    change to the defaults), trained and shared like every run, with their
    data's references; None if one of them did not train, after an error
    saying why (with a Try again button where its worker died)."""
    values = [defaults() | run for run in exercise.runs]
    data_config = settings_data_config(values[0])
    configs = [mf_config(v) if v.get("strategy") == MFConfig.strategy
               else train_config(v, with_switch=True)
               for v in values]
    for config in configs:  # all at once: the workers train them side by side
        request_run(data_config, config)
    try:
        results = [trained_run(data_config, config) for config in configs]
    except (TrainingDiverged, ValueError, *WORKER_FAILURES) as err:
        # The exercise's own settings: there is nothing smaller to make.
        why = (f": {WORKER_STOPPED}. Try again: a new worker has started."
               if isinstance(err, WORKER_FAILURES) else f". {err}")
        st.error(f"A run this answer reads did not train{why}", icon=":material/block:")
        if isinstance(err, WORKER_FAILURES):
            st.button("Try again", key="try_again_exercise", icon=":material/refresh:")
        return None
    return Looked(results, [run_label(config) for config in configs],
                  [run_settings(data_config, config) for config in configs],
                  references(data_config, configs[0].k), dataset(data_config).test.groups)


def _measured_or_explained(work, slot: str, last_shown: str):
    """``work()``, kept as this session's last good result in ``slot``; or,
    if it fails (a run it needs diverged or is too large, or a worker died
    ATTEMPTS times), an error naming why, then the session's last good
    result, or None."""
    try:
        result = work()
    except (TrainingDiverged, ValueError, *WORKER_FAILURES) as err:
        last = st.session_state.get(f"last_good_{slot}")
        _explain(err, last is not None, slot, last_shown)
        return last
    st.session_state[f"last_good_{slot}"] = result
    return result


def _message(err: Exception, last_shown: bool, shown: str) -> str:
    """Why work did not finish, and what the page shows instead (``shown``,
    only where it follows)."""
    if isinstance(err, WORKER_FAILURES):
        message = (f"The server could not finish this work: {WORKER_STOPPED}. Try again "
                   "(a new worker has started), or make the settings smaller.")
    else:  # the library's sentence as it is: it may start with a parameter's name
        message = str(err) if str(err).endswith((".", "!", "?")) else f"{err}."
    return message + (f" {shown}" if last_shown else " There is nothing earlier to show instead.")


def _explain(err: Exception, last_shown: bool, slot: str,
             shown: str = "The picture below is the last run that trained.",
             of: str = "") -> None:
    """Why work did not finish (``of`` names the run, where a page has several),
    and what the page shows instead: ``shown``, only when it follows. After
    worker deaths, a button to try again: a dead worker is replaced at once,
    and the failure is not cached."""
    message = _message(err, last_shown, shown)
    st.error(f"**{of}**: {message}" if of else message, icon=":material/block:")
    if isinstance(err, WORKER_FAILURES):
        st.button("Try again", key=f"try_again_{slot}", icon=":material/refresh:")
