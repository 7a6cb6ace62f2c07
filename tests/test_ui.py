"""ui.work and ui.runs: shared training, outside any page: runs are shared,
and a dead worker process does not take training down with it."""

import dataclasses
import functools
import logging
import threading
import time
from concurrent.futures import Future
from types import SimpleNamespace

import pytest
from streamlit.testing.v1 import AppTest

import ui
from recdemo.data import DataConfig
from recdemo.train import TrainConfig
from tests import worker_pids
from ui.settings_table import near_misses

DATA = DataConfig(groups=2, items_per_group=10, queries_per_group=10, test_queries_per_group=5)


logging.getLogger("streamlit").setLevel(logging.ERROR)  # "missing ScriptRunContext"


@pytest.fixture
def running(monkeypatch, tmp_path):
    """running(pool): the worker process of ``pool`` that a run started since
    the last call runs (each run notes its process's id as it starts)."""
    pids = tmp_path / "pids"
    pids.touch()
    monkeypatch.setattr(ui.work, "train", functools.partial(worker_pids.noting_pid, str(pids),
                                                           ui.work.train))
    seen = set()

    def process_of_the_next_start(pool):
        deadline = time.monotonic() + 60
        while True:
            started = [int(pid) for pid in pids.read_text().split()]
            new = [pid for pid in started if pid not in seen]
            found = [p for p in pool.processes if new and p.pid == new[-1]]
            if found:
                seen.update(started)
                return found[0]
            assert time.monotonic() < deadline, "no worker started the run"
            time.sleep(0.01)
    return process_of_the_next_start


@pytest.fixture
def starts(monkeypatch) -> list:
    """The keys of the work the queue starts (a retry starts a key again)."""
    queue = ui.work.scheduler()
    started, start = [], queue._start
    monkeypatch.setattr(queue, "_start", lambda job: (started.append(job.key), start(job)))
    return started


def test_identical_runs_are_trained_once_and_shared():
    config = TrainConfig(epochs=2)
    assert ui.request_run(DATA, config) is ui.request_run(DATA, TrainConfig(epochs=2))
    assert ui.trained_run(DATA, config) is ui.trained_run(DATA, config)


def test_work_asked_after_the_workers_died_starts_on_a_new_worker_once(starts):
    """Idle workers killed: the pool sees a dead process before it sends the
    next run, and a new process trains it, started once, without a retry."""
    first = ui.trained_run(DATA, TrainConfig(epochs=2))
    pool = ui.work.scheduler().pool()
    killed = kill_workers(pool)
    later = TrainConfig(epochs=3, seed=21)
    again = ui.trained_run(DATA, later)
    assert again.config == later and len(again.metrics) == 4
    assert set(pool.processes) - killed, "no new worker"
    assert starts.count((DATA, later)) == 1
    assert ui.trained_run(DATA, TrainConfig(epochs=2)) is first  # finished runs stay cached


def test_a_run_whose_worker_dies_mid_run_is_started_again(starts, running):
    """The run is under way when its worker is killed: waiting on it must give
    the finished run, started again on a new worker, not the broken future."""
    data = DataConfig(groups=8, items_per_group=60, queries_per_group=100)
    config = TrainConfig(epochs=40, batch_size=64)  # a few seconds: long enough to kill
    pool = ui.work.scheduler().pool()
    future = ui.request_run(data, config)
    killed = kill(running(pool))
    result = ui.trained_run(data, config)
    assert killed not in pool.processes, "the run did not move to a new worker"
    assert starts.count((data, config)) == 2, "started, killed, started again"
    assert result.config == config and len(result.metrics) == config.epochs + 1
    assert future.result() is result, "the future the session holds survives its worker"


def test_a_run_whose_worker_fails_twice_is_explained_not_raised(monkeypatch):
    from concurrent.futures.process import BrokenProcessPool

    def broken(data, config):
        raise BrokenProcessPool("a worker died")

    monkeypatch.setattr(ui.runs, "trained_run", broken)
    monkeypatch.setattr(ui.runs.st, "error", lambda message, **kwargs: errors.append(message))
    errors = []
    assert ui.trained_or_explain(DATA, (TrainConfig(),), slot="test") is None
    assert ui.trained_run_or_none(DATA, TrainConfig()) is None
    assert len(errors) == 1 and "worker process stopped" in errors[0]


def kill(process):
    process.kill()
    process.join()
    return process


def kill_workers(pool) -> set:
    """Kill every worker process of ``pool``; returns them."""
    return {kill(process) for process in set(pool.processes)}


def test_a_run_survives_its_worker_processes_killed_twice_mid_run(starts, running):
    """Real processes killed twice, as many times as ATTEMPTS allows
    (tests/test_scheduler.py has the queue's rule)."""
    data = DataConfig(groups=8, items_per_group=60, queries_per_group=100, seed=7)
    config = TrainConfig(epochs=40, batch_size=64)  # a few seconds: long enough to kill twice
    pool = ui.work.scheduler().pool()
    future = ui.request_run(data, config)
    for _ in range(ui.work.ATTEMPTS - 1):
        kill(running(pool))
    result = ui.trained_run(data, config)
    assert starts.count((data, config)) == ui.work.ATTEMPTS
    assert future.result() is result and len(result.metrics) == config.epochs + 1


def test_clear_cache_from_a_browser_keeps_trained_runs_and_figures():
    """Streamlit's clear_cache message, which any client can send, empties
    st.cache_data and st.cache_resource for everyone: runs and figures live elsewhere."""
    from streamlit.runtime.app_session import AppSession

    config = TrainConfig(epochs=2, seed=11)
    result = ui.trained_run(DATA, config)
    figure = ui.training_curves(DATA, config)
    session = SimpleNamespace(_session_state=SimpleNamespace(clear=lambda: None))
    AppSession._handle_clear_cache_request(session)  # what the message does
    assert ui.request_run(DATA, config).result() is result
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

    monkeypatch.setattr(ui.work, "get_run_yield_check", lambda: yield_check)
    slow = Future()
    threading.Timer(0.3, moved_on.set).start()
    threading.Timer(10, lambda: slow.set_result("finished")).start()  # if the wait never checks
    start = time.monotonic()
    with pytest.raises(StopException):
        ui.work._result(slow, key=None, doing="Training the model…")
    assert time.monotonic() - start < 5


def test_each_page_run_of_a_session_is_a_new_request():
    def script():
        import streamlit as st

        from ui.work import _asker

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
        ui.trained_run(DATA, config)))


def failing(monkeypatch, fails, error: Exception) -> list[str]:
    """Runs for which ``fails(data_config, config)`` raise ``error``, the others
    train; returns the list the page's errors are written to (a fresh session)."""
    real_trained_run = ui.runs.trained_run

    def trained_run(data_config, config):
        if fails(data_config, config):
            raise error
        return real_trained_run(data_config, config)

    errors = []
    monkeypatch.setattr(ui.runs, "trained_run", trained_run)
    monkeypatch.setattr(ui.runs.st, "error", lambda message, **kwargs: errors.append(message))
    monkeypatch.setattr(ui.runs.st, "session_state", {})
    return errors


def test_an_error_mentions_the_picture_below_only_when_one_follows(monkeypatch):
    from recdemo.train import TrainingDiverged

    bad = TrainConfig(epochs=2, learning_rate=9.0)
    errors = failing(monkeypatch, lambda data_config, config: config == bad,
                     TrainingDiverged("Training diverged in epoch 1: lower learning_rate."))
    assert ui.trained_or_explain(DATA, (bad,), slot="train") is None
    assert "picture below" not in errors[-1] and "nothing earlier" in errors[-1]
    good = TrainConfig(epochs=2, seed=14)
    shown = ui.trained_or_explain(DATA, (good,), slot="train")
    assert ui.trained_or_explain(DATA, (bad,), slot="train") == (DATA, shown.results, (good,))
    assert errors[-1].startswith("Training diverged") and \
        errors[-1].endswith("The picture below is the last run that trained. It is of the "
                            "settings it trained with: learning_rate 0.06 (now 9), seed 14 "
                            "(now 0).")
    assert len(errors) == 2


def test_runs_of_a_page_that_fail_alike_get_one_error_naming_them_all(monkeypatch):
    """A review's link, /compare?batch_size=32&epochs=40&queries_per_group=300&
    groups=8: the step limit's error, the same for every strategy, eight times."""
    too_many = ValueError("This run needs 3000 gradient steps and the limit is 1500: lower "
                          "epochs, groups or queries_per_group, or raise batch_size.")
    errors = failing(monkeypatch, lambda data_config, config: config.strategy != "uniform",
                     too_many)
    monkeypatch.setattr(ui.runs, "train_config",
                        lambda strategy: TrainConfig(strategy=strategy, epochs=2))
    monkeypatch.setattr(ui.runs, "request_run", lambda data_config, config: None)
    bar = SimpleNamespace(progress=lambda *args, **kwargs: None, empty=lambda: None)
    monkeypatch.setattr(ui.runs.st, "progress", lambda *args, **kwargs: bar)
    runs = ui.runs.trained_runs(DATA, ("full", "hard", "uniform"), slot="compare")
    assert list(runs) == ["uniform"]
    assert errors == [f"**full, hard**: {too_many} There is nothing earlier to show instead."]


def test_the_last_run_shown_instead_comes_with_its_own_data(monkeypatch):
    """A run that fails on new data (positives 1 for MF's fold-in, say) falls
    back to the last one that trained on its own data, and says which: a page
    draws everything of that data, never the new data's references beside the
    old run. Where a page needs this data's runs (same_data), none is shown."""
    new = dataclasses.replace(DATA, positives=1)
    real_trained_run = ui.runs.trained_run
    errors = failing(monkeypatch, lambda data_config, config: data_config == new, ValueError(
        "With 1 positive per query a new query brings nothing to fold in."))
    configs = (TrainConfig(epochs=2, seed=15), TrainConfig(epochs=2, seed=16))
    assert ui.trained_or_explain(DATA, configs, slot="mf").data_config == DATA
    shown = ui.trained_or_explain(new, configs, slot="mf")
    assert shown.data_config == DATA and shown.configs == configs
    assert shown.results == tuple(real_trained_run(DATA, config) for config in configs)
    assert errors[-1].endswith("It is of the settings it trained with: positives 5 (now 1)."), \
        errors
    # A review: k changed too, and the page below stayed at k 10 without a word.
    at_50 = tuple(dataclasses.replace(config, k=50) for config in configs)
    ui.trained_or_explain(new, at_50, slot="mf")
    assert errors[-1].endswith("It is of the settings it trained with: positives 5 (now 1), "
                               "k 10 (now 50)."), errors
    assert ui.trained_or_explain(new, configs, slot="mf", same_data=True) is None
    assert errors[-1].endswith("There is nothing earlier to show instead.")


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


def test_a_links_key_that_reads_like_a_setting_is_named():
    """A review: a teacher who writes presenter=1 got no presenter view and no
    word why. A key near a setting's name is named; others (a tracker's, or
    Streamlit's own) are no concern of the app."""
    keys = ["presenter", "seeds", "embed", "embed_options", "utm_source", "seed", "GROUPS"]
    assert near_misses(keys) == {"presenter": "present", "seeds": "seed"}
    # The MF page's symbol (a review's /mf?w0=0: the default 0.05, no word why).
    assert near_misses(["w0"]) == {"w0": "unobserved_weight"}
