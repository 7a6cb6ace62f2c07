"""A worker process's loop: receive calls over its own pipe, run them one
after another, send back each result or exception.

The app's training workers (backend/pool.py) run this. Each worker has a pipe
of its own, so a worker that dies (killed, out of memory) takes only its own
calls with it, even in the middle of sending a result. (concurrent.futures'
ProcessPoolExecutor shares one result pipe between its workers: a worker
killed while writing there leaves half a message in it, and the pool waits
for the rest forever.) It imports nothing but the standard library: a worker
starts with the library modules its forkserver preloads, and nothing of the
app's Streamlit side.
"""

from __future__ import annotations

import queue
import threading


def serve(connection, initializer=None) -> None:
    """Run ``(function, arguments)`` calls from ``connection`` until it closes;
    answer each with ``(True, result)`` or ``(False, exception)``, in order.
    A thread reads the calls as they come: the server sends the next call
    while one runs, so the worker starts it as soon as it answered."""
    if initializer is not None:
        initializer()
    calls: queue.SimpleQueue = queue.SimpleQueue()

    def read() -> None:
        try:
            while True:
                calls.put(connection.recv())
        except EOFError:  # the server closed the pipe: stop
            calls.put(None)

    threading.Thread(target=read, daemon=True).start()
    while (call := calls.get()) is not None:
        function, arguments = call
        try:
            answer = (True, function(*arguments))
        except Exception as err:  # the caller's to handle (a diverged run, a bad size)
            answer = (False, err)
        connection.send(answer)
