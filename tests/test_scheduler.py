"""The queue of training runs (backend/scheduler.py) and the byte-bounded cache
(backend/cache.py), driven directly: the workers are a fake pool whose runs finish
when the test says so, so every order is deterministic."""

from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool

import numpy as np
import pytest

from backend.cache import ByteCache, nbytes
from backend.scheduler import Scheduler


class FakePool:
    """Records what was started; the test finishes it."""

    def __init__(self, log: list):
        self.log = log

    def submit(self, function, *arguments, express=False):
        future = Future()
        self.log.append((arguments[0], future, "express" if express else "regular"))
        return future


class Queue:
    """A Scheduler on a fake pool, and helpers to ask and to finish."""

    def __init__(self, workers=1, budget=100.0, attempts=3, express=False):
        self.started = []  # (key, future, lane), in start order
        self.alive = set()
        self.scheduler = Scheduler(lambda: FakePool(self.started), workers=workers,
                                   is_alive=self.alive.__contains__, results=ByteCache(10**6),
                                   budget=budget, attempts=attempts, express=express)

    def ask(self, key, session, page_run=1, cost=1.0, client=None):
        self.alive.add(session)
        return self.scheduler.request(key, lambda: (str, key), cost, session, page_run,
                                      client or session)

    def started_keys(self):
        return [key for key, _, _ in self.started]

    def finish(self, key, value=None, error=None):
        """Finish the latest start of ``key``."""
        future = next(f for k, f, _ in reversed(self.started) if k == key and not f.done())
        if error is None:
            future.set_result(value if value is not None else f"trained {key}")
        else:
            future.set_exception(error)


def test_a_newer_page_run_supersedes_the_sessions_older_request():
    queue = Queue()
    queue.ask("other tab's run", "other")  # keeps the one worker busy
    first = queue.ask("seed 1", "clicker", page_run=1)
    for seed in range(2, 21):  # twenty clicks on the seed's "+"
        latest = queue.ask(f"seed {seed}", "clicker", page_run=seed)
    assert first.cancelled() and not latest.done()
    assert queue.scheduler.counts()["queued"] == 1, "one request per session"
    queue.finish("other tab's run")
    assert queue.started_keys() == ["other tab's run", "seed 20"]


def test_the_runs_of_one_page_run_are_one_request():
    queue = Queue()
    queue.ask("busy", "other")
    compare = [queue.ask(f"strategy {i}", "compare tab", page_run="compare") for i in range(6)]
    assert not any(future.cancelled() for future in compare)
    assert queue.scheduler.counts()["queued"] == 6


def test_work_of_gone_sessions_is_dropped_before_it_starts():
    queue = Queue()
    queue.ask("busy", "teacher")
    left = [queue.ask(f"largest {i}", f"leaver {i}", cost=40.0) for i in range(30)]
    stays = queue.ask("new configuration", "student")
    queue.alive -= {f"leaver {i}" for i in range(30)}  # they closed their tabs
    queue.finish("busy")
    assert queue.started_keys() == ["busy", "new configuration"]
    queue.finish("new configuration")
    assert all(future.cancelled() for future in left)
    assert stays.result() == "trained new configuration"
    assert queue.scheduler.counts() == {"queued": 0, "running": 0, "sessions": 2, "finished": 2}


def test_a_run_another_session_waits_on_is_never_dropped():
    queue = Queue()
    queue.ask("busy", "other")
    shared = queue.ask("shared", "leaver")
    assert queue.ask("shared", "stayer") is shared, "identical runs are one run"
    queue.ask("something else", "stayer", page_run=2)  # stayer supersedes its request...
    queue.ask("shared", "stayer", page_run=2)  # ...and asks again in the same page run
    queue.alive.discard("leaver")
    queue.ask("next", "leaver 2")
    queue.finish("busy")
    assert queue.started_keys()[1] == "shared" and not shared.cancelled()


def test_superseding_keeps_a_run_the_other_session_still_wants():
    queue = Queue()
    queue.ask("busy", "other")
    shared = queue.ask("shared", "a")
    queue.ask("shared", "b")
    queue.ask("a's next", "a", page_run=2)
    assert not shared.cancelled()
    queue.finish("busy")
    assert queue.started_keys()[1] == "shared"


def test_a_small_run_starts_before_queued_large_ones():
    queue = Queue(workers=2)
    queue.ask("large running 1", "x", cost=40.0)
    queue.ask("large running 2", "y", cost=40.0)
    for i in range(10):
        queue.ask(f"large {i}", f"abuser {i}", cost=40.0)
    queue.ask("default size", "student", cost=1.0)
    queue.finish("large running 1")
    assert queue.started_keys()[2] == "default size"


def test_runs_of_one_size_start_in_the_order_they_were_asked_for():
    queue = Queue(workers=1)
    queue.ask("busy", "teacher", cost=0.1)
    for i, cost in enumerate([0.2, 0.1, 0.4, 0.05]):  # one size class: default-size runs
        queue.ask(f"student {i}", f"student {i}", cost=cost)
    queue.ask("larger", "other", cost=1.5)
    queue.ask("late small", "late", cost=0.3)
    for key in ["busy", "student 0", "student 1", "student 2", "student 3", "late small"]:
        queue.finish(key)
    assert queue.started_keys()[1:] == ["student 0", "student 1", "student 2", "student 3",
                                        "late small", "larger"]


def test_a_small_run_per_worker_waits_on_deck_and_never_a_large_one():
    queue = Queue(workers=1)
    queue.ask("running", "a", cost=2.0)
    queue.ask("large", "b", cost=2.0)
    assert queue.started_keys() == ["running"], "a large run waits for a free worker"
    queue.ask("small", "c", cost=0.1)
    queue.ask("small too", "d", cost=0.1)
    assert queue.started_keys() == ["running", "small"], "one small run on deck per worker"
    queue.finish("running")
    assert queue.started_keys() == ["running", "small", "small too"]


def test_while_every_worker_runs_a_large_run_a_small_one_takes_the_express_lane():
    queue = Queue(workers=2, express=True)
    queue.ask("large 1", "a", cost=2.0)
    queue.ask("small on deck", "b", cost=0.1)
    assert [lane for _, _, lane in queue.started] == ["regular", "regular"], (
        "a worker runs a small run: the next small one waits on deck for it")
    queue.ask("large 2", "c", cost=2.0)
    queue.finish("small on deck")
    assert queue.started_keys() == ["large 1", "small on deck", "large 2"]
    queue.ask("small", "d", cost=0.1)
    queue.ask("small too", "e", cost=0.1)
    assert queue.started[3][::2] == ("small", "express"), "both workers run large runs"
    assert queue.started[4][::2] == ("small too", "regular"), "one express run at a time"
    queue.finish("small")
    queue.ask("small three", "f", cost=0.1)
    assert queue.started[5][::2] == ("small three", "express"), "the lane is free again"
    queue.ask("large 3", "g", cost=2.0)
    assert "large 3" not in queue.started_keys(), "never a large run in the express lane"


def test_without_the_express_lane_a_small_run_waits_on_deck():
    queue = Queue(workers=1)
    queue.ask("large", "a", cost=2.0)
    queue.ask("small", "b", cost=0.1)
    assert [lane for _, _, lane in queue.started] == ["regular", "regular"]


def test_a_client_over_its_budget_waits_for_other_clients():
    queue = Queue(workers=2, budget=30.0)
    queue.ask("compare 0", "tab 0", cost=40.0, client="one address")  # over budget
    queue.ask("small", "teacher", cost=5.0, client="teacher's address")  # both workers busy
    for tab in range(1, 4):  # more Compare tabs from one address
        for i in range(6):
            queue.ask(f"compare {tab}.{i}", f"tab {tab}", page_run=tab, cost=40.0,
                      client="one address")
    queue.ask("also large", "student", cost=45.0, client="another address")
    queue.finish("small")
    assert queue.started_keys()[2] == "also large", \
        "the other client's larger run goes before the busy client's cheaper ones"
    queue.finish("also large")
    assert queue.started_keys()[3] == "compare 1.0", "with nobody else waiting, work goes on"


def test_a_client_within_its_budget_is_not_held_back():
    queue = Queue(workers=2, budget=30.0)
    queue.ask("a", "tab 1", cost=10.0, client="one address")
    queue.ask("b", "tab 2", cost=10.0, client="one address")
    assert queue.started_keys() == ["a", "b"]


def test_every_run_a_worker_death_failed_starts_again_while_it_has_attempts():
    """The queue's rule (tests/test_ui.py kills real processes): both workers
    die twice, and each run they had is started a third time."""
    queue = Queue(workers=2)
    runs = [queue.ask(f"student {i}", f"student {i}", cost=0.1) for i in range(4)]
    for _ in range(2):  # both workers die, twice: each run they had fails
        for _, future, _ in list(queue.started):
            if not future.done():
                future.set_exception(BrokenProcessPool("a worker died"))
    for i in range(4):
        queue.finish(f"student {i}")
    assert [run.result() for run in runs] == [f"trained student {i}" for i in range(4)]


def test_a_worker_death_costs_only_the_run_it_had():
    queue = Queue(workers=2)
    dies = queue.ask("dies", "a")
    lives = queue.ask("lives", "b")
    queue.finish("dies", error=BrokenProcessPool("a worker died"))
    assert queue.started_keys() == ["dies", "lives", "dies"], "started again; the other goes on"
    queue.finish("lives")
    queue.finish("dies")
    assert dies.result() == "trained dies" and lives.result() == "trained lives"


def test_a_run_that_kills_its_worker_every_time_fails_after_its_attempts():
    queue = Queue(attempts=3)
    run = queue.ask("poison", "student")
    for _ in range(3):
        queue.finish("poison", error=BrokenProcessPool("a worker died"))
    with pytest.raises(BrokenProcessPool):
        run.result()
    assert "poison" not in queue.scheduler.results, "a reload tries again"


def test_a_retry_nobody_waits_for_is_not_trained_again():
    queue = Queue()
    run = queue.ask("gone", "leaver")
    queue.alive.discard("leaver")
    queue.ask("next", "student")  # a dispatch drops the leaver's request
    queue.finish("gone", error=BrokenProcessPool("a worker died"))
    assert run.cancelled() and queue.started_keys() == ["gone", "next"]


def test_finished_runs_are_answered_from_the_results():
    queue = Queue()
    first = queue.ask("run", "a")
    queue.finish("run", value="result")
    assert queue.ask("run", "b") is first and first.result() == "result"
    assert queue.started_keys() == ["run"]


def test_what_a_run_raises_is_kept_too():
    queue = Queue()
    queue.ask("diverges", "a")
    queue.finish("diverges", error=ValueError("lower learning_rate"))
    with pytest.raises(ValueError):
        queue.ask("diverges", "b").result()
    assert queue.started_keys() == ["diverges"]


def test_a_run_queued_behind_others_says_how_many_start_first():
    queue = Queue()
    queue.ask("busy", "a")
    queue.ask("cheap", "b", cost=1.0)
    queue.ask("dear", "c", cost=5.0)
    assert queue.scheduler.waiting("dear") == 1
    assert queue.scheduler.waiting("cheap") == 0
    assert queue.scheduler.waiting("busy") == 0, "it runs"


# ---------------------------------------------------------------- the byte-bounded cache

def test_the_cache_evicts_the_least_recently_used_by_size():
    cache = ByteCache(max_bytes=100, size=len)
    cache.put("a", "x" * 40)
    cache.put("b", "x" * 40)
    assert cache.get("a") is not None  # a is now the more recently used
    cache.put("c", "x" * 40)  # 120 bytes: b goes
    assert "b" not in cache and "a" in cache and "c" in cache and cache.bytes == 80
    cache.put("d", "x" * 90)  # evicts as many as it takes
    assert list(cache._entries) == ["d"] and cache.bytes == 90
    cache.put("e", "x" * 101)  # larger than the whole cache: not kept
    assert "e" not in cache and cache.bytes == 90


def test_many_small_entries_fit_where_few_large_ones_do():
    cache = ByteCache(max_bytes=10 * 2**20)
    for i in range(50):
        cache.put(("small", i), np.zeros(10_000))  # 80 kB each
    assert len(cache) == 50
    for i in range(5):
        cache.put(("large", i), np.zeros(300_000))  # 2.4 MB each
    assert cache.bytes <= cache.max_bytes and sum(key[0] == "large" for key in cache._entries) == 4


def test_nbytes_counts_arrays_and_what_objects_hold():
    class Run:
        def __init__(self):
            self.snapshots = np.zeros((41, 880, 32))
            self.view = self.snapshots[-1]  # a view of the same memory: counted once
            self.metrics = [{"auc": 0.5}] * 41

    size = nbytes(Run())
    assert 41 * 880 * 32 * 8 < size < 41 * 880 * 32 * 8 + 20_000


def test_get_or_make_makes_once_and_retries_after_a_failure():
    cache = ByteCache(max_bytes=1000, size=len)
    calls = []

    def failing():
        calls.append("fail")
        raise RuntimeError("no")

    with pytest.raises(RuntimeError):
        cache.get_or_make("k", failing)
    assert cache.get_or_make("k", lambda: calls.append("make") or "value") == "value"
    assert cache.get_or_make("k", lambda: calls.append("again") or "other") == "value"
    assert calls == ["fail", "make"]
