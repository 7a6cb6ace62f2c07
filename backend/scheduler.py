"""The queue of training runs: bounded, fair and cancellable.

Runs wait here, in the app's own queue, and a run goes to a worker process
only when a worker is free (a small one per worker may wait on deck, see
_dispatch), so until it starts it can still be dropped:

- Each session (a browser tab) has one request at a time: the runs one page
  run asked for (Train: its run, the positives-only baseline, and for popularity,
  in-batch and mixed the same run with logQ flipped; Compare: one per strategy,
  eight; and each page its references). A newer page
  run of the same session supersedes the older request, and the runs only it
  wanted are dropped (twenty clicks on the seed's "+" leave one run queued).
- A run whose sessions are all gone (the tab closed) is dropped before it
  starts. A run another session still waits for is never dropped: identical
  configurations are one run, shared.
- The next run is one of the smallest size class (estimated seconds up to
  ``small_seconds``, then one class per doubling), the earliest asked for in
  it: a default-size run waits for the runs already on the workers, never
  behind larger ones queued before it, and a class of students of the same
  size is served in the order it arrived (shortest first would leave the few
  largest for last and lengthen the class). Runs back from a dead worker go
  first.
- The express lane: while every worker is busy with a large job, a small
  one starts at once on an express worker of its own (one at a time), which
  shares the cores with them, instead of waiting a large job out: a student
  asking for a default-size run does not wait for another's run at the
  largest sizes to end.
- The budget: a client (an address) whose runs already keep the workers busy
  for ``budget`` estimated seconds gets no further run started while another
  client's run waits. One client's many tabs fill its own turn, not the queue.
- A worker that dies (killed, out of memory) fails the run it had (and the
  one on deck for it); each goes back to the queue and starts on another
  worker, up to ``attempts`` times in all.

Finished runs stay in ``results`` (a ByteCache), and a request for one is
answered from there. The session, its page run and its client are passed in
(ui/work.py names them), so the tests drive the queue directly.
"""

from __future__ import annotations

import itertools
import math
import threading
from collections.abc import Callable, Hashable
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field

from backend.cache import ByteCache

# A worker process that dies (killed, out of memory) or runs out of memory
# loses its runs, not their configurations: they are trained again.
WORKER_FAILURES = (BrokenProcessPool, MemoryError)
ANONYMOUS = ""  # requests from outside any session (tests, scripts): never gone, never superseded


@dataclass(eq=False)
class Job:
    """One queued or running training run, shared by the sessions that want it."""

    key: Hashable
    task: Callable[[], tuple]  # () -> (function, *arguments), called when the job starts
    cost: float  # estimated seconds on one worker
    client: str  # whose budget it counts against: the first client that asked
    order: int  # arrival, for ties
    future: Future = field(default_factory=Future)
    sessions: set[str] = field(default_factory=set)  # the sessions that want it
    attempts: int = 0  # starts so far
    running: bool = False
    express: bool = False  # running in the express lane


@dataclass(eq=False)
class Request:
    """A session's current request: the runs its latest page run asked for."""

    page_run: object
    keys: set[Hashable] = field(default_factory=set)


class Scheduler:
    def __init__(self, start_pool: Callable[[], object], workers: int,
                 is_alive: Callable[[str], bool], results: ByteCache,
                 budget: float, attempts: int = 3, small_seconds: float = 0.5,
                 express: bool = False):
        """``start_pool()`` makes the workers (backend/pool.py): its ``submit``
        returns a Future, which a worker that dies fails with BrokenProcessPool.
        With ``express``, the pool has an express worker too (``submit(...,
        express=True)``)."""
        self.workers = workers
        self.express = express
        self.budget = budget
        self.attempts = attempts
        self.small_seconds = small_seconds
        self.results = results
        self._start_pool = start_pool
        self._is_alive = is_alive
        self._pool = None
        self._lock = threading.RLock()
        self._jobs: dict[Hashable, Job] = {}  # queued and running
        self._requests: dict[str, Request] = {}
        self._order = itertools.count()

    # ------------------------------------------------------------ asking

    def request(self, key: Hashable, task: Callable[[], tuple], cost: float,
                session: str = ANONYMOUS, page_run: object = None,
                client: str = ANONYMOUS) -> Future:
        """The future of run ``key``: finished if ``results`` has it, else
        shared with every session that asked for the same key. ``page_run``
        identifies the page run asking: a new one supersedes the session's
        older request."""
        finished = self.results.get(key)
        if finished is not None:
            return finished
        with self._lock:
            finished = self.results.get(key)  # it may have finished meanwhile
            if finished is not None:
                return finished
            request = self._request_of(session, page_run)
            job = self._jobs.get(key)
            if job is None:
                job = self._jobs[key] = Job(key, task, cost, client, next(self._order))
            job.sessions.add(session)
            request.keys.add(key)
        self._dispatch()
        return job.future

    def waiting(self, key: Hashable) -> int:
        """How many queued runs would start before ``key`` (0 once it runs, or
        if it is not queued)."""
        with self._lock:
            job = self._jobs.get(key)
            if job is None or job.running:
                return 0
            busy = self._busy()
            return sum(not other.running and self._priority(other, busy) < self._priority(job, busy)
                       for other in self._jobs.values())

    def counts(self) -> dict[str, int]:
        with self._lock:
            running = sum(job.running for job in self._jobs.values())
            return {"queued": len(self._jobs) - running, "running": running,
                    "sessions": len(self._requests), "finished": len(self.results)}

    def _request_of(self, session: str, page_run: object) -> Request:
        request = self._requests.get(session)
        if request is None or (session != ANONYMOUS and request.page_run is not page_run):
            if request is not None:  # superseded: its runs lose this session
                self._let_go(session, request.keys)
            request = self._requests[session] = Request(page_run)
        return request

    def _let_go(self, session: str, keys) -> None:
        """``session`` no longer wants ``keys``: drop those nobody else waits for
        and that have not started."""
        for key in keys:
            job = self._jobs.get(key)
            if job is None:
                continue
            job.sessions.discard(session)
            if not job.sessions and not job.running:
                del self._jobs[key]
                job.future.cancel()

    # ------------------------------------------------------------ starting

    def _busy(self) -> dict[str, float]:
        """Each client's estimated seconds of running jobs."""
        busy: dict[str, float] = {}
        for job in self._jobs.values():
            if job.running:
                busy[job.client] = busy.get(job.client, 0.0) + job.cost
        return busy

    def _priority(self, job: Job, busy: dict[str, float]) -> tuple:
        """Smallest first: retries, then clients within their budget, then the
        smallest size class, then the earliest."""
        size_class = (0 if job.cost <= self.small_seconds
                      else 1 + int(math.log2(job.cost / self.small_seconds)))
        return (job.attempts == 0, busy.get(job.client, 0.0) >= self.budget, size_class,
                job.order)

    def _next_job(self) -> Job | None:
        """The queued job to start now, after dropping the jobs of sessions that are gone."""
        for session in [s for s in self._requests if s != ANONYMOUS and not self._is_alive(s)]:
            self._let_go(session, self._requests.pop(session).keys)
        busy = self._busy()
        queued = [job for job in self._jobs.values() if not job.running]
        return min(queued, key=lambda job: self._priority(job, busy), default=None)

    def _dispatch(self) -> None:
        """Start queued jobs while workers are free, and a small job more per
        worker: it waits in the pool, on deck, so a worker that finishes goes
        on to it at once instead of waiting for this process (busy drawing a
        class's pages, it answers late). A large job only starts when a worker
        is free: it is never on deck, where a small job arriving later would
        wait behind it. While every worker runs a large job, the next small
        one goes to the express lane if it is free."""
        while True:
            with self._lock:
                running = [job for job in self._jobs.values() if job.running]
                started = sum(not job.express for job in running)
                large = sum(not job.express and job.cost > self.small_seconds for job in running)
                if started >= 2 * self.workers and not self.express:
                    return
                job = self._next_job()
                if job is None:
                    return
                small = job.cost <= self.small_seconds
                if (small and self.express and large >= self.workers
                        and not any(job.express for job in running)):
                    job.express = True
                elif started >= 2 * self.workers or (started >= self.workers and not small):
                    return
                job.running = True
                job.attempts += 1
            self._start(job)

    def _start(self, job: Job) -> None:
        try:
            function, *arguments = job.task()
            submitted = (self.pool().submit(function, *arguments, express=True) if job.express
                         else self.pool().submit(function, *arguments))
        except Exception as err:  # making its arguments failed: the run fails alike
            submitted = Future()
            submitted.set_exception(err)
        submitted.add_done_callback(lambda done: self._finished(job, done))

    def pool(self):
        """The worker pool, started on first use."""
        with self._lock:
            if self._pool is None:
                self._pool = self._start_pool()
            return self._pool

    def _finished(self, job: Job, done: Future) -> None:
        with self._lock:
            self._settle(job, done.exception(), done)
        self._dispatch()

    def _settle(self, job: Job, error: BaseException | None, done: Future | None = None):
        """A start of ``job`` ended (under the lock): back to the queue, first,
        if its worker died and it has starts left and sessions that want it;
        else finished, its future set and kept in the results."""
        job.running = job.express = False
        retry = isinstance(error, WORKER_FAILURES) and job.attempts < self.attempts
        if retry and job.sessions:
            return
        del self._jobs[job.key]
        if retry:  # wanted by nobody any more: not trained again
            job.future.cancel()
            return
        if error is None:
            job.future.set_result(done.result())
        else:
            job.future.set_exception(error)
        if not isinstance(error, WORKER_FAILURES):  # worth keeping: a run, or why not
            self.results.put(job.key, job.future)
        for session in job.sessions:
            request = self._requests.get(session)
            if request is not None:
                request.keys.discard(job.key)

