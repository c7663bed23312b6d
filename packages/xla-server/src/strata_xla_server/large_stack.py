"""Runs a function on a thread of its own with a large stack, and returns its result.

MLIR's parser and verifier and XLA's compiler recurse once per level of a module's nesting.
module_limits.py bounds that nesting; the large stack leaves room for the deepest module it
accepts, whatever stack size the platform gives ordinary threads. The stack is reserved
address space: only the pages a compile touches take memory.
"""
from __future__ import annotations

import threading
import traceback
from typing import Callable, TypeVar

STACK_BYTES = 64 << 20

T = TypeVar("T")
_stack_size_lock = threading.Lock()


def run_on_large_stack(fn: Callable[[], T], name: str = "xla-compile") -> T:
    outcome: dict[str, object] = {}

    def target() -> None:
        try:
            outcome["value"] = fn()
        except BaseException as e:  # handed to the caller's thread below
            outcome["error"] = e

    # threading.stack_size applies to threads started after it, process-wide, so it is set
    # just for this start and put back at once.
    with _stack_size_lock:
        previous = threading.stack_size(STACK_BYTES)
        try:
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
        finally:
            threading.stack_size(previous)
    thread.join()
    error = outcome.pop("error", None)
    if error is not None:
        _drop_tracebacks(error)
        try:
            raise error
        finally:
            error = None  # the traceback holds this frame: no reference cycle through it
    return outcome.pop("value")  # type: ignore[return-value]


def _drop_tracebacks(error: BaseException) -> None:
    """Drops the frames of the finished thread from an error and the errors chained to it.

    Those frames hold what the failed function held (an MLIR context with its parsed module,
    the module's text); an error kept in a reference cycle, as asyncio and grpc make, would
    keep all of it alive until the next full garbage collection. The message stays, and the
    stack, as text, becomes a note of the error (what a log of an unexpected error prints).
    """
    if error.__traceback__ is not None:
        error.add_note("on the compile thread:\n" + "".join(traceback.format_tb(error.__traceback__)).rstrip())
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        current.__traceback__ = None
        current = current.__cause__ or current.__context__
