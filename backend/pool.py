"""Training worker processes, each with a pipe of its own (backend/worker.py
runs in them). A worker that dies fails only the call it had, with
BrokenProcessPool, and a new process takes its place; the others go on.

concurrent.futures' ProcessPoolExecutor was not enough: its workers share
one result pipe, and a worker killed while writing its result there left the
pool waiting for the rest of the message forever: in a class whose workers
were killed, most students waited for nothing (docs/performance.md).
"""

from __future__ import annotations

import collections
import multiprocessing
import pickle
import queue
import sys
import threading
import types
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool

from backend.worker import serve

_STARTING = threading.Lock()  # one worker process starts at a time (see _start_process)


class WorkerPool:
    """``workers`` processes from ``context``, each started with
    ``initializer()``; ``submit(function, *arguments)`` returns a Future.
    Calls wait in a queue until a worker is free. ``express`` more processes
    take only the calls submitted with ``express=True``, from a queue of
    their own (the scheduler sends them small work while every other worker
    is busy with large work)."""

    def __init__(self, workers: int, context, initializer=None, express: int = 0):
        self._context = context
        self._initializer = initializer
        self._calls: queue.SimpleQueue = queue.SimpleQueue()
        self._express_calls: queue.SimpleQueue = queue.SimpleQueue()
        # Answers are handed to their futures by a thread of their own: a
        # future's callbacks (the queue starting the next runs, making their
        # datasets) must not keep a worker thread from its next call.
        self._answers: queue.SimpleQueue = queue.SimpleQueue()
        self._lock = threading.Lock()
        self.processes: list = []  # the live worker processes
        for index in range(workers):
            threading.Thread(target=self._run, args=(self._calls,), daemon=True,
                             name=f"training worker {index}").start()
        for index in range(express):
            threading.Thread(target=self._run, args=(self._express_calls,), daemon=True,
                             name=f"express training worker {index}").start()
        threading.Thread(target=self._answer, daemon=True, name="training answers").start()

    def submit(self, function, *arguments, express: bool = False) -> Future:
        future = Future()
        (self._express_calls if express else self._calls).put((future, function, arguments))
        return future

    def _start_process(self):
        connection, child = multiprocessing.Pipe()
        process = self._context.Process(target=serve, args=(child, self._initializer),
                                        daemon=True)
        with _STARTING:
            # multiprocessing has a new process first run the parent's __main__
            # module. In the server that is whichever page script ran last
            # (Streamlit installs each page run's module as __main__): app.py,
            # with Streamlit and every page. A stand-in keeps the worker to the
            # library; a page run that starts meanwhile installs its own.
            app_main = sys.modules["__main__"]
            stand_in = sys.modules["__main__"] = types.ModuleType("__main__")
            try:
                process.start()
            finally:
                if sys.modules["__main__"] is stand_in:
                    sys.modules["__main__"] = app_main
        child.close()  # only the worker holds its end: its death reads as the end of the pipe
        with self._lock:
            self.processes.append(process)
        return process, connection

    def _forget_process(self, process, connection) -> None:
        connection.close()
        process.kill()
        process.join()
        with self._lock:
            self.processes.remove(process)

    def _run(self, calls: queue.SimpleQueue) -> None:
        """One worker: its process, and the calls from ``calls`` it runs one after another
        (the threads and the processes end with the server). A call that waits
        is sent while the one before it runs, so the process goes on to it
        without waiting for this busy server to read the answer first."""
        process, connection = self._start_process()
        sent: collections.deque = collections.deque()  # futures of the calls sent, in order
        while True:
            while len(sent) < 2:
                try:
                    future, function, arguments = calls.get_nowait() if sent else calls.get()
                except queue.Empty:
                    break
                if not future.set_running_or_notify_cancel():
                    continue
                if not sent and not process.is_alive():  # it died waiting: a new one
                    self._forget_process(process, connection)
                    process, connection = self._start_process()
                sent.append(future)
                try:
                    connection.send((function, arguments))
                except OSError:  # it died: the answer below says so
                    break
            try:
                succeeded, value = connection.recv()
            except (EOFError, OSError, pickle.UnpicklingError) as err:  # it died mid-call
                self._forget_process(process, connection)
                while sent:  # its calls are lost, the one running and the one waiting
                    self._answers.put((sent.popleft(), False, BrokenProcessPool(
                        f"a training worker process stopped ({err!r})")))
                process, connection = self._start_process()
                continue
            self._answers.put((sent.popleft(), succeeded, value))

    def _answer(self) -> None:
        while True:
            future, succeeded, value = self._answers.get()
            if succeeded:
                future.set_result(value)
            else:
                future.set_exception(value)

