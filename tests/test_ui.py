"""ui.runs: shared training, outside any page: runs are shared, and a dead worker
process does not take training down with it."""

import logging
import threading
import time
from concurrent.futures import Future
from types import SimpleNamespace

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

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


def test_a_run_is_trained_again_on_a_new_worker_when_the_workers_die():
    first = ui.trained(DATA, TrainConfig(epochs=2))
    pool = ui.runs.SCHEDULER.pool()
    killed = kill_workers(pool)
    again = ui.trained(DATA, TrainConfig(epochs=3))  # given to a dead worker, or a new one
    assert again.config.epochs == 3 and len(again.metrics) == 4
    assert set(pool.processes) - killed, "no new worker"
    assert ui.trained(DATA, TrainConfig(epochs=2)) is first  # finished runs stay cached


def test_a_run_whose_worker_dies_mid_run_is_trained_again():
    """The run is under way when its worker is killed: waiting on it must give
    the finished run, trained again on a new pool, not the broken future."""
    data = DataConfig(groups=8, items_per_group=60, queries_per_group=100)
    config = TrainConfig(epochs=40, batch_size=64)  # a few seconds: long enough to kill
    future = ui.training(data, config)
    pool = ui.runs.SCHEDULER.pool()
    killed = kill_workers(pool)
    result = ui.trained(data, config)
    assert set(pool.processes) - killed, "the run did not move to a new worker"
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


def kill_workers(pool) -> set:
    """Kill every worker process of ``pool``; returns them."""
    processes = set(pool.processes)
    for process in processes:
        process.kill()
        process.join()
    return processes


def test_a_run_survives_two_worker_deaths_in_a_row():
    data = DataConfig(groups=8, items_per_group=60, queries_per_group=100, seed=7)
    config = TrainConfig(epochs=40, batch_size=64)  # a few seconds: long enough to kill twice
    future = ui.training(data, config)
    pool = ui.runs.SCHEDULER.pool()
    killed = set()
    for _ in range(2):
        killed |= kill_workers(pool)
        deadline = time.monotonic() + 30
        while not set(pool.processes) - killed:  # the run noticed, and a new worker took it
            assert time.monotonic() < deadline, "no new worker after the workers died"
            time.sleep(0.02)
    result = ui.trained(data, config)
    assert future.result() is result and len(result.metrics) == config.epochs + 1


def test_clear_cache_from_a_browser_keeps_trained_runs_and_figures():
    """Streamlit's clear_cache message, which any client can send, empties
    st.cache_data and st.cache_resource for everyone: runs and figures live elsewhere."""
    from streamlit.runtime.app_session import AppSession

    config = TrainConfig(epochs=2, seed=11)
    result = ui.trained(DATA, config)
    figure = ui.training_curves(DATA, config)
    session = SimpleNamespace(_session_state=SimpleNamespace(clear=lambda: None))
    AppSession._handle_clear_cache_request(session)  # what the message does
    assert ui.training(DATA, config).result() is result
    assert ui.training_curves(DATA, config) is figure
    assert ui.dataset(DATA) is ui.dataset(DATA)


def test_a_waiting_page_run_stops_as_soon_as_its_session_moves_on(monkeypatch):
    """Waiting on a run makes no st call, where Streamlit would interrupt a page
    run: the wait checks for itself, every POLL_SECONDS."""
    from streamlit.runtime.scriptrunner_utils.exceptions import StopException

    moved_on = threading.Event()

    def yield_check():
        if moved_on.is_set():
            raise StopException()

    monkeypatch.setattr(ui.runs, "get_run_yield_check", lambda: yield_check)
    slow = Future()
    threading.Timer(0.3, moved_on.set).start()
    threading.Timer(10, lambda: slow.set_result("finished")).start()  # if the wait never checks
    start = time.monotonic()
    with pytest.raises(StopException):
        ui.runs._result(slow, key=None, doing="Training the model…")
    assert time.monotonic() - start < 5


def test_each_page_run_of_a_session_is_a_new_request():
    def script():
        import streamlit as st

        from ui.runs import _asker

        st.session_state.setdefault("askers", []).append(_asker())

    at = AppTest.from_function(script).run()
    at.run()
    (session, first, _), (same_session, second, _) = at.session_state["askers"]
    assert session == same_session and first is not second


def test_a_download_button_holds_a_shared_run_weakly():
    """Streamlit keeps a download's callable while its tab is open: it must not
    keep a run in memory after the caches let it go."""
    import gc

    from ui.charts import GONE, _made_on_click

    class Run:  # stands for a TrainResult: it can be referred to weakly
        csv = "epoch,loss"

    run = Run()
    data = _made_on_click(lambda r: r.csv, run)
    assert data() == "epoch,loss"
    del run
    gc.collect()
    assert data() == GONE
    page_figure = Run()  # a figure the page made itself, not from the shared cache
    data = _made_on_click(lambda r: r.csv, page_figure, weakly=False)
    del page_figure
    gc.collect()
    assert data() == "epoch,loss"


def test_the_cache_knows_its_own_entries_by_identity():
    config = TrainConfig(epochs=2, seed=12)
    figure = ui.training_curves(DATA, config)
    assert ui.charts.FIGURES.holds(figure)
    assert not ui.charts.FIGURES.holds(ui.charts.figures.training_curves_figure(
        ui.trained(DATA, config)))


def test_an_error_mentions_the_picture_below_only_when_one_follows(monkeypatch):
    from recdemo.train import TrainingDiverged

    bad = TrainConfig(epochs=2, learning_rate=9.0)
    real_trained = ui.runs.trained

    def trained(data, config):
        if config == bad:
            raise TrainingDiverged("training diverged in epoch 1: lower learning_rate.")
        return real_trained(data, config)

    errors = []
    monkeypatch.setattr(ui.runs, "trained", trained)
    monkeypatch.setattr(ui.runs.st, "error", lambda message, **kwargs: errors.append(message))
    monkeypatch.setattr(ui.runs.st, "session_state", {})
    assert ui.train_or_explain(DATA, bad, slot="train") == (None, None)
    assert "picture below" not in errors[-1] and "nothing earlier" in errors[-1]
    good = TrainConfig(epochs=2, seed=14)
    result, _ = ui.train_or_explain(DATA, good, slot="train")
    assert ui.train_or_explain(DATA, bad, slot="train") == (result, good)
    assert errors[-1].startswith("Training diverged") and \
        errors[-1].endswith("The picture below is the last run that trained.")
    assert len(errors) == 2


def test_estimated_seconds_put_default_runs_far_ahead_of_the_largest():
    """The queue starts the cheapest run first: its estimate must tell a default
    run from the largest ones, whatever their strategy."""
    from recdemo.params import STRATEGIES

    largest_data = DataConfig(groups=8, items_per_group=60, queries_per_group=300,
                              test_queries_per_group=50, positives=10)
    default = max(ui.runs.estimated_seconds(DataConfig(), TrainConfig(strategy=strategy))
                  for strategy in STRATEGIES)
    largest = min(ui.runs.estimated_seconds(largest_data, TrainConfig(
        strategy=strategy, negatives=50, dim=32, hidden=64, epochs=40)) for strategy in STRATEGIES)
    assert 0 < 4 * default < largest


@pytest.mark.parametrize("point, inspected", [
    ({"trace": 4, "id": 37}, 37),      # a query square of the third group
    ({"trace": 5, "id": 12}, None),    # an item circle: not a query
    ({"trace": 15, "id": 3}, None),    # the recommendations matrix, after the 12 group traces
    ({"trace": "4", "id": 37}, None),  # not what plotly.js sends
    (None, None),                      # no click (yet)
])
def test_a_click_inspects_only_a_query_square(monkeypatch, point, inspected):
    """The chart's click is the browser's word: only a query trace's point
    reaches set_setting (which checks the id itself)."""
    set_to = []
    monkeypatch.setattr(ui.charts, "clicked_point", lambda key: point)
    monkeypatch.setattr(ui.charts, "set_setting", lambda name, value: set_to.append(value))
    ui.clicked_query_inspector(n_groups=6, key="embedding_chart")()
    assert set_to == ([] if inspected is None else [inspected])
