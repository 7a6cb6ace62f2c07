"""Cached work: datasets and trained runs, shared by every browser tab (thirty
students asking for the same run train it once), in the app's own caches,
bounded by bytes (ui/cache.py): Streamlit's ``clear_cache`` message, which any
browser can send, does not reach them. Training runs in worker processes,
through the queue of ui/scheduler.py: one request per session, superseded by
the session's next page run, dropped when the session is gone, the smallest
runs first.
"""

from __future__ import annotations

import functools
import multiprocessing
import os
from concurrent.futures import CancelledError, Future

import streamlit as st
from streamlit.runtime import Runtime
from streamlit.runtime.scriptrunner_utils.script_run_context import (
    get_run_yield_check,
    get_script_run_ctx,
)

from recdemo import work_cost
from recdemo.data import DataConfig, make_dataset
from recdemo.exercises import Looked
from recdemo.figures import run_label
from recdemo.metrics import protocol_metrics
from recdemo.mf import MFConfig, mf_references, train_mf
from recdemo.mf_comparison import measure
from recdemo.params import defaults, run_settings
from recdemo.references import References
from recdemo.references import references as compute_references
from recdemo.step_cost import CostConfig, measure_step
from recdemo.train import TrainConfig, TrainingDiverged, one_blas_thread, train
from ui.cache import ByteCache, nbytes, return_freed_memory
from ui.scheduler import ANONYMOUS, WORKER_FAILURES, Scheduler
from ui.settings import data_config, mf_config, train_config
from ui.workers import WorkerPool

MB = 2**20
# What the caches may hold. A trained run keeps its embeddings after every
# epoch: 0.6 MB at the defaults, 9 MB for the largest run the parameters
# allow; a dataset 0.4 to 1 MB. The README's memory ceiling adds these up.
MAX_RUN_BYTES = 256 * MB
MAX_DATASET_BYTES = 32 * MB
# A client (one address) whose running runs are estimated at this many
# worker-seconds gets no further run started while another client's run waits.
CLIENT_BUDGET_SECONDS = 1.0
# Starts of a run whose worker process dies before it is given up: two
# deaths in a row leave the sessions waiting on it their run.
ATTEMPTS = 3
# How often a waiting page run checks whether its session has moved on.
POLL_SECONDS = 0.1
# Training worker processes: one per core, or as many as RECDEMO_TRAINING_WORKERS
# says (a lecture hall shares the cores between its Streamlit processes).
WORKERS = int(os.environ.get("RECDEMO_TRAINING_WORKERS") or os.cpu_count() or 2)


def _run_nbytes(future: Future) -> int:
    """A finished run's size: its snapshots and metrics (a failure keeps only its message)."""
    return nbytes(future.result()) if future.exception() is None else nbytes(future.exception())


DATASETS = ByteCache(MAX_DATASET_BYTES)
RUNS = ByteCache(MAX_RUN_BYTES, size=_run_nbytes)  # the finished runs' futures, by (data, config)

one_blas_thread()  # in this process too: see its docstring
return_freed_memory()


def dataset(config: DataConfig):
    """The dataset of ``config``, shared read-only by every session."""
    return DATASETS.get_or_make(config, lambda: make_dataset(config), wait=wait_for)


def estimated_seconds(data: DataConfig, config: TrainConfig | MFConfig) -> float:
    """A run's cost on one worker, from its sizes (recdemo/work_cost.py), for
    the queue's order and the budget."""
    if isinstance(config, MFConfig):
        return work_cost.mf_seconds(data, config)
    return work_cost.train_seconds(data, config)


# ---------------------------------------------------------------- the queue

def _start_pool() -> WorkerPool:
    """Worker processes. Training runs there because every session of the
    server shares one Python interpreter (one GIL): training in it would stall
    every other student's page, and workers use all the cores. They start from
    a forkserver, not as a copy of the threaded server (forking threads is
    unsafe), and the forkserver imports the library once, so a worker that
    replaces a dead one starts in milliseconds."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["recdemo.train", "recdemo.mf", "recdemo.mf_comparison",
                                    "recdemo.references", "recdemo.step_cost",
                                    "recdemo.worker"])
    return WorkerPool(WORKERS, context, initializer=one_blas_thread)


def _session_alive(session: str) -> bool:
    """A session is gone once its websocket closed (and then it is no longer
    active: a reconnecting browser starts a new page run)."""
    return not Runtime.exists() or bool(Runtime.instance().is_active_session(session))


SCHEDULER = Scheduler(_start_pool, workers=WORKERS, is_alive=_session_alive,
                      results=RUNS, budget=CLIENT_BUDGET_SECONDS, attempts=ATTEMPTS)


def _asker() -> tuple[str, object, str]:
    """Who asks: the session, its page run, and its client (address).

    A page run is named by its ScriptRunContext's ParallelFragmentCoordinator,
    which ScriptRunContext.reset() makes anew at the start of every run: the
    runs one page run asks for are one request, and the next run's first
    request supersedes them. The address is the websocket's peer, or the
    X-Forwarded-For of a proxy on the same machine (uvicorn trusts loopback's)."""
    ctx = get_script_run_ctx(suppress_warning=True)
    if ctx is None:
        return ANONYMOUS, None, ANONYMOUS
    return ctx.session_id, ctx.parallel_coordinator, st.context.ip_address or "loopback"


def training(data: DataConfig, config: TrainConfig | MFConfig) -> Future:
    """The run of ``config`` (a softmax run, or matrix factorization) on
    ``data``, as a future, shared by every session that asks for it. It
    returns at once: a page can ask for its runs early and collect them with
    trained() after drawing its controls. The runs a page run asks for are its
    session's request; its next page run replaces it."""
    # The dataset is made now, in this page run's thread: made when the run
    # starts, it would hold up the thread that starts the next runs.
    dataset(data)
    trainer = train_mf if isinstance(config, MFConfig) else train
    return _queued((data, config), lambda: (trainer, dataset(data), config),
                   estimated_seconds(data, config))


def _queued(key, task, cost: float) -> Future:
    """Ask the queue for ``key``, made by ``task`` in a worker, as this page run."""
    session, page_run, client = _asker()
    return SCHEDULER.request(key, task, cost, session, page_run, client)


def trained(data: DataConfig, config: TrainConfig | MFConfig):
    """The finished run (shared by every session: read it, never change it).
    Raises TrainingDiverged, or ValueError for a run too large, as train()
    does, and one of WORKER_FAILURES if its worker died ATTEMPTS times."""
    return _collected(lambda: training(data, config), (data, config))


def _collected(ask, key, doing: str = "Training the model…"):
    """The result of the future ``ask()`` returns (asked again if a newer
    page run of this session superseded it, and this one is not interrupted)."""
    while True:
        try:
            return _result(ask(), key, doing)
        except CancelledError:
            # Superseded by a newer page run of this session, which interrupts
            # this one at its next check; if none does, ask again.
            _interrupt_if_asked()


def _result(future: Future, key, doing: str):
    if future.done():
        return future.result()
    ahead = SCHEDULER.waiting(key)
    text = (doing if not ahead else
            f"Waiting for a free worker: {ahead} run{'s' * (ahead > 1)} start first…")
    with st.spinner(text):
        while True:
            try:
                return future.result(timeout=POLL_SECONDS)
            except TimeoutError:
                _interrupt_if_asked()


def _interrupt_if_asked() -> None:
    """Raise Streamlit's StopException or RerunException if this page run's
    session closed or asked for a rerun: a page run waiting on a run makes no
    st call, where Streamlit would interrupt it."""
    check = get_run_yield_check()
    if check is not None:
        check()


def wait_for(event) -> None:
    """Wait for ``event`` (another session making what this one needs), and
    stop waiting when this page run is interrupted."""
    while not event.wait(POLL_SECONDS):
        _interrupt_if_asked()


def references(data: DataConfig, k: int, held_out_by_mf: bool = False) -> References:
    """The data's references (the oracle and a random ranking) at cut-off
    ``k``, on the test queries (or, ``held_out_by_mf``, on the positives MF's
    fold-in does not see, as the MF page scores every model), computed in a
    worker (at the largest sizes the oracle takes about a second) and shared by
    every session, like a run."""
    key = ("references", data, k, held_out_by_mf)
    task = (mf_references if held_out_by_mf else compute_references, dataset(data), k)
    return _collected(lambda: _queued(key, lambda: task, work_cost.references_seconds(data)),
                      key, "Measuring the references…")


# ---------------------------------------------------------------- for pages

def mf_comparison(data: DataConfig, mf: MFConfig, observed_only: MFConfig,
                  positives_only: TrainConfig, uniform: TrainConfig, in_group: TrainConfig):
    """The MF page's two tables (mf_comparison.measure), made in a worker: it
    times serving, which the server's own busy process would distort. Shared
    by every session once measured, like a run. If a run it needs did not
    train, or its worker died ATTEMPTS times, an error says so, above the
    session's last tables if it has some (returned instead), else None."""
    key = ("mf comparison", data, mf, observed_only, positives_only, uniform, in_group)

    def tables():
        runs = [trained(data, config) for config in (mf, observed_only, uniform, positives_only,
                                                     in_group)]
        cost = work_cost.mf_comparison_seconds(data, mf, uniform)
        return _collected(lambda: _queued(key, lambda: (measure, dataset(data), *runs), cost),
                          key, "Measuring…")

    return _measured_or_explained(tables, "mf_comparison", "The tables below are the last "
                                  "ones measured.")


def step_costs(config: CostConfig) -> list | None:
    """The cost of a training step (step_cost.measure_step) of every strategy
    at every corpus size of ``config``, with a progress bar: measured in a
    worker, one cell after the other (two at once would time each other),
    and shared by every session once measured, like a run. If a cell's worker
    died ATTEMPTS times, an error says so, above the session's last
    measurement if it has one (returned instead), else None."""
    cells = [(strategy, items) for items in sorted(config.items) for strategy in config.strategies]

    def costs():
        progress = st.progress(0.0, text="Measuring…")
        measured = []
        try:
            for strategy, items in cells:
                progress.progress(len(measured) / len(cells),
                                  text=f"Measuring {strategy} at {items:,} items…")
                measured.append(_collected(functools.partial(_step_cost, strategy, items, config),
                                           ("step cost", strategy, items, config),
                                           "Measuring…"))
        finally:
            progress.empty()
        return measured

    return _measured_or_explained(costs, "step_costs", "The chart and table below are the "
                                  "last measurement that finished.")


def _measured_or_explained(work, slot: str, last_shown: str):
    """``work()``, kept as this session's last good result in ``slot``; or,
    if it fails (a run it needs diverged or is too large, or a worker died
    ATTEMPTS times), an error naming why (after worker deaths, with a button
    to try again: a dead worker is replaced at once, and the failure is not
    cached), then the session's last good result, or None."""
    try:
        result = work()
    except (TrainingDiverged, ValueError, *WORKER_FAILURES) as err:
        last = st.session_state.get(f"last_good_{slot}")
        st.error(_failure_message(err, last is not None, last_shown), icon="🚫")
        if isinstance(err, WORKER_FAILURES):
            st.button("Try again", key=f"try_again_{slot}", icon=":material/refresh:")
        return last
    st.session_state[f"last_good_{slot}"] = result
    return result


def _step_cost(strategy: str, items: int, config: CostConfig) -> Future:
    key = ("step cost", strategy, items, config)
    return _queued(key, lambda: (measure_step, strategy, items, config),
                   work_cost.step_cost_seconds(strategy, items, config))


def looked_at(exercise) -> Looked | None:
    """The runs an exercise's answer reads (exercises.Exercise.runs, each a
    change to the defaults), trained and shared like every run, with their
    data's references; None if one of them did not train."""
    values = [defaults() | run for run in exercise.runs]
    data = data_config(values[0])
    configs = [mf_config(v) if v.get("strategy") == MFConfig.strategy
               else train_config(v, with_switch=True)
               for v in values]
    for config in configs:  # all at once: the workers train them side by side
        training(data, config)
    results = [trained_or_none(data, config) for config in configs]
    if None in results:
        return None
    k = configs[0].k
    return Looked(results, [run_label(config) for config in configs],
                  [run_settings(data, config) for config in configs], references(data, k),
                  dataset(data).test.groups)


PROTOCOLS = ByteCache(1 * MB)  # four numbers a run: about 1,500 runs


def protocols(data: DataConfig, config: TrainConfig) -> dict:
    """A trained run's held-out positives ranked against sampled negatives and
    exactly (metrics.protocol_metrics), shared by every session like the run."""
    def measure():
        result = trained(data, config)
        return protocol_metrics(result.query_embeddings, result.item_embeddings,
                                dataset(data).test, dataset(data).item_groups, config.k)
    return PROTOCOLS.get_or_make((data, config), measure, wait=wait_for)


def train_all(data: DataConfig, strategies, slot: str) -> dict:
    """Train each strategy (with the other settings as they are), with a progress
    bar; returns {strategy: (result, config)} for those that trained."""
    configs = {strategy: train_config(strategy=strategy) for strategy in strategies}
    for config in configs.values():  # all at once: the workers train them side by side
        training(data, config)
    runs = {}
    progress = st.progress(0.0, text="Training…")
    for index, (strategy, config) in enumerate(configs.items()):
        result, config = train_or_explain(data, config, slot=f"{slot}_{strategy}")
        if result is not None:
            runs[strategy] = (result, config)
        progress.progress((index + 1) / len(strategies), text=f"Trained {strategy}")
    progress.empty()
    return runs


def trained_or_none(data: DataConfig, config: TrainConfig):
    """The trained run, or None if it diverges or is too large (for a comparison
    that can do without it)."""
    try:
        return trained(data, config)
    except (TrainingDiverged, ValueError, *WORKER_FAILURES):
        return None


def train_or_explain(data: DataConfig, config: TrainConfig, slot: str):
    """The trained run, or, if it diverged or is too large, an error naming what
    to change and the last run that did train in this ``slot``, if there is one
    (it is shown instead, and the error says so). Returns (result, config),
    (None, None) when nothing can be shown."""
    try:
        result = trained(data, config)
    except (TrainingDiverged, ValueError, *WORKER_FAILURES) as err:
        last = st.session_state.get(f"last_good_{slot}")
        shown = trained_or_none(*last) if last else None
        st.error(_failure_message(err, shown is not None), icon="🚫")
        if isinstance(err, WORKER_FAILURES):
            st.button("Try again", key=f"try_again_{slot}", icon=":material/refresh:")
        return (shown, last[1]) if shown is not None else (None, None)
    st.session_state[f"last_good_{slot}"] = (data, config)
    return result, config


def _failure_message(err: Exception, last_shown: bool,
                     shown: str = "The picture below is the last run that trained.") -> str:
    """Why a run (or a measurement) did not finish, and what the page shows
    instead: ``shown``, only when it follows."""
    if isinstance(err, WORKER_FAILURES):
        message = (f"The server could not finish this work: its worker process stopped "
                   f"{ATTEMPTS} times (out of memory, or stopped by the system). Try again "
                   "(a new worker has started), or make the settings smaller.")
    else:
        message = str(err)[0].upper() + str(err)[1:]
    if last_shown:
        return f"{message} {shown}"
    return f"{message} There is nothing earlier to show instead."
