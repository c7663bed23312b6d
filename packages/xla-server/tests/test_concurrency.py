"""Several clients at once, and calls whose deadline passes."""
from concurrent.futures import ThreadPoolExecutor

import grpc
import numpy as np

import programs
from client import compile_program, execute, fetch, spec, upload
from conftest import assert_healthy
from strata_xla_server.protocol import pb


def test_parallel_sessions(stub):
    text = programs.scale((64,), 3.0)
    s = spec((64,))

    def client(k: int) -> None:
        sid = stub.OpenSession(pb.OpenSessionRequest(client=f"worker {k}"), timeout=10).session_id
        try:
            compile_program(stub, sid, text, [s], [s])
            h = upload(stub, sid, np.full(64, k, np.float32)).handle
            for step in range(5):
                h = execute(stub, sid, text, [h], donate=[h]).outputs[0].handle
            np.testing.assert_array_equal(fetch(stub, sid, h), np.full(64, k * 3.0 ** 5, np.float32))
        finally:
            stub.CloseSession(pb.CloseSessionRequest(session_id=sid), timeout=10)

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(client, range(8)))
    assert_healthy(stub)


def test_deadline_exceeded_then_still_serving(stub, session):
    text = programs.scale((3, 5), 9.0)
    s = spec((3, 5))
    try:
        compile_program(stub, session, text, [s], [s], timeout=0.001)
    except grpc.RpcError as e:
        assert e.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    assert_healthy(stub)
    compile_program(stub, session, text, [s], [s])   # the compile finished or runs again
    h = upload(stub, session, np.ones((3, 5), np.float32)).handle
    np.testing.assert_array_equal(fetch(stub, session, execute(stub, session, text, [h]).outputs[0].handle), np.full((3, 5), 9.0))
