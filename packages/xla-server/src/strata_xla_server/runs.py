"""Blocking work (compiles, transfers, runs) on worker threads, bounded by deadlines.

PJRT cannot cancel a program once it runs, so a call whose deadline passes gives up waiting:
the client gets DEADLINE_EXCEEDED at its deadline, and the run is counted as overdue until
it ends. An overdue run gives its worker slot back at once (the pool has spare threads for
it), so runs that never end do not hold the workers that other sessions need. Overdue runs
are capped, per client and in all; at a cap, new work from that client (or from every
client, at the global cap) ends UNAVAILABLE naming the overdue runs, and Health reports the
server as not ok while the global cap is reached. The caller's `on_late` callback frees what
an abandoned run held (its memory reservation, the inputs it consumed) when it ends.

Ordered work (the runs of a multi-process mesh, whose collectives meet only when every
process launches the same programs in the same order) goes to one thread of its own, in the
order the calls arrive, without waiting for a worker. A deadline stops the wait, never the
run: an ordered run whose call gave up still runs in its turn, so the order stays the same
on every process.
"""
from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable

import grpc

from .errors import ServiceError, unavailable

log = logging.getLogger("strata_xla_server")


class RunGate:
    def __init__(self, workers: int, max_overdue: int, max_overdue_per_client: int, default_deadline_s: float):
        self.workers = workers
        self.max_overdue = max_overdue
        self.max_overdue_per_client = max_overdue_per_client
        self.default_deadline_s = default_deadline_s
        # Threads for the active runs plus the overdue ones, which keep theirs until they end.
        self.executor = ThreadPoolExecutor(max_workers=2 * workers + max_overdue, thread_name_prefix="xla-work")
        self._ordered = ThreadPoolExecutor(max_workers=1, thread_name_prefix="xla-ordered")
        self._slots = asyncio.Semaphore(workers)
        self._overdue: Counter[str] = Counter()
        self._lock = threading.Lock()

    @property
    def overdue(self) -> int:
        with self._lock:
            return sum(self._overdue.values())

    def healthy(self) -> bool:
        """False while the overdue runs fill their cap: no new work can start."""
        return self.overdue < self.max_overdue

    def deadline_s(self, context) -> float:
        """Seconds left of the call's deadline, or the server's default for calls without one."""
        remaining = context.time_remaining()
        return self.default_deadline_s if remaining is None else min(remaining, self.default_deadline_s)

    def _admit(self, context, client: str, what: str) -> float:
        """The call's seconds left, once it may start: its deadline not passed, room for its client."""
        deadline_s = self.deadline_s(context)
        if deadline_s <= 0:
            raise ServiceError(grpc.StatusCode.DEADLINE_EXCEEDED, f"the call's deadline passed before {what} started")
        self._check_room(client)
        return deadline_s

    def _check_room(self, client: str) -> None:
        with self._lock:
            mine, total = self._overdue.get(client, 0), sum(self._overdue.values())
        if mine >= self.max_overdue_per_client:
            raise unavailable(
                f"client {client} has {mine} run(s) past their deadline that are still running "
                f"(at most {self.max_overdue_per_client} per client); a program that does not end "
                f"(a while loop whose condition stays true) holds a thread until it ends: fix the "
                f"program, or wait for it to end"
            )
        if total >= self.max_overdue:
            raise unavailable(
                f"{total} run(s) past their deadline are still running on this server (at most "
                f"{self.max_overdue}, --max-overdue-runs); retry when they end or restart the server"
            )

    async def run(self, context, client: str, what: str, fn: Callable[..., Any], *args,
                  on_late: Callable[[Any, BaseException | None], None] | None = None,
                  ordered: bool = False) -> Any:
        """Runs fn(*args) on a worker thread within the call's deadline and returns its result.

        When this raises instead (no room, no worker before the deadline, fn's own error, the
        deadline passed or the call was cancelled while fn ran), `on_late(result, error)` is
        called once, when fn has ended or at once if it never started, so the caller frees
        what the work held in one place. `ordered`: fn runs on the ordered thread, after the
        ordered work of the calls that came before.
        """
        if ordered:
            return await self._run_ordered(context, client, what, fn, *args, on_late=on_late)
        future = None
        abandoned = False
        try:
            deadline_s = self._admit(context, client, what)
            start = time.monotonic()
            try:
                if self._slots.locked():
                    await asyncio.wait_for(self._slots.acquire(), deadline_s)
                else:
                    await self._slots.acquire()   # a free worker: taken at once, no timer
            except asyncio.TimeoutError:
                raise ServiceError(
                    grpc.StatusCode.DEADLINE_EXCEEDED,
                    f"{what} waited {deadline_s:.3g} s for one of the {self.workers} workers and did not "
                    f"get one before its deadline; give the call a longer deadline or retry when the "
                    f"server is less busy",
                ) from None
            try:
                future = asyncio.get_running_loop().run_in_executor(self.executor, fn, *args)
                try:
                    # asyncio.wait never cancels the future: at the deadline the run goes on.
                    done, _ = await asyncio.wait((future,), timeout=deadline_s - (time.monotonic() - start))
                    if done:
                        return future.result()
                    abandoned = True
                    raise ServiceError(
                        grpc.StatusCode.DEADLINE_EXCEEDED,
                        f"{what} did not finish within the deadline of {deadline_s:.3g} s; the server stopped "
                        f"waiting for it (it runs on, counted against this client, until it ends). Give the "
                        f"call a longer deadline, or check the program for a loop that does not end",
                    )
                except asyncio.CancelledError:
                    abandoned = not future.done()   # the client went away; the run goes on without it
                    raise
            finally:
                self._slots.release()
        except BaseException as error:
            self._settle_late(on_late, abandoned, future, client, what, error)
            raise

    async def _run_ordered(self, context, client: str, what: str, fn: Callable[..., Any], *args,
                           on_late=None) -> Any:
        future = None
        abandoned = False
        try:
            deadline_s = self._admit(context, client, what)
            # Queued at once, with no await before it: the queue's order is the arrival order.
            future = asyncio.get_running_loop().run_in_executor(self._ordered, fn, *args)
            try:
                done, _ = await asyncio.wait((future,), timeout=deadline_s)
                if done:
                    return future.result()
                abandoned = True
                raise ServiceError(
                    grpc.StatusCode.DEADLINE_EXCEEDED,
                    f"{what} did not finish within the deadline of {deadline_s:.3g} s (the mesh runs one "
                    f"program at a time, in order); the server stopped waiting for it (it runs on in its "
                    f"turn, counted against this client, until it ends). Give the call a longer deadline, "
                    f"or check that every server of the mesh received the same calls in the same order",
                )
            except asyncio.CancelledError:
                abandoned = not future.done()
                raise
        except BaseException as error:
            self._settle_late(on_late, abandoned, future, client, what, error)
            raise

    def _settle_late(self, on_late, abandoned: bool, future: asyncio.Future | None, client: str, what: str,
                     error: BaseException) -> None:
        """A call that ends in error: an abandoned run's `on_late` waits for the run, else it is called now."""
        if on_late is None:
            return
        if abandoned:
            self._abandon(future, client, what, on_late)
        else:
            _call_late(on_late, future, error)

    def _abandon(self, future: asyncio.Future, client: str, what: str, on_late) -> None:
        with self._lock:
            self._overdue[client] += 1
            total = sum(self._overdue.values())
        log.warning("%s (client %s) is past its deadline and still running: %d overdue run(s)", what, client, total)

        def ended(f: asyncio.Future) -> None:
            with self._lock:
                self._overdue[client] -= 1
                if self._overdue[client] <= 0:
                    del self._overdue[client]
            log.info("%s (client %s), past its deadline, ended", what, client)
            _call_late(on_late, f, None)

        future.add_done_callback(ended)

    def shutdown(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)
        self._ordered.shutdown(wait=False, cancel_futures=True)


def _call_late(on_late, future: asyncio.Future | None, error: BaseException | None) -> None:
    """Calls on_late with fn's result (None when it failed or never ran) and the error."""
    result = None
    if future is not None and future.done() and not future.cancelled():
        error = future.exception() or error
        if future.exception() is None:
            result = future.result()
    try:
        on_late(result, error)
    except Exception:
        log.exception("freeing what an abandoned run held failed")
