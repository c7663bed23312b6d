"""Compile and Execute: one device, the compile cache, SPMD over 8 devices, donation, quota."""
import grpc
import numpy as np
import pytest

import programs
from client import compile_program, execute, fetch, sha256, spec, upload
from conftest import assert_healthy
from strata_xla_server.protocol import pb

F23 = spec((2, 3))


def test_compile_and_execute_add(stub, session):
    text = programs.add_2x3()
    reply = compile_program(stub, session, text, [F23, F23], [F23])
    assert reply.program_hash == sha256(text)
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    b = np.full((2, 3), 0.5, np.float32)
    ha, hb = upload(stub, session, a).handle, upload(stub, session, b).handle
    out = execute(stub, session, text, [ha, hb])
    assert len(out.outputs) == 1 and out.outputs[0].nbytes == 24 and out.execute_ms >= 0
    np.testing.assert_array_equal(fetch(stub, session, out.outputs[0].handle), a + b)
    # Inputs stay (nothing was donated) and can be used again.
    out2 = execute(stub, session, text, [out.outputs[0].handle, hb])
    np.testing.assert_array_equal(fetch(stub, session, out2.outputs[0].handle), a + 2 * b)


def test_second_compile_is_a_cache_hit(server, stub, session):
    text = programs.scale((4,), 3.0)
    s = spec((4,))
    first = compile_program(stub, session, text, [s], [s])
    second = compile_program(stub, session, text, [s], [s])
    assert not first.cached and first.compile_ms > 0
    assert second.cached and second.compile_ms == 0
    # Another session may name the hash alone once it is compiled.
    other = stub.OpenSession(pb.OpenSessionRequest(), timeout=10).session_id
    try:
        third = compile_program(stub, other, text, [s], [s], send_text=False)
        assert third.cached
        h = upload(stub, other, np.arange(4, dtype=np.float32)).handle
        out = execute(stub, other, text, [h])
        np.testing.assert_array_equal(fetch(stub, other, out.outputs[0].handle), np.arange(4) * 3.0)
    finally:
        stub.CloseSession(pb.CloseSessionRequest(session_id=other), timeout=10)
    log = server.log()
    assert f"compile {sha256(text)[:16]} devices=1" in log and "cached=true" in log


def test_hash_alone_of_an_unknown_program_is_not_found(stub, session):
    with pytest.raises(grpc.RpcError) as e:
        compile_program(stub, session, programs.scale((5,), 7.0), [spec((5,))], [spec((5,))], send_text=False)
    assert e.value.code() == grpc.StatusCode.NOT_FOUND and "send its stablehlo_text" in e.value.details()


def test_hash_must_match_the_text(stub, session):
    text = programs.add_2x3()
    with pytest.raises(grpc.RpcError) as e:
        stub.Compile(pb.CompileRequest(session_id=session, program_hash="0" * 64, stablehlo_text=text,
                                       inputs=[F23, F23], outputs=[F23]), timeout=30)
    assert e.value.code() == grpc.StatusCode.INVALID_ARGUMENT and "is not the sha256" in e.value.details()


def test_signature_must_match_the_specs(stub, session):
    with pytest.raises(grpc.RpcError) as e:
        compile_program(stub, session, programs.add_2x3(), [F23, spec((3, 2))], [F23])
    assert e.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "input 1: @main says f32[2,3], the request says f32[3,2]" in e.value.details()
    assert_healthy(stub)


@pytest.mark.parametrize("shardy", [False, True], ids=["mhlo-sharding", "sdy-sharding"])
def test_spmd_data_parallel_mean_on_8_devices(stub, shardy):
    n, batch = 8, 16
    text = programs.data_parallel_mean(n, batch, shardy)
    sid = stub.OpenSession(pb.OpenSessionRequest(num_devices=n), timeout=10).session_id
    try:
        w_spec, x_spec = spec((3, 2)), spec((batch, 3), placement=pb.SPLIT_DIM0)
        compile_program(stub, sid, text, [w_spec, x_spec], [spec((2,)), w_spec], num_devices=n)
        rng = np.random.default_rng(1)
        w = rng.standard_normal((3, 2)).astype(np.float32)
        x = rng.standard_normal((batch, 3)).astype(np.float32)
        hw = upload(stub, sid, w).handle
        hx = upload(stub, sid, x, placement=pb.SPLIT_DIM0).handle
        out = execute(stub, sid, text, [hw, hx], donate=[hw])
        mean, w2 = out.outputs
        assert mean.spec.placement == pb.REPLICATED and list(mean.spec.shape) == [2]
        np.testing.assert_allclose(fetch(stub, sid, mean.handle), (x @ w).mean(axis=0), rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(fetch(stub, sid, w2.handle), w * 2)
        # The donated weights are gone; the batch stays.
        with pytest.raises(grpc.RpcError) as e:
            fetch(stub, sid, hw)
        assert e.value.code() == grpc.StatusCode.NOT_FOUND
        np.testing.assert_array_equal(fetch(stub, sid, hx), x)
        # The updated weights feed the next step (a training loop's shape).
        out = execute(stub, sid, text, [w2.handle, hx], donate=[w2.handle])
        np.testing.assert_allclose(fetch(stub, sid, out.outputs[0].handle), (x @ (2 * w)).mean(axis=0), rtol=1e-5, atol=1e-6)
    finally:
        stub.CloseSession(pb.CloseSessionRequest(session_id=sid), timeout=10)


def test_spmd_placements_must_match_the_module(stub):
    n, batch = 8, 24   # a module no other test compiled, so XLA's own shardings are checked
    text = programs.data_parallel_mean(n, batch, False)
    sid = stub.OpenSession(pb.OpenSessionRequest(num_devices=n), timeout=10).session_id
    try:
        with pytest.raises(grpc.RpcError) as e:   # the batch claimed replicated
            compile_program(stub, sid, text, [spec((3, 2)), spec((batch, 3))], [spec((2,)), spec((3, 2))], num_devices=n)
        assert e.value.code() == grpc.StatusCode.INVALID_ARGUMENT and "argument 1" in e.value.details()
        with pytest.raises(grpc.RpcError) as e:   # compiled for the wrong number of devices
            compile_program(stub, sid, text, [spec((3, 2)), spec((batch, 3), placement=pb.SPLIT_DIM0)],
                            [spec((2,)), spec((3, 2))], num_devices=4)
        assert e.value.code() == grpc.StatusCode.INVALID_ARGUMENT and "mhlo.num_partitions = 8" in e.value.details()
    finally:
        stub.CloseSession(pb.CloseSessionRequest(session_id=sid), timeout=10)
    assert_healthy(stub)


def test_quota_refuses_execute_outputs(stub):
    text = programs.scale((100,), 2.0)
    s = spec((100,))
    # Each buffer also counts BUFFER_OVERHEAD_BYTES (4096 on one device).
    sid = stub.OpenSession(pb.OpenSessionRequest(memory_quota_bytes=10000), timeout=10).session_id
    try:
        compile_program(stub, sid, text, [s], [s])
        h = upload(stub, sid, np.ones(100, np.float32)).handle      # 400 (+4096) bytes
        h2 = execute(stub, sid, text, [h]).outputs[0].handle       # 800 (+8192)
        with pytest.raises(grpc.RpcError) as e:                     # 1200 (+12288) > 10000
            execute(stub, sid, text, [h2])
        assert e.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
        assert "needs 400 bytes" in e.value.details() and "holds 800 bytes" in e.value.details()
        # Donating the input frees room for the output.
        out = execute(stub, sid, text, [h2], donate=[h2])
        np.testing.assert_array_equal(fetch(stub, sid, out.outputs[0].handle), np.full(100, 4.0, np.float32))
    finally:
        stub.CloseSession(pb.CloseSessionRequest(session_id=sid), timeout=10)


def test_module_aliasing_consumes_donated_inputs_and_copies_the_others(stub, session):
    """A module that aliases an input to an output (tf.aliasing_output) writes the output into
    the input's buffer when the request donates it: its handle is gone after the run. An input
    the request does not donate is still the client's, so the program consumes a copy."""
    text = programs.scale_in_place((4,), 2.0)
    compile_program(stub, session, text, [spec((4,))], [spec((4,))])
    kept = upload(stub, session, np.arange(4, dtype=np.float32)).handle
    out = execute(stub, session, text, [kept])
    np.testing.assert_array_equal(fetch(stub, session, out.outputs[0].handle), np.arange(4) * 2.0)
    np.testing.assert_array_equal(fetch(stub, session, kept), np.arange(4))
    out = execute(stub, session, text, [kept], donate=[kept])
    np.testing.assert_array_equal(fetch(stub, session, out.outputs[0].handle), np.arange(4) * 2.0)
    with pytest.raises(grpc.RpcError) as e:
        fetch(stub, session, kept)
    assert e.value.code() == grpc.StatusCode.NOT_FOUND


def test_one_device_program_in_an_eight_device_session(stub):
    """Buffers are moved to the program's devices when their placement differs."""
    text = programs.scale((16,), 0.5)
    sid = stub.OpenSession(pb.OpenSessionRequest(num_devices=8), timeout=10).session_id
    try:
        compile_program(stub, sid, text, [spec((16,))], [spec((16,))], num_devices=1)
        x = np.arange(16, dtype=np.float32)
        for placement in (pb.REPLICATED, pb.SPLIT_DIM0):
            h = upload(stub, sid, x, placement=placement).handle
            out = execute(stub, sid, text, [h])
            np.testing.assert_array_equal(fetch(stub, sid, out.outputs[0].handle), x * 0.5)
    finally:
        stub.CloseSession(pb.CloseSessionRequest(session_id=sid), timeout=10)


def test_program_without_arguments(stub, session):
    text = programs.constant_ones(3)
    compile_program(stub, session, text, [], [spec((3,))])
    out = execute(stub, session, text, [])
    np.testing.assert_array_equal(fetch(stub, session, out.outputs[0].handle), np.ones(3, np.float32))


def test_data_parallel_training_matches_one_device(stub):
    """The same global batch trained over 1 and over 8 devices gives the same losses and
    weights (the server's share of `--tpu-cores 8` matching 1 core)."""
    batch, steps = 16, 5
    rng = np.random.default_rng(2)
    init = [(rng.standard_normal(s) * 0.5).astype(np.float32) for s in programs.MLP_SHAPES]
    data = [(rng.standard_normal((batch, 4)).astype(np.float32), (rng.random(batch) < 0.5).astype(np.float32))
            for _ in range(steps)]
    runs = {}
    for n in (1, 8):
        text = programs.mlp_train_step(n, batch)
        sid = stub.OpenSession(pb.OpenSessionRequest(num_devices=n), timeout=10).session_id
        try:
            split = pb.SPLIT_DIM0 if n > 1 else pb.REPLICATED
            w_specs = [spec(s) for s in programs.MLP_SHAPES]
            compile_program(stub, sid, text, w_specs + [spec((batch, 4), placement=split), spec((batch,), placement=split)],
                            w_specs + [spec(())], num_devices=n)
            weights = [upload(stub, sid, w).handle for w in init]
            losses = []
            for x, y in data:
                hx, hy = upload(stub, sid, x, placement=split).handle, upload(stub, sid, y, placement=split).handle
                out = execute(stub, sid, text, weights + [hx, hy], donate=weights + [hx, hy])
                weights = [o.handle for o in out.outputs[:3]]
                losses.append(float(fetch(stub, sid, out.outputs[3].handle)))
            runs[n] = losses, [fetch(stub, sid, h) for h in weights]
        finally:
            stub.CloseSession(pb.CloseSessionRequest(session_id=sid), timeout=10)
    np.testing.assert_allclose(runs[8][0], runs[1][0], rtol=1e-5, atol=1e-6)
    for a, b in zip(runs[8][1], runs[1][1]):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    assert runs[1][0][-1] < runs[1][0][0]   # it learns


def test_small_outputs_come_back_inline_when_asked(stub, session):
    text = programs.add_2x3()
    compile_program(stub, session, text, [F23, F23], [F23])
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    ha = upload(stub, session, a).handle
    # 24 bytes: not inlined under a 16-byte limit, inlined under a 24-byte one; the buffer
    # stays on the server either way.
    small = stub.Execute(pb.ExecuteRequest(session_id=session, program_hash=sha256(text), inputs=[ha, ha], inline_max_bytes=16), timeout=30)
    assert not small.outputs[0].inlined and small.outputs[0].data == b""
    inline = stub.Execute(pb.ExecuteRequest(session_id=session, program_hash=sha256(text), inputs=[ha, ha], inline_max_bytes=24), timeout=30)
    assert inline.outputs[0].inlined
    np.testing.assert_array_equal(np.frombuffer(inline.outputs[0].data, np.float32).reshape(2, 3), a + a)
    np.testing.assert_array_equal(fetch(stub, session, inline.outputs[0].handle), a + a)


def test_execute_frees_the_buffers_it_is_asked_to_release(stub, session):
    text = programs.add_2x3()
    compile_program(stub, session, text, [F23, F23], [F23])
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    ha, old = upload(stub, session, a).handle, upload(stub, session, a).handle
    stub.Execute(pb.ExecuteRequest(session_id=session, program_hash=sha256(text), inputs=[ha, ha], release=[old]), timeout=30)
    with pytest.raises(grpc.RpcError) as e:
        fetch(stub, session, old)
    assert e.value.code() == grpc.StatusCode.NOT_FOUND
    # An input of the run cannot be released by it: the request is refused and nothing is freed.
    with pytest.raises(grpc.RpcError) as e:
        stub.Execute(pb.ExecuteRequest(session_id=session, program_hash=sha256(text), inputs=[ha, ha], release=[ha]), timeout=30)
    assert e.value.code() == grpc.StatusCode.INVALID_ARGUMENT and "inputs of this run" in e.value.details()
    np.testing.assert_array_equal(fetch(stub, session, ha), a)
