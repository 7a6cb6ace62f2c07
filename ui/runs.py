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
import math
import multiprocessing
import os
from concurrent.futures import CancelledError, Future

import streamlit as st
from streamlit.runtime import Runtime
from streamlit.runtime.scriptrunner_utils.script_run_context import (
    get_run_yield_check,
    get_script_run_ctx,
)

from recdemo.data import FEATURES, DataConfig, make_dataset
from recdemo.mf import MFConfig, train_mf
from recdemo.mf_comparison import measure
from recdemo.step_cost import CostConfig, measure_step
from recdemo.train import TrainConfig, TrainingDiverged, one_blas_thread, train
from ui.cache import ByteCache, nbytes, return_freed_memory
from ui.scheduler import ANONYMOUS, WORKER_FAILURES, Scheduler
from ui.settings import train_config
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


# Seconds per unit of each term of estimated_seconds: a least-squares fit
# (relative error) to 70 random configurations timed with one BLAS thread on
# the development machine; within a factor of 2 for 9 runs out of 10.
STEP_SECONDS, TOWER_SECONDS, SCORE_SECONDS, HARD_SECONDS, METRIC_SECONDS = (
    2.7e-4, 1.1e-9, 1.9e-10, 2.9e-8, 1.8e-9)
# Measured likewise: a matrix factorization (WALS) run takes 0.04 to 0.13 s, the
# MF page's measurements 0.8 s, a timed training step (with its warm-up and
# repeats) per million items 12 s with the full softmax and 0.5 s sampled.
MF_SECONDS, MF_MEASURE_SECONDS = 0.13, 0.8
FULL_STEP_SECONDS, SAMPLED_STEP_SECONDS = 12e-6, 0.5e-6  # per item


def estimated_seconds(data: DataConfig, config: TrainConfig | MFConfig) -> float:
    """A run's cost on one worker, from its sizes, for the queue's order and the
    budget: per gradient step, per query through the tower and the scored items,
    and the metrics on the test queries after every epoch. Fitted to runs timed
    on the development machine. Matrix factorization counts as a small run."""
    if isinstance(config, MFConfig):
        return MF_SECONDS
    items = data.groups * data.items_per_group
    train_queries = data.groups * data.queries_per_group
    test_queries = data.groups * data.test_queries_per_group
    steps = config.epochs * -(-train_queries // config.batch_size)
    if config.strategy in ("full", "hard"):
        scored = items  # every item, for every query
    else:
        scored = data.positives + (config.negatives if config.strategy != "positives-only" else 0)
    hard = config.epochs * train_queries * items if config.strategy == "hard" else 0
    return (STEP_SECONDS * steps
            + TOWER_SECONDS * config.epochs * train_queries * (FEATURES + config.dim)
            * config.hidden
            + SCORE_SECONDS * config.epochs * train_queries * scored * config.dim
            + HARD_SECONDS * hard
            + METRIC_SECONDS * (config.epochs + 1) * test_queries * items
            * (config.dim + math.log2(items)))


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
                                    "recdemo.step_cost", "recdemo.worker"])
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


# ---------------------------------------------------------------- for pages

def mf_comparison(data: DataConfig, mf: MFConfig, observed_only: MFConfig,
                  positives_only: TrainConfig, uniform: TrainConfig, in_group: TrainConfig):
    """The MF page's two tables (mf_comparison.measure), made in a worker: it
    times serving, which the server's own busy process would distort. Shared
    by every session once measured, like a run."""
    runs = [trained(data, config) for config in (mf, observed_only, uniform, positives_only,
                                                 in_group)]
    key = ("mf comparison", data, mf, observed_only, positives_only, uniform, in_group)
    return _collected(lambda: _queued(key, lambda: (measure, dataset(data), *runs),
                                      MF_MEASURE_SECONDS), key, "Measuring…")


def step_costs(config: CostConfig) -> list:
    """The cost of a training step (step_cost.measure_step) of every strategy
    at every corpus size of ``config``, with a progress bar: measured in a
    worker, one cell after the other (two at once would time each other),
    and shared by every session once measured, like a run."""
    cells = [(strategy, items) for items in sorted(config.items) for strategy in config.strategies]
    progress = st.progress(0.0, text="Measuring…")
    costs = []
    for strategy, items in cells:
        progress.progress(len(costs) / len(cells),
                          text=f"Measuring {strategy} at {items:,} items…")
        costs.append(_collected(functools.partial(_step_cost, strategy, items, config),
                                ("step cost", strategy, items, config), "Measuring…"))
    progress.empty()
    return costs


def _step_cost(strategy: str, items: int, config: CostConfig) -> Future:
    seconds = (FULL_STEP_SECONDS if strategy == "full" else SAMPLED_STEP_SECONDS) * items
    return _queued(("step cost", strategy, items, config),
                   lambda: (measure_step, strategy, items, config), seconds)


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
        return (shown, last[1]) if shown is not None else (None, None)
    st.session_state[f"last_good_{slot}"] = (data, config)
    return result, config


def _failure_message(err: Exception, last_shown: bool) -> str:
    """Why a run did not train, and what the page shows instead: the last run
    that trained, only when one follows."""
    if isinstance(err, WORKER_FAILURES):
        message = (f"The server could not finish this run: its worker process stopped "
                   f"{ATTEMPTS} times (out of memory?). Reload the page to try again, or "
                   "make the run smaller.")
    else:
        message = str(err)[0].upper() + str(err)[1:]
    if last_shown:
        return f"{message} The picture below is the last run that trained."
    return f"{message} There is no earlier run to show instead."
