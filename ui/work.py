"""The app's shared work, asked for by this session: datasets, trained runs,
references and measurements, shared by every browser tab (thirty students
asking for the same run train it once), in the app's own caches bounded by
bytes (backend/cache.py: Streamlit's ``clear_cache`` message, which any
browser can send, does not reach them). Work runs in worker processes,
through the queue of backend/scheduler.py: one request per session,
superseded by the session's next page run, dropped when the session is
gone, the smallest work first. This module names the session, its page run
and its client for the queue, and waits for the work as Streamlit expects.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from concurrent.futures import CancelledError, Future

import streamlit as st
from streamlit.runtime import Runtime
from streamlit.runtime.scriptrunner_utils.script_run_context import (
    get_run_yield_check,
    get_script_run_ctx,
)

from backend import process
from backend.cache import ByteCache, nbytes
from backend.pool import WorkerPool
from backend.scheduler import ANONYMOUS, Scheduler
from recdemo import work_cost
from recdemo.data import DataConfig, make_dataset
from recdemo.mf import MFConfig, mf_references, train_mf
from recdemo.references import References
from recdemo.references import references as compute_references
from recdemo.sampled_metrics import protocol_metrics
from recdemo.train import TrainConfig, train
from recdemo.wording import quantity

MB = 2**20
# What the caches may hold (docs/deployment.md adds these up to the server's
# memory ceiling). A trained run keeps its embeddings after every epoch, so
# the largest run the parameters allow is many times a default one.
MAX_RUN_BYTES = 256 * MB
MAX_DATASET_BYTES = 32 * MB
# A client (one address) whose running work is estimated at this many
# worker-seconds gets no further work started while another client's waits.
CLIENT_BUDGET_SECONDS = 1.0
# Starts of a run whose worker process dies before it is given up: two
# deaths in a row leave the sessions waiting on it their run.
ATTEMPTS = 3
# How often a waiting page run checks whether its session has moved on.
POLL_SECONDS = 0.1
# Training worker processes: one per core, or as many as RECDEMO_TRAINING_WORKERS
# says (a lecture hall shares the cores between its Streamlit processes).
WORKERS = int(os.environ.get("RECDEMO_TRAINING_WORKERS") or os.cpu_count() or 2)


def _work_nbytes(future: Future) -> int:
    """Finished work's size: a run's snapshots and metrics (a failure keeps only its message)."""
    return nbytes(future.result()) if future.exception() is None else nbytes(future.exception())


DATASETS = ByteCache(MAX_DATASET_BYTES)
RUNS = ByteCache(MAX_RUN_BYTES, size=_work_nbytes)  # finished work's futures, by key

_SCHEDULER: Scheduler | None = None
_SCHEDULER_MADE = threading.Lock()


def scheduler() -> Scheduler:
    """The queue of this server process, made on first use (its workers start
    with its first work)."""
    global _SCHEDULER
    with _SCHEDULER_MADE:
        if _SCHEDULER is None:
            _SCHEDULER = Scheduler(_start_pool, workers=WORKERS, is_alive=_session_alive,
                                   results=RUNS, budget=CLIENT_BUDGET_SECONDS,
                                   attempts=ATTEMPTS, express=True)
        return _SCHEDULER


def _start_pool() -> WorkerPool:
    """Worker processes. Work runs there because every session of the server
    shares one Python interpreter (one GIL): training in it would stall every
    other student's page, and workers use all the cores. They start from a
    forkserver, not as a copy of the threaded server (forking threads is
    unsafe), and the forkserver imports the library once, so a worker that
    replaces a dead one starts in milliseconds. One more, the express worker,
    runs only small work while the others are busy with large work
    (backend/scheduler.py). Each sets itself up as the server does
    (backend/process.py): one BLAS thread, and freed memory handed back, so
    that a worker's RSS falls back after the largest work."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["recdemo.train", "recdemo.mf", "recdemo.mf_comparison",
                                    "recdemo.references", "recdemo.step_cost",
                                    "backend.process", "backend.worker"])
    return WorkerPool(WORKERS, context, initializer=process.set_up, express=1)


def _session_alive(session: str) -> bool:
    """A session is gone once its websocket closed (and then it is no longer
    active: a reconnecting browser starts a new page run)."""
    return not Runtime.exists() or bool(Runtime.instance().is_active_session(session))


def _asker() -> tuple[str, object, str]:
    """Who asks: the session, its page run, and its client (address).

    A page run is named by its ScriptRunContext's ParallelFragmentCoordinator,
    which ScriptRunContext.reset() makes anew at the start of every run: the
    work one page run asks for is one request, and the next run's first
    request supersedes it. The address is the websocket's peer, or the
    X-Forwarded-For of a proxy on the same machine (uvicorn trusts loopback's)."""
    ctx = get_script_run_ctx(suppress_warning=True)
    if ctx is None:
        return ANONYMOUS, None, ANONYMOUS
    return ctx.session_id, ctx.parallel_coordinator, st.context.ip_address or "loopback"


def ask(key, task, cost: float) -> Future:
    """Ask the queue for ``key``, made by ``task()`` -> (function, *arguments)
    in a worker, estimated at ``cost`` worker-seconds, as this page run."""
    session, page_run, client = _asker()
    return scheduler().request(key, task, cost, session, page_run, client)


def collected(asked, key, doing: str):
    """The result of the future ``asked()`` returns, with a spinner saying
    ``doing`` (or how much work starts first) while it is not done; asked
    again if a newer page run of this session superseded it, and this one is
    not interrupted."""
    while True:
        try:
            return _result(asked(), key, doing)
        except CancelledError:
            # Superseded by a newer page run of this session, which interrupts
            # this one at its next check; if none does, ask again.
            _interrupt_if_asked()


def _result(future: Future, key, doing: str):
    if future.done():
        return future.result()
    ahead = scheduler().waiting(key)
    text = (doing if not ahead else
            f"Waiting for a free worker: {quantity(ahead, 'run')} "
            f"{'starts' if ahead == 1 else 'start'} first…")
    with st.spinner(text):
        while True:
            try:
                return future.result(timeout=POLL_SECONDS)
            except TimeoutError:
                _interrupt_if_asked()


def _interrupt_if_asked() -> None:
    """Raise Streamlit's StopException or RerunException if this page run's
    session closed or asked for a rerun: a page run waiting on work makes no
    st call, where Streamlit would interrupt it."""
    check = get_run_yield_check()
    if check is not None:
        check()


def wait_for(event) -> None:
    """Wait for ``event`` (another session making what this one needs), and
    stop waiting when this page run is interrupted."""
    while not event.wait(POLL_SECONDS):
        _interrupt_if_asked()


def dataset(data_config: DataConfig):
    """The dataset of ``data_config``, shared read-only by every session."""
    return DATASETS.get_or_make(data_config, lambda: make_dataset(data_config), wait=wait_for)


def request_run(data_config: DataConfig, config: TrainConfig | MFConfig) -> Future:
    """The run of ``config`` (a softmax run, or matrix factorization) on
    ``data_config``'s dataset, as a future, shared by every session that asks
    for it. It returns at once: a page can ask for its runs early and collect
    them with trained_run() after drawing its controls. The runs a page run
    asks for are its session's request; its next page run replaces it."""
    # The dataset is made now, in this page run's thread: made when the run
    # starts, it would hold up the thread that starts the next runs.
    dataset(data_config)
    trainer = train_mf if isinstance(config, MFConfig) else train
    return ask((data_config, config), lambda: (trainer, dataset(data_config), config),
               work_cost.run_seconds(data_config, config))


def trained_run(data_config: DataConfig, config: TrainConfig | MFConfig):
    """The finished run (shared by every session: read it, never change it).
    Raises TrainingDiverged, or ValueError for a run too large, as train()
    does, and one of WORKER_FAILURES if its worker died ATTEMPTS times."""
    return collected(lambda: request_run(data_config, config), (data_config, config),
                     "Training the model…")


def references(data_config: DataConfig, k: int, held_out_by_mf: bool = False) -> References:
    """The data's references (the oracle and a random ranking) at cut-off
    ``k``, on the test queries (or, ``held_out_by_mf``, on the positives MF's
    fold-in does not see, as the MF page scores every model), computed in a
    worker (at the largest sizes the oracle takes a while) and shared by
    every session, like a run."""
    key = ("references", data_config, k, held_out_by_mf)
    task = (mf_references if held_out_by_mf else compute_references, dataset(data_config), k)
    return collected(lambda: ask(key, lambda: task, work_cost.references_seconds(data_config)),
                     key, "Measuring the references…")


PROTOCOLS = ByteCache(1 * MB)  # four numbers a run: about 1,500 runs


def protocols(data_config: DataConfig, config: TrainConfig) -> dict:
    """A trained run's held-out positives ranked against sampled negatives and
    exactly (sampled_metrics.protocol_metrics), shared by every session like the run."""
    def measure():
        result = trained_run(data_config, config)
        data = dataset(data_config)
        return protocol_metrics(result.query_embeddings, result.item_embeddings,
                                data.test, data.item_groups, config.k)
    return PROTOCOLS.get_or_make((data_config, config), measure, wait=wait_for)
