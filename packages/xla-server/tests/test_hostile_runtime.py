"""Run-time abuse: programs that never end, shutdown with runs stuck, crashes that must leave
a trace. Each hostile call ends with an error status for its own client while others go on."""
from __future__ import annotations

import os
import signal
import time

import grpc
import numpy as np
import pytest

import hostile_programs
import programs
from client import compile_program, execute, fetch, sha256, spec, upload
from conftest import start_server, stop_server
from strata_xla_server.protocol import pb, pb_grpc

LOOP_DEADLINE_S = 1.0


def _open(stub) -> str:
    return stub.OpenSession(pb.OpenSessionRequest(client="hostile"), timeout=10).session_id


def _start_loop(stub, timeout=None) -> tuple[str, str]:
    """A session with the endless loop compiled and an input uploaded."""
    sid = _open(stub)
    s = spec((), np.int32)
    compile_program(stub, sid, hostile_programs.endless_loop(), [s], [s])
    return sid, upload(stub, sid, np.array(1, np.int32)).handle


def _known_good(stub) -> None:
    """add_2x3 in a fresh session gives the right answer."""
    sid = _open(stub)
    try:
        text, s = programs.add_2x3(), spec((2, 3))
        compile_program(stub, sid, text, [s, s], [s])
        a = upload(stub, sid, np.arange(6, dtype=np.float32).reshape(2, 3)).handle
        b = upload(stub, sid, np.ones((2, 3), np.float32)).handle
        out = execute(stub, sid, text, [a, b], timeout=30).outputs[0].handle
        np.testing.assert_array_equal(fetch(stub, sid, out), np.arange(1, 7, dtype=np.float32).reshape(2, 3))
    finally:
        stub.CloseSession(pb.CloseSessionRequest(session_id=sid), timeout=10)


def _channel(port):
    """A connection of its own (grpc shares connections between channels to one address by
    default): the server tells clients apart by connection."""
    return grpc.insecure_channel(f"127.0.0.1:{port}", options=[("grpc.use_local_subchannel_pool", 1)])


def test_endless_loops_end_at_their_deadline_and_never_wedge_the_server(tmp_path):
    # Two workers and two overdue runs allowed in all, one per client; calls without a
    # deadline get the server's default.
    server = start_server(tmp_path, "--workers", "2", "--max-overdue-runs", "2",
                          "--default-deadline-s", str(LOOP_DEADLINE_S))
    channels = [_channel(server.port) for _ in range(3)]
    a, b, c = (pb_grpc.XlaServiceStub(ch) for ch in channels)
    try:
        # Client a: no deadline of its own, so the server's default applies.
        sid, handle = _start_loop(a)
        start = time.monotonic()
        with pytest.raises(grpc.RpcError) as e:
            a.Execute(pb.ExecuteRequest(session_id=sid, program_hash=sha256(hostile_programs.endless_loop()),
                                        inputs=[handle]))
        elapsed = time.monotonic() - start
        assert e.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED, e.value.details()
        assert "did not finish within the deadline" in e.value.details()
        assert elapsed < LOOP_DEADLINE_S + 2.0, elapsed

        # Its stuck run counts against client a only.
        with pytest.raises(grpc.RpcError) as e:
            execute(a, sid, hostile_programs.endless_loop(), [handle], timeout=10)
        assert e.value.code() == grpc.StatusCode.UNAVAILABLE
        assert "past their deadline" in e.value.details()
        assert c.Health(pb.HealthRequest(), timeout=10).ok
        _known_good(c)

        # Client b: its own deadline. Both overdue runs are now taken: Health says so, and
        # no new run starts (a clear UNAVAILABLE rather than a hang).
        sid_b, handle_b = _start_loop(b)
        start = time.monotonic()
        with pytest.raises(grpc.RpcError) as e:
            execute(b, sid_b, hostile_programs.endless_loop(), [handle_b], timeout=LOOP_DEADLINE_S)
        assert e.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
        assert time.monotonic() - start < LOOP_DEADLINE_S + 2.0
        assert not c.Health(pb.HealthRequest(), timeout=10).ok
        with pytest.raises(grpc.RpcError) as e:
            _known_good(c)
        assert e.value.code() == grpc.StatusCode.UNAVAILABLE and "2 run(s) past their deadline" in e.value.details()

        # SIGTERM stops the server within 5 s although two runs never end.
        start = time.monotonic()
        server.process.send_signal(signal.SIGTERM)
        server.process.wait(timeout=10)
        assert time.monotonic() - start < 5.0
    finally:
        for ch in channels:
            ch.close()
        stop_server(server)
    assert "2 run(s) past their deadline are still running: the process exits without them" in server.log()


def test_default_quota_and_sigint_within_5_s(tmp_path):
    server = start_server(tmp_path)
    try:
        with _channel(server.port) as ch:
            stub = pb_grpc.XlaServiceStub(ch)
            # Without --memory-quota-bytes a session gets half the devices' memory: host RAM on CPU.
            quota = stub.OpenSession(pb.OpenSessionRequest(), timeout=10).memory_quota_bytes
            assert quota == os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") // 2
            sid, handle = _start_loop(stub)
            with pytest.raises(grpc.RpcError):
                execute(stub, sid, hostile_programs.endless_loop(), [handle], timeout=0.5)
        start = time.monotonic()
        server.process.send_signal(signal.SIGINT)
        server.process.wait(timeout=10)
        assert time.monotonic() - start < 5.0
    finally:
        stop_server(server)


def test_a_crash_leaves_a_trace_in_the_log(tmp_path):
    server = start_server(tmp_path)
    try:
        server.process.send_signal(signal.SIGSEGV)
        server.process.wait(timeout=10)
    finally:
        stop_server(server)
    log = server.log()
    assert "Fatal Python error: Segmentation fault" in log, log[-2000:]
    assert "strata_xla_server" in log   # the Python stacks of the server's threads
