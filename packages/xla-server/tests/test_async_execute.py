"""Execute with `asynchronous`: the reply comes once the run is queued, not once it has run."""
import numpy as np
import pytest

import programs
from client import compile_program, fetch, sha256, spec, upload
from strata_xla_server.in_flight import EarlierRunFailed, InFlight
from strata_xla_server.protocol import pb

V3, SCALAR = spec((3,)), spec(())


def scale(stub, session, text, handle, factor: float, asynchronous: bool) -> pb.ExecuteReply:
    array = np.asarray(factor, np.float32)
    return stub.Execute(pb.ExecuteRequest(
        session_id=session, program_hash=sha256(text), inputs=[handle], donate=[handle],
        literals=[pb.Literal(index=1, spec=SCALAR, data=array.tobytes())],
        inline_max_bytes=1 << 10, asynchronous=asynchronous), timeout=30)


def test_chained_asynchronous_runs_give_the_synchronous_result_and_nothing_inline(stub):
    session = stub.OpenSession(pb.OpenSessionRequest(num_devices=1), timeout=10).session_id
    text = programs.scaled_by((3,), donate=True)   # a step that consumes its state, as a training step
    compile_program(stub, session, text, [V3, SCALAR], [V3])
    v = upload(stub, session, np.array([1, 2, 3], np.float32)).handle
    for factor in (2, 2, 2, 0.5, 2, 2):
        reply = scale(stub, session, text, v, factor, asynchronous=True)
        assert not reply.outputs[0].inlined and reply.outputs[0].data == b""
        v = reply.outputs[0].handle
    np.testing.assert_array_equal(fetch(stub, session, v), [16, 32, 48])
    # A synchronous run after them waits for them and brings its output back inline.
    reply = scale(stub, session, text, v, 0.25, asynchronous=False)
    assert reply.outputs[0].inlined
    np.testing.assert_array_equal(np.frombuffer(reply.outputs[0].data, np.float32), [4, 8, 12])
    # Only the last state is left: every donated input was freed with its run.
    assert stub.CloseSession(pb.CloseSessionRequest(session_id=session), timeout=10).buffers_freed == 1


class _Run:
    """Stands for a run's completion token: records when it is waited for, or fails then."""

    def __init__(self, log: list, name: str, error: Exception | None = None):
        self.log, self.name, self.error = log, name, error

    def block_until_ready(self):
        self.log.append(f"wait {self.name}")
        if self.error:
            raise self.error
        return self


def test_at_most_the_bound_of_runs_are_unfinished_and_each_returns_its_memory_once():
    log: list = []
    flight = InFlight(limit=2)
    for name in "abc":
        flight.wait_below()
        flight.add(f"program {name}", _Run(log, name), [], lambda name=name: log.append(f"end {name}"))
    # The third waited for the first: two remain unfinished.
    assert log == ["wait a", "end a"] and len(flight) == 2
    flight.drain()
    assert log == ["wait a", "end a", "wait b", "end b", "wait c", "end c"] and len(flight) == 0
    flight.drain()
    assert len(log) == 6


def test_a_failed_run_fails_the_next_call_naming_it_and_still_returns_its_memory():
    log: list = []
    flight = InFlight(limit=2)
    flight.add("program 1f2e3d", _Run(log, "a", RuntimeError("RESOURCE_EXHAUSTED: out of memory")), [], lambda: log.append("end a"))
    flight.add("program 4c5b6a", _Run(log, "b"), [], lambda: log.append("end b"))
    with pytest.raises(EarlierRunFailed, match=r"program 1f2e3d failed after its call had replied .*out of memory"):
        flight.drain()
    assert log == ["wait a", "end a", "wait b", "end b"] and len(flight) == 0


class _Output:
    """Stands for an output array: ready or not, consumed by a later run or not."""

    def __init__(self, ready: bool, deleted: bool = False):
        self.ready, self.deleted = ready, deleted

    def is_ready(self) -> bool:
        return self.ready

    def is_deleted(self) -> bool:
        return self.deleted


def test_room_is_made_by_runs_that_ended_without_waiting_for_one_that_has_not():
    log: list = []
    flight = InFlight(limit=2)
    flight.add("program a", _Run(log, "a"), [_Output(ready=True)], lambda: log.append("end a"))
    # b's only output was consumed by a later run: it cannot tell whether b ended.
    flight.add("program b", _Run(log, "b"), [_Output(ready=False, deleted=True)], lambda: log.append("end b"))
    assert flight.has_room()
    assert log == ["wait a", "end a"] and len(flight) == 1   # a settled (its token raised nothing); b was not waited for
    flight.add("program c", _Run(log, "c"), [_Output(ready=False)], lambda: log.append("end c"))
    assert not flight.has_room() and len(flight) == 2
