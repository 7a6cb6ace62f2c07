"""ui.runs: shared training, outside any page: runs are shared, and a dead worker
process does not take training down with it."""

import logging

import pytest
import streamlit as st

import ui
from recdemo.data import DataConfig
from recdemo.train import TrainConfig

DATA = DataConfig(groups=2, items_per_group=10, queries_per_group=10, test_queries_per_group=5)


@pytest.fixture(autouse=True)
def fresh_caches():
    logging.getLogger("streamlit").setLevel(logging.ERROR)  # "missing ScriptRunContext"
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_resource.clear()


def test_identical_runs_are_trained_once_and_shared():
    config = TrainConfig(epochs=2)
    assert ui.training(DATA, config) is ui.training(DATA, TrainConfig(epochs=2))
    assert ui.trained(DATA, config) is ui.trained(DATA, config)


def test_a_run_is_trained_again_on_a_new_pool_when_a_worker_dies():
    first = ui.trained(DATA, TrainConfig(epochs=2))
    pool = ui.runs.SCHEDULER.pool()
    for process in list(pool._processes.values()):
        process.kill()
        process.join()
    again = ui.trained(DATA, TrainConfig(epochs=3))  # submitted to the broken pool, or after
    assert again.config.epochs == 3 and len(again.metrics) == 4
    assert ui.runs.SCHEDULER.pool() is not pool
    assert ui.trained(DATA, TrainConfig(epochs=2)) is first  # finished runs stay cached


def test_a_run_whose_worker_dies_mid_run_is_trained_again():
    """The run is under way when its worker is killed: waiting on it must give
    the finished run, trained again on a new pool, not the broken future."""
    data = DataConfig(groups=8, items_per_group=60, queries_per_group=100)
    config = TrainConfig(epochs=40, batch_size=64)  # a few seconds: long enough to kill
    future = ui.training(data, config)
    pool = ui.runs.SCHEDULER.pool()
    for process in list(pool._processes.values()):
        process.kill()
    result = ui.trained(data, config)
    assert ui.runs.SCHEDULER.pool() is not pool, "the kill did not reach the run's pool"
    assert result.config == config and len(result.metrics) == config.epochs + 1
    assert future.result() is result, "the future the session holds survives its worker"


def test_a_run_whose_worker_fails_twice_is_explained_not_raised(monkeypatch):
    from concurrent.futures.process import BrokenProcessPool

    def broken(data, config):
        raise BrokenProcessPool("a worker died")

    monkeypatch.setattr(ui.runs, "trained", broken)
    monkeypatch.setattr(ui.runs.st, "error", lambda message, **kwargs: errors.append(message))
    errors = []
    assert ui.runs.train_or_explain(DATA, TrainConfig(), slot="test") == (None, None)
    assert ui.runs.trained_or_none(DATA, TrainConfig()) is None
    assert len(errors) == 1 and "worker process stopped" in errors[0]
