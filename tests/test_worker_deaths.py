"""Worker processes that die on every start of a page's work: the MF page's
measurement and the Why sample? page's cells end in a message, never a
traceback, over the last good tables and chart where the session has them,
and the work is done when a worker can finish it again."""

import os
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import ui
from recdemo.mf_comparison import measure
from recdemo.params import COST_STRATEGIES
from recdemo.step_cost import measure_step

pytestmark = pytest.mark.slow  # worker processes killed, each page's work done again

APP = str(Path(__file__).resolve().parents[1] / "app.py")
TIMEOUT = 120


@pytest.fixture
def dying(monkeypatch):
    """Make every start of ``function`` kill its worker process (os._exit: as
    the kernel's out-of-memory killer would); returns the starts so far.
    Finished work is forgotten first: other tests may have measured the same."""
    ui.work.RUNS.clear()
    pool = ui.work.scheduler().pool()
    submit = pool.submit
    deaths = []

    def kill(function):
        def submit_or_die(work, *arguments):
            if getattr(work, "func", work) is function:  # the function, or a partial of it
                deaths.append(work)
                return submit(os._exit, 1)
            return submit(work, *arguments)
        monkeypatch.setattr(pool, "submit", submit_or_die)
        return deaths

    yield kill
    monkeypatch.setattr(pool, "submit", submit)


def open_page(page: str, **query) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params.update({name: str(value) for name, value in query.items()})
    at.switch_page(page)
    return at.run()


def errors(at: AppTest) -> list[str]:
    assert not at.exception, [e.message for e in at.exception]
    return [e.value for e in at.error]


def test_the_mf_measurement_after_three_worker_deaths(dying, monkeypatch):
    at = open_page("pages/mf.py", seed=41)
    assert errors(at) == [] and len(at.table) == 2
    first = [row for row in at.table[0].value.to_dict("records")]

    deaths = dying(measure)
    at.slider(key="control_unobserved_weight").set_value(0.2).run()
    assert len(deaths) == ui.work.ATTEMPTS
    (message,) = errors(at)
    assert "worker process stopped 3 times" in message
    assert message.endswith("The tables below are the last ones measured.")
    assert at.table[0].value.to_dict("records") == first, "the last tables stay"
    assert at.button(key="try_again_mf_comparison")

    monkeypatch.undo()  # a worker that can finish it again
    at.button(key="try_again_mf_comparison").click().run()
    assert errors(at) == [] and len(at.table) == 2
    assert at.table[0].value.to_dict("records") != first, "measured at w0 0.2"


def test_the_first_mf_measurement_after_three_worker_deaths(dying):
    dying(measure)
    at = open_page("pages/mf.py", seed=42)
    (message,) = errors(at)
    assert message.endswith("There is nothing earlier to show instead.")
    assert len(at.table) == 0


def test_a_step_cost_measurement_after_three_worker_deaths(dying, monkeypatch):
    strategies = len(COST_STRATEGIES)
    at = open_page("pages/why-sample.py", largest_corpus=10_000)
    assert errors(at) == [] and len(at.dataframe[0].value) == 2 * strategies

    deaths = dying(measure_step)
    at.radio(key="control_largest_corpus").set_value(100_000).run()
    assert len(deaths) == ui.work.ATTEMPTS, "the first new cell, three times"
    (message,) = errors(at)
    assert message.endswith("The chart and table below are the last measurement that finished.")
    assert len(at.dataframe[0].value) == 2 * strategies, "the last measurement stays"

    monkeypatch.undo()
    at.button(key="try_again_step_costs").click().run()
    assert errors(at) == [] and len(at.dataframe[0].value) == 3 * strategies


def test_the_references_after_three_worker_deaths(dying, monkeypatch):
    """A review: the references (the oracle), computed in a worker, were the
    one piece of a page's work whose worker failures reached Streamlit as a
    traceback."""
    from recdemo.references import references

    deaths = dying(references)
    at = open_page("pages/train.py", seed=43, epochs=3)
    assert len(deaths) == ui.work.ATTEMPTS
    (message,) = errors(at)
    assert message.startswith("**the references**: The server could not finish this work: "
                              "its worker process stopped 3 times")
    assert at.button(key="try_again_references")

    monkeypatch.undo()  # a worker that can finish it again
    at.button(key="try_again_references").click().run()
    assert errors(at) == [] and at.markdown[0].value.startswith("**uniform (epochs 3)**")


def test_an_exercise_answer_after_three_worker_deaths(dying, monkeypatch):
    """A review: an exercise's answer whose run's worker died said "reload the
    page", where every other page's work has a Try again button."""
    from recdemo.train import train

    deaths = dying(train)
    at = open_page("pages/exercises.py", exercise=2)
    assert len(deaths) >= ui.work.ATTEMPTS
    (message,) = errors(at)
    assert message.startswith("A run this answer reads did not train: its worker process "
                              "stopped 3 times")
    assert at.button(key="try_again_exercise")

    monkeypatch.undo()  # a worker that can finish it again
    at.button(key="try_again_exercise").click().run()
    assert errors(at) == [] and "try_again_exercise" not in [button.key for button in at.button]
    (answer,) = [m.value for m in at.expander[0].markdown]
    assert answer, "the answer, measured"
