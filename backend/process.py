"""The app server's process set-up, done once before it serves (ui/start.py
calls it): one BLAS thread, and freed memory handed back to the system."""

from __future__ import annotations

import ctypes

from recdemo.train import one_blas_thread

M_MMAP_THRESHOLD = -3  # mallopt's parameter number, from glibc's malloc.h
MMAP_THRESHOLD = 2**20


def set_up() -> None:
    """One BLAS thread in this process too, as in its workers (see
    one_blas_thread), and what the caches evict returned to the system."""
    one_blas_thread()
    return_freed_memory()


def return_freed_memory() -> None:
    """Have glibc's malloc give every block of 1 MB or more a mapping of its
    own, handed back to the system when freed, so what the caches evict leaves
    the server's RSS. By default the threshold rises to the largest block freed
    so far (up to 32 MB): after the first evicted run, a run's arrays sit in
    the heap, and the holes they leave stay in the RSS (docs/performance.md
    has the measurement). Nothing happens without glibc."""
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return
    libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)
