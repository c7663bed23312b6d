"""ExecuteStream: many Execute requests on one call, answered in order, as Execute answers them."""
import queue

import grpc
import numpy as np
import pytest

import programs
from client import compile_program, fetch, sha256, spec, upload
from strata_xla_server.protocol import pb

V3, SCALAR = spec((3,)), spec(())


def scale_request(session, text, handle, factor: float, **fields) -> pb.ExecuteRequest:
    return pb.ExecuteRequest(
        session_id=session, program_hash=sha256(text), inputs=[handle], donate=[handle],
        literals=[pb.Literal(index=1, spec=SCALAR, data=np.asarray(factor, np.float32).tobytes())],
        inline_max_bytes=1 << 10, **fields)


def open_scaled(stub):
    session = stub.OpenSession(pb.OpenSessionRequest(num_devices=1), timeout=10).session_id
    text = programs.scaled_by((3,), donate=True)
    compile_program(stub, session, text, [V3, SCALAR], [V3])
    return session, text, upload(stub, session, np.array([1, 2, 3], np.float32)).handle


class Duplex:
    """One ExecuteStream call: `ask` sends a request and waits for its reply."""

    def __init__(self, stub):
        self._requests: queue.Queue = queue.Queue()
        self.replies = stub.ExecuteStream(iter(self._requests.get, None), timeout=60)

    def ask(self, request: pb.ExecuteRequest) -> pb.ExecuteReply:
        self._requests.put(request)
        return next(self.replies)

    def end(self) -> grpc.StatusCode:
        self._requests.put(None)
        for _ in self.replies:
            pass
        return self.replies.code()


def test_requests_on_one_stream_run_in_order_each_on_the_last_one_s_output(stub):
    session, text, v = open_scaled(stub)
    stream = Duplex(stub)
    for factor, asynchronous in ((2, True), (2, False), (0.5, True), (3, False)):
        reply = stream.ask(scale_request(session, text, v, factor, asynchronous=asynchronous))
        # Synchronous replies bring the small output inline, as Execute's do.
        assert reply.outputs[0].inlined == (not asynchronous)
        v = reply.outputs[0].handle
    assert np.frombuffer(reply.outputs[0].data, np.float32).tolist() == [6, 12, 18]
    assert stream.end() == grpc.StatusCode.OK
    np.testing.assert_array_equal(fetch(stub, session, v), [6, 12, 18])
    # Every donated input was freed with its run: only the last output is left.
    assert stub.CloseSession(pb.CloseSessionRequest(session_id=session), timeout=10).buffers_freed == 1


def test_an_error_ends_the_stream_with_execute_s_status_and_the_outputs_so_far_stay(stub):
    session, text, v = open_scaled(stub)
    stream = Duplex(stub)
    v = stream.ask(scale_request(session, text, v, 2)).outputs[0].handle
    # The next names a handle the session does not have: NOT_FOUND, as from Execute.
    with pytest.raises(grpc.RpcError) as failure:
        stream.ask(scale_request(session, text, "no-such-handle", 2))
    assert failure.value.code() == grpc.StatusCode.NOT_FOUND
    assert "no-such-handle" in failure.value.details()
    # The output delivered before the failure is still the client's.
    np.testing.assert_array_equal(fetch(stub, session, v), [2, 4, 6])
    stub.CloseSession(pb.CloseSessionRequest(session_id=session), timeout=10)
