"""Execute with literal arguments: small host values sent in the request instead of uploaded."""
import grpc
import numpy as np
import pytest

import programs
from client import compile_program, sha256, spec, upload
from strata_xla_server.protocol import pb

V3, SCALAR = spec((3,)), spec(())


def literal(index: int, value, dtype=np.float32, shape=None) -> pb.Literal:
    array = np.asarray(value, dtype)
    return pb.Literal(index=index, spec=spec(array.shape if shape is None else shape, dtype), data=array.tobytes())


def run(stub, session, text, handles, literals, **kwargs) -> pb.ExecuteReply:
    return stub.Execute(pb.ExecuteRequest(
        session_id=session, program_hash=sha256(text), inputs=handles, literals=literals, inline_max_bytes=1 << 10,
        **kwargs), timeout=30)


def value(output: pb.BufferInfo, dtype=np.float32) -> np.ndarray:
    assert output.inlined
    return np.frombuffer(output.data, dtype).reshape(tuple(output.spec.shape))


def refused(stub, session, text, handles, literals) -> str:
    with pytest.raises(grpc.RpcError) as e:
        run(stub, session, text, handles, literals)
    assert e.value.code() == grpc.StatusCode.INVALID_ARGUMENT, e.value.details()
    return e.value.details()


@pytest.fixture
def scaled(stub, session):
    text = programs.scaled_by((3,))
    compile_program(stub, session, text, [V3, SCALAR], [V3])
    return text


def test_a_literal_fills_its_argument_with_a_new_value_each_call(stub, session, scaled):
    v = upload(stub, session, np.array([1, 2, 3], np.float32)).handle
    for s in (0.5, -3.0, 1e-3):
        reply = run(stub, session, scaled, [v], [literal(1, s)])
        np.testing.assert_allclose(value(reply.outputs[0]), np.float32(s) * np.array([1, 2, 3], np.float32))


def test_handles_fill_the_other_arguments_in_order(stub, session, scaled):
    s = upload(stub, session, np.float32(4)).handle
    reply = run(stub, session, scaled, [s], [literal(0, [1, -1, 0.25])])
    np.testing.assert_array_equal(value(reply.outputs[0]), [4, -4, 1])
    # All arguments by value, listed in any order.
    reply = run(stub, session, scaled, [], [literal(1, 2), literal(0, [1, 2, 3])])
    np.testing.assert_array_equal(value(reply.outputs[0]), [2, 4, 6])


def test_bool_and_int_literals(stub, session):
    text = programs.where_flag((2,))
    i2 = spec((2,), np.int32)
    compile_program(stub, session, text, [spec((), np.bool_), i2, i2], [i2])
    b = upload(stub, session, np.array([7, 8], np.int32)).handle
    for flag, want in ((True, [1, 2]), (False, [7, 8])):
        reply = run(stub, session, text, [b], [literal(0, flag, np.bool_), literal(1, [1, 2], np.int32)])
        np.testing.assert_array_equal(value(reply.outputs[0], np.int32), want)


def test_a_literal_leaves_nothing_on_the_server_and_may_be_consumed(stub):
    session = stub.OpenSession(pb.OpenSessionRequest(num_devices=1), timeout=10).session_id
    text = programs.scaled_by((3,), donate=True)   # the program consumes argument 0
    compile_program(stub, session, text, [V3, SCALAR], [V3])
    s = upload(stub, session, np.float32(3)).handle
    reply = run(stub, session, text, [s], [literal(0, [1, 2, 3])])
    np.testing.assert_array_equal(value(reply.outputs[0]), [3, 6, 9])
    reply = run(stub, session, text, [s], [literal(0, [1, 1, 1])])   # s was not consumed
    np.testing.assert_array_equal(value(reply.outputs[0]), [3, 3, 3])
    # The scalar and the two results: no buffer was kept for the literals.
    assert stub.CloseSession(pb.CloseSessionRequest(session_id=session), timeout=10).buffers_freed == 3


def test_wrong_dtype_or_shape_is_refused_naming_the_argument(stub, session, scaled):
    v = upload(stub, session, np.ones(3, np.float32)).handle
    details = refused(stub, session, scaled, [v], [literal(1, 2, np.int32)])
    assert "literal 0 (argument 1)" in details and "expects f32[], the literal is i32[]" in details
    details = refused(stub, session, scaled, [v], [literal(1, [2, 2])])
    assert "expects f32[], the literal is f32[2]" in details
    details = refused(stub, session, scaled, [v], [pb.Literal(index=1, spec=spec((), np.float32), data=b"\0" * 8)])
    assert "needs 4 bytes of data, received 8" in details
    details = refused(stub, session, scaled, [v], [pb.Literal(index=1, spec=pb.TensorSpec(dtype=99), data=b"")])
    assert "dtype 99 is not supported" in details
    details = refused(stub, session, scaled, [v], [pb.Literal(index=1, data=b"\0" * 4)])
    assert "carries no spec" in details
    split = pb.Literal(index=1, spec=spec((), np.float32, pb.SPLIT_DIM0), data=b"\0" * 4)
    assert "compiled with it REPLICATED, the literal says SPLIT_DIM0" in refused(stub, session, scaled, [v], [split])


def test_literals_and_handles_must_fill_each_argument_once(stub, session, scaled):
    v = upload(stub, session, np.ones(3, np.float32)).handle
    assert "index 2 is not an argument" in refused(stub, session, scaled, [v], [literal(2, 1)])
    assert "index -1 is not an argument" in refused(stub, session, scaled, [v], [literal(-1, 1)])
    assert "received 2 handle(s) and 1 literal(s)" in refused(stub, session, scaled, [v, v], [literal(1, 1)])
    assert "filled by two literals" in refused(stub, session, scaled, [], [literal(1, 1), literal(1, 2)])


def test_a_literal_over_1_mib_is_refused_with_the_fix(stub, session):
    n = (1 << 18) + 1
    text = programs.scaled_by((n,))
    compile_program(stub, session, text, [spec((n,)), SCALAR], [spec((n,))])
    details = refused(stub, session, text, [], [literal(0, np.ones(n)), literal(1, 1)])
    assert f"{4 * n} bytes, over the 1048576 bytes a literal may have; upload it" in details
    # 1 MiB itself is fine.
    text = programs.scaled_by((1 << 18,))
    compile_program(stub, session, text, [spec((1 << 18,)), SCALAR], [spec((1 << 18,))])
    reply = run(stub, session, text, [], [literal(0, np.full(1 << 18, 2)), literal(1, 3)])
    assert reply.outputs[0].nbytes == 1 << 20


def test_a_split_literal_is_spread_over_the_devices(stub):
    """A batch sent by value, split on dimension 0 over 8 devices as the program was compiled."""
    session = stub.OpenSession(pb.OpenSessionRequest(num_devices=8), timeout=10).session_id
    try:
        text = programs.data_parallel_mean(8, 16, shardy=False)
        w_spec, x_spec = spec((3, 2)), spec((16, 3), placement=pb.SPLIT_DIM0)
        compile_program(stub, session, text, [w_spec, x_spec], [spec((2,)), w_spec], num_devices=8)
        w = np.arange(6, dtype=np.float32).reshape(3, 2)
        x = np.arange(48, dtype=np.float32).reshape(16, 3)
        hw = upload(stub, session, w).handle
        split_x = pb.Literal(index=1, spec=x_spec, data=x.tobytes())
        reply = run(stub, session, text, [hw], [split_x])
        np.testing.assert_allclose(value(reply.outputs[0]), (x @ w).mean(axis=0), rtol=1e-6)
        replicated_x = pb.Literal(index=1, spec=spec((16, 3)), data=x.tobytes())
        details = refused(stub, session, text, [hw], [replicated_x])
        assert "compiled with it SPLIT_DIM0, the literal says REPLICATED" in details
    finally:
        stub.CloseSession(pb.CloseSessionRequest(session_id=session), timeout=10)
