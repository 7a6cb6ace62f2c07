"""A worker process's loop: receive a call over its own pipe, run it, send
back the result or the exception, and wait for the next.

The app's training workers (ui/workers.py) run this. Each worker has a pipe
of its own, so a worker that dies (killed, out of memory) takes only its own
call with it, even in the middle of sending a result. (concurrent.futures'
ProcessPoolExecutor shares one result pipe between its workers: a worker
killed while writing there leaves half a message in it, and the pool waits
for the rest forever.) No streamlit import: a worker starts with the library
only.
"""

from __future__ import annotations


def serve(connection, initializer=None) -> None:
    """Run ``(function, arguments)`` calls from ``connection`` until it closes;
    answer each with ``(True, result)`` or ``(False, exception)``."""
    if initializer is not None:
        initializer()
    while True:
        try:
            function, arguments = connection.recv()
        except EOFError:  # the server closed the pipe: stop
            return
        try:
            answer = (True, function(*arguments))
        except Exception as err:  # the caller's to handle (a diverged run, a bad size)
            answer = (False, err)
        connection.send(answer)
