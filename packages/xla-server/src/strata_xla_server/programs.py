"""The compile cache: executables by (program_hash, num_devices), shared by all sessions.

Least recently used entries go first when it is full; a session keeps the programs it
compiled alive, so eviction never breaks a running client. Two sessions that compile the
same hash at once compile it once (the second waits for the first). A build (parse, checks,
compile) runs on a thread with a large stack (large_stack.py), and the heap it freed goes back
to the operating system afterwards (free_heap.py).
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Callable

from .free_heap import release_free_heap
from .large_stack import run_on_large_stack
from .specs import Spec

Key = tuple[str, int]


@dataclass
class Program:
    hash: str
    num_devices: int
    in_specs: tuple[Spec, ...]
    out_specs: tuple[Spec, ...]
    compiled: Any            # pjrt.Compiled
    compile_ms: float
    processes: int = 1       # processes of the mesh it runs on

    # What every run of the program needs again, worked out at its first run.
    @cached_property
    def out_device_bytes(self) -> tuple[int, ...]:
        """Bytes each result holds on this process's devices of the program."""
        return tuple(s.device_bytes(self.num_devices, self.processes) for s in self.out_specs)

    @cached_property
    def out_protos(self) -> tuple:
        """The results' TensorSpec messages, as an Execute reply names them."""
        return tuple(s.to_proto() for s in self.out_specs)


class ProgramCache:
    def __init__(self, capacity: int):
        self.capacity = capacity
        self._entries: OrderedDict[Key, Program] = OrderedDict()
        self._inflight: dict[Key, threading.Lock] = {}
        self._lock = threading.Lock()

    def lookup(self, key: Key) -> Program | None:
        with self._lock:
            program = self._entries.get(key)
            if program is not None:
                self._entries.move_to_end(key)
            return program

    def get_or_build(self, key: Key, build: Callable[[], Program]) -> tuple[Program, bool]:
        """Returns (program, cached). `build` runs at most once at a time per key."""
        program = self.lookup(key)
        if program is not None:
            return program, True
        with self._lock:
            key_lock = self._inflight.setdefault(key, threading.Lock())
        with key_lock:
            program = self.lookup(key)
            if program is not None:
                return program, True
            try:
                try:
                    program = run_on_large_stack(build)
                finally:
                    release_free_heap()
                with self._lock:
                    self._entries[key] = program
                    while len(self._entries) > self.capacity:
                        self._entries.popitem(last=False)
            finally:
                with self._lock:
                    self._inflight.pop(key, None)
            return program, False

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)
