"""A session's asynchronous runs: dispatched, replied to, and perhaps still running.

An Execute with `asynchronous` set replies once its program is queued on the devices, as
jax's asynchronous dispatch returns before the computation ends: the client's next request
overlaps the running step. The outputs are registered at once (their handles go back in the
reply) and are ready when a later call needs them (a run that takes them as inputs waits in
XLA, a Fetch waits for the values). What the server must still do when such a run ends, it
does here:

- bound the queue: at most MAX_IN_FLIGHT runs of a session are unfinished; the next one
  first waits for the oldest, so a client that never reads cannot queue steps without end;
- return the run's intermediates to the session's quota once it has ended (they were
  reserved with the run);
- report a failed run: its error reaches the session's next Execute (jax's error surfaces at
  the next blocking call in the same way), naming the program that failed.
"""
from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass
from typing import Any, Callable

MAX_IN_FLIGHT = 2


class EarlierRunFailed(Exception):
    """An asynchronous run of the session failed after its call had replied."""


@dataclass
class _Run:
    what: str
    token: Any               # the run's completion token (see Runtime.execute)
    outputs: list[Any]       # its output arrays: one not consumed by a later run tells if it ended
    on_end: Callable[[], None]

    def ended(self) -> bool:
        """True when the run is known to have ended, without waiting (an output that a later
        run consumed can no longer tell: False then, and the run is waited for)."""
        return any(not o.is_deleted() and o.is_ready() for o in self.outputs)


class InFlight:
    def __init__(self, limit: int = MAX_IN_FLIGHT):
        self.limit = limit
        self._runs: deque[_Run] = deque()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            return len(self._runs)

    def add(self, what: str, token: Any, outputs: list[Any], on_end: Callable[[], None]) -> None:
        """A run that replied before it ended; `on_end` frees what it holds once it has."""
        with self._lock:
            self._runs.append(_Run(what, token, outputs, on_end))

    def has_room(self) -> bool:
        """Settles the runs that have ended, oldest first, without waiting; True when another
        asynchronous run may start without waiting for one. Raises EarlierRunFailed as
        `wait_below` does."""
        while True:
            with self._lock:
                if not self._runs or not self._runs[0].ended():
                    return len(self._runs) < self.limit
            self._settle_oldest(0)

    def wait_below(self, limit: int | None = None) -> None:
        """Blocks until fewer than `limit` runs (default: the bound) are unfinished, oldest
        first. Raises EarlierRunFailed for the first of them that failed (the others are
        still waited for, so that their memory is returned)."""
        limit = self.limit if limit is None else limit
        failure: EarlierRunFailed | None = None
        while True:
            try:
                if not self._settle_oldest(limit):
                    break
            except EarlierRunFailed as e:
                failure = failure or e
        if failure is not None:
            raise failure

    def _settle_oldest(self, limit: int) -> bool:
        """Waits for the oldest run and frees what it held, while `limit` or more are
        unfinished; False when fewer are."""
        with self._lock:
            if not self._runs or len(self._runs) < limit:
                return False
            run = self._runs.popleft()
        try:
            run.token.block_until_ready()
        except Exception as e:   # the program failed on the devices after its call replied
            raise EarlierRunFailed(f"{run.what} failed after its call had replied (it ran asynchronously): {e}") from None
        finally:
            run.on_end()
        return True

    def drain(self) -> None:
        """Waits for every run (a synchronous call's result depends on all of them)."""
        self.wait_below(0)


def run_after_earlier_runs(session, program, arrays, inline, keep, literals, asynchronous: bool,
                           execute: Callable[..., Any]) -> Any:
    """Runs a session's program once its earlier asynchronous runs allow (on a worker thread):
    an asynchronous run waits until fewer than the bound are unfinished and does not wait for
    its own end; a synchronous one waits for all of them, then for itself."""
    session.in_flight.wait_below(None if asynchronous else 0)
    return execute(program.compiled, arrays, inline, keep, literals, wait=not asynchronous)
