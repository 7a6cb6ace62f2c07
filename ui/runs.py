"""Cached work: datasets and trained models, cached by their full configuration
in bounded caches and shared by every browser tab (thirty students asking for
the same run train it once). Training runs in worker processes.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

import streamlit as st

from recdemo.data import DataConfig, make_dataset
from recdemo.mf import MFConfig, train_mf
from recdemo.mf_comparison import measure
from recdemo.step_cost import CostConfig, measure_step
from recdemo.train import TrainConfig, TrainingDiverged, one_blas_thread, train
from ui.settings import train_config

# Bounded caches. A trained run keeps its embeddings after every epoch: 0.3 MB
# at the defaults, 9 MB for the largest run the parameter ranges allow.
MAX_RUNS = 96
# Cache keys: a config's repr names every field, and hashing it is 15 times
# faster than Streamlit's general hashing of a dataclass, on every page run.
CONFIG_HASH = {DataConfig: repr, TrainConfig: repr, MFConfig: repr, CostConfig: repr}


@st.cache_data(max_entries=MAX_RUNS, show_spinner=False, hash_funcs=CONFIG_HASH)
def dataset(config: DataConfig):
    return make_dataset(config)


_pool: ProcessPoolExecutor | None = None  # the training workers, started on first use
_pool_lock = threading.Lock()  # sessions run in threads: one pool, made once

one_blas_thread()  # in this process too: see its docstring


@st.cache_resource(max_entries=MAX_RUNS, show_spinner=False, hash_funcs=CONFIG_HASH)
def training(data: DataConfig, config: TrainConfig) -> Future:
    """The run of ``config`` on ``data``, as a future: sent to a worker process
    on the first request and then shared by every session, so identical
    configurations train once. It returns at once; a page can start its runs
    early and collect them with trained() after drawing its controls.

    Training runs in worker processes because every session of the server
    shares one Python interpreter (one GIL): training there would stall every
    other student's page, and workers use all the cores. The worker is sent
    the dataset this process has already made.
    """
    examples = dataset(data)
    trainer = train_mf if isinstance(config, MFConfig) else train
    pool = _training_pool()
    try:
        return pool.submit(trainer, examples, config)
    except BrokenProcessPool:  # a worker died (killed, out of memory): start afresh
        return _training_pool(broken=pool).submit(trainer, examples, config)


# A worker process that dies (killed, out of memory) or runs out of memory
# loses that run, not the configuration: the run is trained again, once.
WORKER_FAILURES = (BrokenProcessPool, MemoryError)
_retry_lock = threading.Lock()


def trained(data: DataConfig, config: TrainConfig):
    """The finished run (shared by every session: read it, never change it).
    Raises TrainingDiverged, or ValueError for a run too large, as train()
    does, and one of WORKER_FAILURES if its worker failed twice."""
    future = training(data, config)
    try:
        return _result(future)
    except WORKER_FAILURES:
        with _retry_lock:  # the sessions waiting on it restart it once, not each
            if training(data, config) is future:
                training.clear(data, config)
        return _result(training(data, config))


def _result(future: Future):
    if future.done():
        return future.result()
    with st.spinner("Training the model…"):
        return future.result()


def _training_pool(broken: ProcessPoolExecutor | None = None) -> ProcessPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None or _pool is broken:
            workers = os.cpu_count() or 2
            # forkserver: workers start from a clean process, not a copy of the
            # threaded server (forking threads is unsafe).
            _pool = ProcessPoolExecutor(max_workers=workers,
                                        mp_context=multiprocessing.get_context("forkserver"),
                                        initializer=one_blas_thread)
            # Start every worker now (each imports numpy and the library, most
            # of a CPU-second), not when a class first asks for two runs at once.
            for _ in range(workers):
                _pool.submit(os.getpid)
        return _pool


@st.cache_resource(max_entries=MAX_RUNS, show_spinner="Measuring…", hash_funcs=CONFIG_HASH)
def mf_comparison(data: DataConfig, mf: MFConfig, observed_only: MFConfig,
                  positives_only: TrainConfig, uniform: TrainConfig, in_group: TrainConfig):
    """The MF page's two tables (mf_comparison.measure), made in a worker: it
    times serving, which the server's own busy process would distort."""
    runs = [trained(data, config) for config in (mf, observed_only, uniform, positives_only,
                                                 in_group)]
    return _training_pool().submit(measure, dataset(data), *runs).result()


@st.cache_resource(max_entries=MAX_RUNS, show_spinner=False, hash_funcs=CONFIG_HASH)
def _step_cost(strategy: str, items: int, config: CostConfig) -> Future:
    return _training_pool().submit(measure_step, strategy, items, config)


def step_costs(config: CostConfig) -> list:
    """The cost of a training step (step_cost.measure_step) of every strategy
    at every corpus size of ``config``, with a progress bar: measured in a
    worker, one cell after the other (two at once would time each other),
    and shared by every session once measured."""
    cells = [(strategy, items) for items in sorted(config.items) for strategy in config.strategies]
    progress = st.progress(0.0, text="Measuring…")
    costs = []
    for strategy, items in cells:
        progress.progress(len(costs) / len(cells),
                          text=f"Measuring {strategy} at {items:,} items…")
        costs.append(_step_cost(strategy, items, config).result())
    progress.empty()
    return costs


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
    to change and the last run that did train in this ``slot`` (or None).
    Returns (result, config)."""
    try:
        result = trained(data, config)
    except (TrainingDiverged, ValueError, *WORKER_FAILURES) as err:
        if isinstance(err, WORKER_FAILURES):
            message = ("The server could not finish this run: its worker process stopped "
                       "(out of memory?). Reload the page to try again, or make the run smaller.")
        else:
            message = str(err)[0].upper() + str(err)[1:]
        st.error(f"{message} The picture below is the last run that trained.", icon="🚫")
        last = st.session_state.get(f"last_good_{slot}")
        return (trained(*last), last[1]) if last else (None, None)
    st.session_state[f"last_good_{slot}"] = (data, config)
    return result, config
