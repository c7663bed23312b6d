"""Gives the C heap's free memory back to the operating system (glibc's malloc_trim).

Parsing and compiling a module allocates and frees many megabytes inside MLIR and XLA, on
several threads; glibc keeps what was freed in its arenas, so without a trim the server's
resident memory climbs with every module it refuses or compiles. Elsewhere than glibc this
does nothing.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import threading

_lock = threading.Lock()


def _load_trim():
    name = ctypes.util.find_library("c")
    if not name:
        return None
    try:
        trim = ctypes.CDLL(name).malloc_trim
    except (OSError, AttributeError):  # not glibc
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim


_trim = _load_trim()


def release_free_heap() -> None:
    if _trim is None:
        return
    if _lock.acquire(blocking=False):  # one trim at a time is enough: it covers every arena
        try:
            _trim(0)
        finally:
            _lock.release()
