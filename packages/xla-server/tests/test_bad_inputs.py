"""Malformed or hostile requests end in an error status, and the server keeps serving."""
import grpc
import numpy as np
import pytest

import programs
from client import compile_program, execute, sha256, spec, upload
from conftest import assert_healthy
from strata_xla_server.protocol import pb

F23 = spec((2, 3))


def _code_and_details(call, *args, **kwargs):
    with pytest.raises(grpc.RpcError) as e:
        call(*args, **kwargs)
    return e.value.code(), e.value.details()


def test_truncated_message(channel, stub, session):
    good = pb.CompileRequest(session_id=session, program_hash="a" * 64, stablehlo_text=programs.add_2x3()).SerializeToString()
    raw_compile = channel.unary_unary("/strata.xla.v1.XlaService/Compile")  # bytes in, bytes out
    code, details = _code_and_details(raw_compile, good[: len(good) // 2], timeout=10)
    assert code == grpc.StatusCode.INVALID_ARGUMENT and "not a valid strata.xla.v1.CompileRequest" in details
    assert_healthy(stub)


def test_truncated_message_in_a_stream(channel, stub, session):
    chunk = pb.UploadChunk(session_id=session, spec=spec((4,)), data=b"\0" * 16).SerializeToString()
    raw_upload = channel.stream_unary("/strata.xla.v1.XlaService/Upload")
    code, details = _code_and_details(raw_upload, iter([chunk[:-3]]), timeout=10)
    assert code == grpc.StatusCode.INVALID_ARGUMENT and "UploadChunk" in details
    assert_healthy(stub)


def test_unparsable_module(stub, session):
    text = "func.func @main(%a: tensor<2x3xf32>) -> tensor<2x3xf32> { return %b"
    code, details = _code_and_details(compile_program, stub, session, text, [F23], [F23])
    assert code == grpc.StatusCode.INVALID_ARGUMENT and "Unable to parse module" in details
    assert_healthy(stub)


def test_module_that_does_not_verify(stub, session):
    text = ("func.func @main(%a: tensor<2x3xf32>, %b: tensor<3x2xf32>) -> tensor<2x3xf32> {\n"
            "  %0 = stablehlo.add %a, %b : (tensor<2x3xf32>, tensor<3x2xf32>) -> tensor<2x3xf32>\n"
            "  return %0 : tensor<2x3xf32>\n}\n")
    code, details = _code_and_details(compile_program, stub, session, text, [F23, spec((3, 2))], [F23])
    assert code == grpc.StatusCode.INVALID_ARGUMENT and "error" in details
    assert_healthy(stub)


def test_module_without_main(stub, session):
    text = programs.add_2x3().replace("@main", "@entry")
    code, details = _code_and_details(compile_program, stub, session, text, [F23, F23], [F23])
    assert code == grpc.StatusCode.INVALID_ARGUMENT and "no function @main" in details


def test_shape_mismatch(stub, session):
    text = programs.add_2x3()
    compile_program(stub, session, text, [F23, F23], [F23])
    ha = upload(stub, session, np.zeros((2, 3), np.float32)).handle
    hb = upload(stub, session, np.zeros((3, 2), np.float32)).handle
    code, details = _code_and_details(execute, stub, session, text, [ha, hb])
    assert code == grpc.StatusCode.INVALID_ARGUMENT
    assert f"argument 1 (handle {hb}): expected f32[2,3], received f32[3,2]" in details
    hi = upload(stub, session, np.zeros((2, 3), np.int32)).handle
    code, details = _code_and_details(execute, stub, session, text, [ha, hi])
    assert code == grpc.StatusCode.INVALID_ARGUMENT and "expected f32[2,3], received i32[2,3]" in details
    code, details = _code_and_details(execute, stub, session, text, [ha])
    assert code == grpc.StatusCode.INVALID_ARGUMENT and "takes 2 argument(s), received 1" in details
    assert_healthy(stub)


def test_missing_buffer_handle(stub, session):
    text = programs.add_2x3()
    compile_program(stub, session, text, [F23, F23], [F23])
    ha = upload(stub, session, np.zeros((2, 3), np.float32)).handle
    code, details = _code_and_details(execute, stub, session, text, [ha, "buf-0000"])
    assert code == grpc.StatusCode.NOT_FOUND and "argument 1: buffer handle 'buf-0000'" in details
    assert_healthy(stub)


def test_program_never_compiled(stub, session):
    code, details = _code_and_details(execute, stub, session, "not compiled anywhere", [])
    assert code == grpc.StatusCode.NOT_FOUND and "call Compile first" in details


def test_unknown_session(stub):
    code, details = _code_and_details(upload, stub, "sess-nope", np.zeros(3, np.float32))
    assert code == grpc.StatusCode.NOT_FOUND and "unknown session 'sess-nope'" in details
    code, _ = _code_and_details(stub.Execute, pb.ExecuteRequest(session_id="sess-nope", program_hash=sha256("x")), timeout=10)
    assert code == grpc.StatusCode.NOT_FOUND
    assert_healthy(stub)


def test_bad_hash_and_spec(stub, session):
    code, details = _code_and_details(stub.Compile, pb.CompileRequest(session_id=session, program_hash="xyz"), timeout=10)
    assert code == grpc.StatusCode.INVALID_ARGUMENT and "sha256 hex" in details
    unknown_dtype = pb.UploadChunk(session_id=session, spec=pb.TensorSpec(dtype=42, shape=[3]))
    code, details = _code_and_details(stub.Upload, iter([unknown_dtype]), timeout=10)
    assert code == grpc.StatusCode.INVALID_ARGUMENT and "dtype 42 is not supported" in details
    bad = pb.UploadChunk(session_id=session, spec=pb.TensorSpec(dtype=pb.F32, shape=[-1]))
    code, details = _code_and_details(stub.Upload, iter([bad]), timeout=10)
    assert code == grpc.StatusCode.INVALID_ARGUMENT and "negative dimension" in details
    huge = pb.UploadChunk(session_id=session, spec=pb.TensorSpec(dtype=pb.F32, shape=[0, 1 << 62]))
    code, details = _code_and_details(stub.Upload, iter([huge]), timeout=10)
    assert code == grpc.StatusCode.INVALID_ARGUMENT and "too large" in details
    assert_healthy(stub)
