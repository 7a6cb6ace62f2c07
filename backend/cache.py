"""A cache bounded by bytes, not by entries: a trained run at the largest sizes
is many times a default one, so a count of entries says little about memory.

It is the app's own, not st.cache_data or st.cache_resource: Streamlit's
``clear_cache`` message, which any browser can send, empties those for every
session; it never reaches this one.
"""

from __future__ import annotations

import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

import numpy as np


def nbytes(value, _seen: set[int] | None = None) -> int:
    """The memory ``value`` holds, counting what it refers to: numpy arrays by
    their buffers, containers and objects by their parts (each object once).
    An estimate, as sys.getsizeof is, but one that sees inside a TrainResult,
    a Dataset or a plotly figure."""
    seen = set() if _seen is None else _seen
    stack, total = [value], 0
    while stack:
        item = stack.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, np.ndarray):
            total += item.nbytes + sys.getsizeof(np.empty(0))
            if item.base is not None:
                total -= item.nbytes  # a view: its base is counted where it is held
                stack.append(item.base)
            if item.dtype == object:
                stack.extend(item.ravel())
            continue
        total += sys.getsizeof(item)
        if isinstance(item, (str, bytes, bytearray, int, float, bool, type(None))):
            continue
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, (list, tuple, set, frozenset)):
            stack.extend(item)
        else:
            attributes = getattr(item, "__dict__", None)
            if attributes is not None:
                stack.append(attributes)
            stack.extend(getattr(item, name) for name in getattr(type(item), "__slots__", ())
                         if hasattr(item, name))
    return total


class ByteCache:
    """Least recently used entries go first once the entries together hold
    more than ``max_bytes`` (measured once, when an entry is stored).
    Thread-safe; ``get_or_make`` makes a missing entry once however many
    threads ask for it at the same moment."""

    def __init__(self, max_bytes: int, size: Callable[[object], int] = nbytes):
        self.max_bytes = max_bytes
        self._size = size
        self._entries: OrderedDict[Hashable, tuple[object, int]] = OrderedDict()
        self._keys: dict[int, Hashable] = {}  # id(value) -> key, for holds()
        self._bytes = 0
        self._lock = threading.Lock()
        self._making: dict[Hashable, threading.Event] = {}

    @property
    def bytes(self) -> int:
        return self._bytes

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: Hashable) -> bool:
        return key in self._entries

    def holds(self, value) -> bool:
        """Whether ``value`` itself (not an equal one) is an entry."""
        with self._lock:
            key = self._keys.get(id(value))
            return key is not None and self._entries[key][0] is value

    def get(self, key: Hashable, default=None):
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return default
            self._entries.move_to_end(key)
            return entry[0]

    def put(self, key: Hashable, value) -> None:
        """Store ``value``; an entry larger than the whole cache is not kept."""
        size = self._size(value)
        with self._lock:
            self._discard(key)
            if size > self.max_bytes:
                return
            self._entries[key] = (value, size)
            self._keys[id(value)] = key
            self._bytes += size
            while self._bytes > self.max_bytes:
                self._discard(next(iter(self._entries)))

    def get_or_make(self, key: Hashable, make: Callable[[], object],
                    wait: Callable[[threading.Event], None] = threading.Event.wait):
        """The entry of ``key``, made by ``make()`` if missing. A thread that
        finds another making the same entry waits with ``wait(event)`` (which
        returns once the event is set, and may raise to stop waiting), then
        reads it; if the maker failed, the next thread makes it itself."""
        while True:
            with self._lock:
                entry = self._entries.get(key)
                if entry is not None:
                    self._entries.move_to_end(key)
                    return entry[0]
                event = self._making.get(key)
                if event is None:
                    event = self._making[key] = threading.Event()
                    break
            wait(event)
        try:
            value = make()
            self.put(key, value)
            return value
        finally:
            with self._lock:
                del self._making[key]
            event.set()

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._keys.clear()
            self._bytes = 0

    def _discard(self, key: Hashable) -> None:
        entry = self._entries.pop(key, None)
        if entry is not None:
            self._bytes -= entry[1]
            self._keys.pop(id(entry[0]), None)
