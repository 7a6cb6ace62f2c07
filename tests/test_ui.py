"""ui.py's shared training, outside any page: runs are shared, and a dead worker
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
    pool = ui._training_pool()
    for process in list(pool._processes.values()):
        process.kill()
        process.join()
    again = ui.trained(DATA, TrainConfig(epochs=3))  # submitted to the broken pool, or after
    assert again.config.epochs == 3 and len(again.metrics) == 4
    assert ui._training_pool() is not pool
    assert ui.trained(DATA, TrainConfig(epochs=2)) is first  # finished runs stay cached
