"""Resource abuse: memory beyond a session's quota (buffers, their count, intermediates,
programs), big unauthenticated bodies, replies beyond the message limit, and one client
holding every stream or session. The abuser gets RESOURCE_EXHAUSTED; Health and the other
clients keep working, and a known-good program still gives the right answer."""
from __future__ import annotations

import os
import threading
from contextlib import contextmanager
import time

import grpc
import numpy as np
import pytest

import hostile_programs
from client import compile_program, execute, fetch, sha256, spec, upload
from conftest import start_server, stop_server
from strata_xla_server.protocol import pb, pb_grpc
from strata_xla_server.sessions import BUFFER_OVERHEAD_BYTES
from test_hostile_runtime import _channel, _known_good

TOKEN = "limits-token-0123456789abcdef"
MAX_CALLS = 16
MAX_UNATTACHED = 4
MAX_BUFFERS = 20
MAX_PROGRAMS = 2
MESSAGE_BYTES = 1 << 20


@pytest.fixture(scope="module")
def limited(tmp_path_factory):
    server = start_server(
        tmp_path_factory.mktemp("limits"),
        "--max-calls-per-client", str(MAX_CALLS), "--max-unattached-per-client", str(MAX_UNATTACHED),
        "--max-buffers-per-session", str(MAX_BUFFERS), "--max-programs-per-session", str(MAX_PROGRAMS),
        "--max-message-bytes", str(MESSAGE_BYTES), "--attach-timeout-s", "2",
    )
    yield server
    stop_server(server)


@pytest.fixture
def clients(limited):
    channels = [_channel(limited.port) for _ in range(2)]
    yield [pb_grpc.XlaServiceStub(ch) for ch in channels]
    for ch in channels:
        ch.close()


@contextmanager
def _session(stub, quota=0):
    """An attached session (the fixture's server closes unattached ones after 2 s)."""
    sid = stub.OpenSession(pb.OpenSessionRequest(memory_quota_bytes=quota, client="hostile"), timeout=10).session_id
    stop = threading.Event()

    def pings():
        yield pb.AttachPing(session_id=sid)
        stop.wait(120)
    call = stub.Attach(pings(), timeout=120)
    next(call)
    try:
        yield sid
    finally:
        stop.set()
        call.cancel()


def test_tiny_buffers_count_their_overhead_and_their_number(clients):
    abuser, other = clients
    quota = 4 * (4 + BUFFER_OVERHEAD_BYTES) + 100
    with _session(abuser, quota) as sid:
        for _ in range(4):
            upload(abuser, sid, np.zeros((), np.float32))
        with pytest.raises(grpc.RpcError) as e:
            upload(abuser, sid, np.zeros((), np.float32))
        assert e.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
        assert f"needs 4 bytes on the devices (+{BUFFER_OVERHEAD_BYTES} of per-buffer overhead)" in e.value.details()
        assert f"{quota}-byte quota" in e.value.details()
    with _session(abuser) as sid:
        for _ in range(MAX_BUFFERS):
            upload(abuser, sid, np.zeros((), np.float32))
        with pytest.raises(grpc.RpcError) as e:
            upload(abuser, sid, np.zeros((), np.float32))
        assert e.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
        assert f"already holds {MAX_BUFFERS} (+0 being made) of the {MAX_BUFFERS} buffers a session may hold" in e.value.details()
    _known_good(other)


def test_programs_whose_run_cannot_fit_are_refused_at_compile(clients):
    abuser, other = clients
    with _session(abuser, 1 << 20) as sid:
        # The argument alone (4 MiB) exceeds the 1 MiB quota.
        n = 1 << 20
        with pytest.raises(grpc.RpcError) as e:
            compile_program(abuser, sid, hostile_programs.sort_vector(n), [spec((n,))], [spec((n,))])
        assert e.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
        assert f"arguments {4 * n}" in e.value.details() and "1048576-byte quota" in e.value.details()
        # Scalars in and out, but a 4 MiB intermediate.
        with pytest.raises(grpc.RpcError) as e:
            compile_program(abuser, sid, hostile_programs.sort_intermediate(n), [spec(())], [spec(())])
        assert e.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
        assert f"intermediates {4 * n}" in e.value.details()
    _known_good(other)


def test_intermediates_are_reserved_while_a_program_runs(clients):
    abuser, _ = clients
    n = 1 << 16   # a 256 KiB intermediate
    text = hostile_programs.sort_intermediate(n)
    quota = 4 * n + 3 * (4 + BUFFER_OVERHEAD_BYTES)
    with _session(abuser, quota) as sid:
        compile_program(abuser, sid, text, [spec(())], [spec(())])
        x = upload(abuser, sid, np.ones((), np.float32)).handle
        out = execute(abuser, sid, text, [x]).outputs[0].handle     # fits: its intermediates are returned
        assert fetch(abuser, sid, out) == np.sum(np.arange(n, dtype=np.float32))
        # Now two buffers are held: the run's outputs and intermediates no longer fit.
        upload(abuser, sid, np.ones((), np.float32))
        with pytest.raises(grpc.RpcError) as e:
            execute(abuser, sid, text, [x])
        assert e.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
        assert f"{4 * n} bytes of intermediates" in e.value.details()


def test_a_session_keeps_a_bounded_number_of_programs(clients):
    abuser, other = clients
    with _session(abuser) as sid:
        for n in range(1, MAX_PROGRAMS + 1):
            compile_program(abuser, sid, hostile_programs.two_outputs(n), [spec((n,))], [spec((n,))] * 2)
        n = MAX_PROGRAMS + 1
        with pytest.raises(grpc.RpcError) as e:
            compile_program(abuser, sid, hostile_programs.two_outputs(n), [spec((n,))], [spec((n,))] * 2)
        assert e.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
        assert f"already keeps {MAX_PROGRAMS} compiled programs" in e.value.details()
        # The programs it keeps still run.
        h = upload(abuser, sid, np.ones(1, np.float32)).handle
        outs = execute(abuser, sid, hostile_programs.two_outputs(1), [h]).outputs
        assert fetch(abuser, sid, outs[0].handle) == 2 and fetch(abuser, sid, outs[1].handle) == 2
    _known_good(other)


def test_execute_reply_beyond_the_message_limit_leaves_nothing_behind(limited, clients):
    abuser, _ = clients
    n = (MESSAGE_BYTES // 4) * 3 // 4     # each output is 3/4 of the message limit
    text = hostile_programs.two_outputs(n)
    unit = 4 * n + BUFFER_OVERHEAD_BYTES   # what one buffer of n floats counts
    # Room for three such buffers: the input and one run's two outputs, no more.
    with _session(abuser, 3 * unit + 1000) as sid:
        compile_program(abuser, sid, text, [spec((n,))], [spec((n,))] * 2)
        x = upload(abuser, sid, np.arange(n, dtype=np.float32)).handle
        request = pb.ExecuteRequest(session_id=sid, program_hash=sha256(text), inputs=[x], inline_max_bytes=MESSAGE_BYTES)
        reply = abuser.Execute(request, timeout=30)
        # One output fits the reply; the other stays on the server for a Fetch.
        assert [o.inlined for o in reply.outputs] == [True, False]
        np.testing.assert_array_equal(np.frombuffer(reply.outputs[0].data, np.float32), np.arange(n) + 1)
        np.testing.assert_array_equal(fetch(abuser, sid, reply.outputs[1].handle), np.arange(n) * 2)
        # Nothing but the input and the two outputs the client received is held.
        with pytest.raises(grpc.RpcError) as e:
            upload(abuser, sid, np.zeros(n, np.float32))
        assert "already holds 2359296 bytes in 3 buffer(s)" in e.value.details()


def test_a_run_abandoned_at_its_deadline_frees_its_outputs_when_it_ends(clients):
    abuser, other = clients
    text = hostile_programs.counted_loop()
    unit = 4 + BUFFER_OVERHEAD_BYTES
    # Room for the input and one run's output only.
    with _session(abuser, 2 * unit + 1024) as sid:   # its few bytes of intermediates too
        compile_program(abuser, sid, text, [spec((), np.int32)], [spec(())])
        n = upload(abuser, sid, np.array(20_000_000, np.int32)).handle
        with pytest.raises(grpc.RpcError) as e:
            execute(abuser, sid, text, [n], timeout=0.2)
        assert e.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
        _known_good(other)
        # The abandoned run's output reservation is returned when it ends, and its output,
        # which no client ever saw, is not kept: the same run fits again.
        deadline = time.monotonic() + 30
        while True:
            try:
                out = execute(abuser, sid, text, [n], timeout=30).outputs[0].handle
                break
            except grpc.RpcError as e:
                # While it runs, its output stays reserved (and it counts as this client's overdue run).
                assert (e.code() == grpc.StatusCode.RESOURCE_EXHAUSTED and "+0 reserved" not in e.details()
                        or e.code() == grpc.StatusCode.UNAVAILABLE and "past their deadline" in e.details()), e.details()
                assert time.monotonic() < deadline, "the abandoned run did not end"
                time.sleep(0.1)
        assert np.isfinite(fetch(abuser, sid, out))


def test_idle_streams_of_one_client_do_not_lock_out_the_others(clients):
    abuser, other = clients
    sid = abuser.OpenSession(pb.OpenSessionRequest(), timeout=10).session_id
    stop = threading.Event()

    def idle_upload():
        yield pb.UploadChunk(session_id=sid, spec=spec((4,)))
        stop.wait(60)   # never sends the data
    streams = [abuser.Upload.future(idle_upload(), timeout=60) for _ in range(MAX_CALLS + 8)]
    try:
        refused = []
        for f in streams[MAX_CALLS:]:
            with pytest.raises(grpc.RpcError) as e:
                f.result(timeout=10)
            refused.append(e.value)
        assert all(e.code() == grpc.StatusCode.RESOURCE_EXHAUSTED for e in refused)
        assert f"already has {MAX_CALLS} calls in flight" in refused[0].details()
        assert not any(f.done() for f in streams[:MAX_CALLS])   # the first ones are still open
        # Health and every other client keep working meanwhile.
        assert abuser.Health(pb.HealthRequest(), timeout=10).ok
        _known_good(other)
    finally:
        stop.set()
        for f in streams:
            f.cancel()
    deadline = time.monotonic() + 10
    while True:   # the abuser gets its calls back once its streams end
        try:
            abuser.CloseSession(pb.CloseSessionRequest(session_id=sid), timeout=10)
            break
        except grpc.RpcError as e:
            assert e.code() == grpc.StatusCode.RESOURCE_EXHAUSTED and time.monotonic() < deadline, e.details()
            time.sleep(0.05)


def test_unattached_sessions_are_bounded_per_client_and_closed_soon(clients):
    abuser, other = clients
    sids = [abuser.OpenSession(pb.OpenSessionRequest(), timeout=10).session_id for _ in range(MAX_UNATTACHED)]
    with pytest.raises(grpc.RpcError) as e:
        abuser.OpenSession(pb.OpenSessionRequest(), timeout=10)
    assert e.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert f"already holds {MAX_UNATTACHED} sessions it has not attached" in e.value.details()
    _known_good(other)
    # The server closes them after --attach-timeout-s (2 s here): the client may open again.
    deadline = time.monotonic() + 15
    while True:
        try:
            sid = abuser.OpenSession(pb.OpenSessionRequest(), timeout=10).session_id
            break
        except grpc.RpcError as e:
            assert e.code() == grpc.StatusCode.RESOURCE_EXHAUSTED and time.monotonic() < deadline, e.details()
            time.sleep(0.2)
    abuser.CloseSession(pb.CloseSessionRequest(session_id=sid), timeout=10)
    for stale in sids:
        with pytest.raises(grpc.RpcError) as e:
            abuser.CloseSession(pb.CloseSessionRequest(session_id=stale), timeout=10)
        assert e.value.code() == grpc.StatusCode.NOT_FOUND


def _rss_bytes(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS line")


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="reads the server's RSS from /proc")
def test_big_unauthenticated_bodies_are_refused_unread(tmp_path):
    (tmp_path / "token").write_text(TOKEN)
    server = start_server(tmp_path, "--token-file", str(tmp_path / "token"))
    body = 60 << 20
    try:
        options = [("grpc.use_local_subchannel_pool", 1), ("grpc.max_send_message_length", 128 << 20)]
        with grpc.insecure_channel(f"127.0.0.1:{server.port}", options=options) as ch:
            stub = pb_grpc.XlaServiceStub(ch)
            auth = [("authorization", f"Bearer {TOKEN}")]
            assert stub.Health(pb.HealthRequest(), metadata=auth, timeout=10).ok
            before = _rss_bytes(server.process.pid)
            text = "x" * body
            calls = [stub.Compile.future(pb.CompileRequest(session_id="s", program_hash="0" * 64, stablehlo_text=text),
                                         timeout=30) for _ in range(8)]
            for call in calls:
                with pytest.raises(grpc.RpcError) as e:
                    call.result()
                assert e.value.code() == grpc.StatusCode.UNAUTHENTICATED
            grown = _rss_bytes(server.process.pid) - before
            # Eight 60 MiB bodies: buffering them would take 480 MiB.
            assert grown < 64 << 20, f"the server's memory grew by {grown >> 20} MiB"
            assert stub.Health(pb.HealthRequest(), metadata=auth, timeout=10).ok
    finally:
        stop_server(server)
