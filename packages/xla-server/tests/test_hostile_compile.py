"""Modules and specs built to crash the server end in INVALID_ARGUMENT naming what was refused
and the limit; the server keeps serving, and a known-good program still computes right."""
import grpc
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import hostile
import programs
from client import compile_program, execute, fetch, spec, upload
from conftest import assert_healthy
from strata_xla_server.protocol import pb

SCALAR = spec(())


def _refused(stub, session, text, inputs=(SCALAR,), outputs=(SCALAR,)) -> str:
    with pytest.raises(grpc.RpcError) as e:
        compile_program(stub, session, text, list(inputs), list(outputs), timeout=60)
    assert e.value.code() == grpc.StatusCode.INVALID_ARGUMENT, e.value.details()
    return e.value.details()


def assert_serves_correctly(server, stub) -> None:
    assert server.process.poll() is None, f"the server died:\n{server.log()[-3000:]}"
    assert_healthy(stub)
    assert hostile.known_good_check(stub)


@pytest.mark.parametrize("text, words", [
    (hostile.nested_array_attribute(6600), "nests brackets more than 256 deep"),
    (hostile.nested_dictionary(5800), "nests brackets more than 256 deep"),
    (hostile.nested_tuple_type(100_000), "nests brackets more than 256 deep"),
    (hostile.nested_whiles(5000), "nests brackets more than 256 deep"),
    (hostile.affine_chain(100_000), "affine_map"),
], ids=["attribute-6600", "dictionary-5800", "tuple-100k", "while-5000", "affine-100k-terms"])
def test_deep_nesting_is_refused(server, stub, session, text, words):
    assert words in _refused(stub, session, text)
    assert_serves_correctly(server, stub)


def test_deep_call_chain_is_refused(server, stub, session):
    details = _refused(stub, session, hostile.call_chain(300))
    assert "nests regions and calls 65 deep; at most 64" in details
    assert_serves_correctly(server, stub)


def test_deep_loop_nesting_is_refused(server, stub, session):
    details = _refused(stub, session, hostile.nested_whiles(70))
    assert "@main nests regions and calls 71 deep; at most 64" in details
    assert_serves_correctly(server, stub)


def test_recursion_is_refused(server, stub, session):
    assert "calls itself" in _refused(stub, session, hostile.self_call())
    assert_serves_correctly(server, stub)


def test_deep_modules_within_the_limits_compile_and_run(server, stub, session):
    text = hostile.nested_whiles(60)       # 61 nested computations: under the limit of 64
    compile_program(stub, session, text, [SCALAR], [SCALAR], timeout=120)
    h = upload(stub, session, np.float32(0.5)).handle
    assert fetch(stub, session, execute(stub, session, text, [h]).outputs[0].handle) == np.float32(1.5)
    deep_attribute = hostile.nested_array_attribute(250)   # 250 + 2 brackets: under 256
    compile_program(stub, session, deep_attribute, [SCALAR], [SCALAR])
    assert fetch(stub, session, execute(stub, session, deep_attribute, [h]).outputs[0].handle) == np.float32(0.5)
    assert_serves_correctly(server, stub)


def test_iota_whose_size_overflows_is_refused(server, stub, session):
    details = _refused(stub, session, hostile.huge_iota(), inputs=())
    assert "tensor<4294967296x4294967296xf32>: 18446744073709551616 elements" in details
    assert "bytes of this server's memory" in details
    assert_serves_correctly(server, stub)


def test_rank_over_64_in_a_module_is_refused(server, stub, session):
    assert "of rank 65; at most 64 dimensions" in _refused(stub, session, hostile.rank_65_module())
    assert_serves_correctly(server, stub)


def _pure_callback_module() -> str:
    f = jax.jit(lambda x: jax.pure_callback(np.sin, jax.ShapeDtypeStruct((), jnp.float32), x))
    return f.lower(jax.ShapeDtypeStruct((), jnp.float32)).as_text()


def _io_callback_module() -> str:
    from jax.experimental import io_callback
    f = jax.jit(lambda x: io_callback(np.cos, jax.ShapeDtypeStruct((), jnp.float32), x))
    return f.lower(jax.ShapeDtypeStruct((), jnp.float32)).as_text()


@pytest.mark.parametrize("make", [_pure_callback_module, _io_callback_module], ids=["pure_callback", "io_callback"])
def test_jax_host_callbacks_are_refused(server, stub, session, make):
    details = _refused(stub, session, make())
    assert "custom-call target" in details and "callback" in details
    assert_serves_correctly(server, stub)


@pytest.mark.parametrize("target", ["xla_python_cpu_callback", "xla_ffi_python_cpu_callback",
                                    "xla_python_gpu_callback", "xla_ffi_python_gpu_callback", "anything_else"])
def test_custom_calls_outside_the_allow_list_are_refused(server, stub, session, target):
    details = _refused(stub, session, hostile.custom_call(target))
    assert f"custom-call target '{target}'" in details
    aliased = _refused(stub, session, hostile.custom_call_through_alias(target))
    assert f"custom-call target '{target}'" in aliased
    assert_serves_correctly(server, stub)


def test_allowed_custom_calls_compile(server, stub):
    """jax's sharding constraint lowers to the custom call Sharding; it stays accepted."""
    sid = stub.OpenSession(pb.OpenSessionRequest(num_devices=2, client="pytest"), timeout=10).session_id
    try:
        text = hostile.sharding_constraint_module(2)
        assert "@Sharding" in text
        compile_program(stub, sid, text, [spec((4,))], [spec((4,))], num_devices=2)
    finally:
        stub.CloseSession(pb.CloseSessionRequest(session_id=sid), timeout=10)
    assert_serves_correctly(server, stub)


@pytest.mark.parametrize("shape, words", [
    ([1] * 65, "65 dimensions; at most 64"),
    ([-3, 2], "negative dimension"),
    ([1 << 41], "too large"),
    ([1 << 31, 1 << 31, 1 << 31], "too large"),
], ids=["rank-65", "negative", "dim-too-large", "product-overflows"])
def test_bad_upload_specs(server, stub, session, shape, words):
    chunk = pb.UploadChunk(session_id=session, spec=pb.TensorSpec(dtype=pb.F32, shape=shape))
    with pytest.raises(grpc.RpcError) as e:
        stub.Upload(iter([chunk]), timeout=10)
    assert e.value.code() == grpc.StatusCode.INVALID_ARGUMENT and words in e.value.details()
    with pytest.raises(grpc.RpcError) as e:
        compile_program(stub, session, programs.scale((2,), 2.0), [pb.TensorSpec(dtype=pb.F32, shape=shape)], [spec((2,))])
    assert e.value.code() == grpc.StatusCode.INVALID_ARGUMENT and "input 0" in e.value.details()
    assert_serves_correctly(server, stub)


def test_unknown_dtype_in_a_compile_spec(server, stub, session):
    with pytest.raises(grpc.RpcError) as e:
        compile_program(stub, session, programs.scale((2,), 2.0), [spec((2,))], [pb.TensorSpec(dtype=99, shape=[2])])
    assert e.value.code() == grpc.StatusCode.INVALID_ARGUMENT and "output 0: dtype 99 is not supported" in e.value.details()
    assert_serves_correctly(server, stub)


def test_nesting_scan_skips_strings_comments_and_arrows():
    from strata_xla_server.errors import ServiceError
    from strata_xla_server.module_limits import MAX_NESTING, check_module_text
    deep_inside_quotes = '"' + "[" * 1000 + '" // ' + "(" * 1000 + "\n"
    arrows = "(tensor<f32>) -> tensor<f32> " * 1000
    check_module_text(deep_inside_quotes + arrows + "[" * MAX_NESTING + "]" * MAX_NESTING)
    # closers at depth 0 close nothing, so they cannot buy room for deeper nesting
    with pytest.raises(ServiceError) as e:
        check_module_text(">" * 5000 + "\n" + "[" * (MAX_NESTING + 1))
    assert f"more than {MAX_NESTING} deep (line 2)" in e.value.message
    # a string left open ends at its line's end: the brackets of the next line count
    with pytest.raises(ServiceError):
        check_module_text('"open\n' + "{" * (MAX_NESTING + 1))
