"""Work that says which worker process runs it (tests/test_ui.py kills that
one). Its own module, light to import: a worker imports it to run a call."""

import os


def noting_pid(path: str, function, *arguments):
    """Append this process's id to the file ``path``, then run the call."""
    with open(path, "a") as file:
        file.write(f"{os.getpid()}\n")
    return function(*arguments)
