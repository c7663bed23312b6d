"""Attach: the session lives while its stream is open and is freed when it ends."""
import threading
import time

import grpc
import numpy as np
import pytest

from client import fetch, upload
from conftest import assert_healthy, start_server, stop_server
from strata_xla_server.protocol import pb, pb_grpc


def _wait_session_gone(stub, sid, handle, timeout_s=10.0):
    """Fetches `handle` until the server says the session is unknown. A handle the live session
    lacks (the tests pass 'any') answers "not in session" until the server frees it, which the
    stream's cancellation reaches asynchronously."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            fetch(stub, sid, handle, timeout=5)
        except grpc.RpcError as e:
            assert e.code() == grpc.StatusCode.NOT_FOUND, e.details()
            if "unknown session" in e.details():
                return
            assert "is not in session" in e.details(), e.details()
        assert time.monotonic() < deadline, "the session outlived its Attach stream"
        time.sleep(0.05)


def _pings(sid, stop: threading.Event, count=1):
    for _ in range(count):
        yield pb.AttachPing(session_id=sid)
    stop.wait(30)  # keep the stream open until the test says otherwise


def test_pongs_report_the_session(stub):
    sid = stub.OpenSession(pb.OpenSessionRequest(), timeout=10).session_id
    upload(stub, sid, np.zeros(10, np.float32))
    stop = threading.Event()
    call = stub.Attach(_pings(sid, stop, count=2), timeout=30)
    try:
        pongs = [next(call), next(call)]
        assert [(p.buffers, p.bytes_in_use) for p in pongs] == [(1, 40), (1, 40)]
    finally:
        stop.set()
        call.cancel()
    _wait_session_gone(stub, sid, "any")


@pytest.mark.parametrize("how", ["channel closed", "call cancelled", "stream ended"])
def test_session_freed_when_the_client_goes(server, stub, how):
    sid = stub.OpenSession(pb.OpenSessionRequest(), timeout=10).session_id
    handle = upload(stub, sid, np.arange(8, dtype=np.float32)).handle
    other = grpc.insecure_channel(f"127.0.0.1:{server.port}")
    stop = threading.Event()
    if how == "stream ended":
        stop.set()
    call = pb_grpc.XlaServiceStub(other).Attach(_pings(sid, stop), timeout=30)
    try:
        assert next(call).buffers == 1
        if how != "stream ended":  # alive while attached
            np.testing.assert_array_equal(fetch(stub, sid, handle), np.arange(8))
        if how == "channel closed":
            other.close()
        elif how == "call cancelled":
            call.cancel()
        _wait_session_gone(stub, sid, handle)
    finally:
        stop.set()
        other.close()
    assert f"session {sid} closed (Attach ended): 1 buffer(s) freed" in server.log()
    assert_healthy(stub)


def test_one_attach_per_session(stub):
    sid = stub.OpenSession(pb.OpenSessionRequest(), timeout=10).session_id
    stop = threading.Event()
    first = stub.Attach(_pings(sid, stop), timeout=30)
    try:
        next(first)
        with pytest.raises(grpc.RpcError) as e:
            next(stub.Attach(iter([pb.AttachPing(session_id=sid)]), timeout=10))
        assert e.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    finally:
        stop.set()
        first.cancel()


def test_session_never_attached_is_closed(tmp_path):
    server = start_server(tmp_path, "--attach-timeout-s", "0.5")
    try:
        with grpc.insecure_channel(f"127.0.0.1:{server.port}") as channel:
            stub = pb_grpc.XlaServiceStub(channel)
            sid = stub.OpenSession(pb.OpenSessionRequest(), timeout=10).session_id
            handle = upload(stub, sid, np.zeros(4, np.float32)).handle
            _wait_session_gone(stub, sid, handle, timeout_s=10)
    finally:
        stop_server(server)
    assert "no Attach stream within 0.5 s; 1 buffer(s) freed" in server.log()
