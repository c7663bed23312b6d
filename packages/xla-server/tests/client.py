"""A small Python client of the protocol, for the tests (the real client is TypeScript)."""
from __future__ import annotations

import hashlib

import ml_dtypes
import numpy as np

from strata_xla_server.protocol import pb

UPLOAD_CHUNK = 1 << 20
DTYPES = {
    np.dtype(np.float32): pb.F32, np.dtype(np.int32): pb.I32, np.dtype(np.bool_): pb.BOOL,
    np.dtype(ml_dtypes.bfloat16): pb.BF16, np.dtype(np.float16): pb.F16, np.dtype(np.uint8): pb.U8,
}
NUMPY = {v: k for k, v in DTYPES.items()}


def spec(shape, dtype=np.float32, placement=pb.REPLICATED) -> pb.TensorSpec:
    return pb.TensorSpec(dtype=DTYPES[np.dtype(dtype)], shape=list(shape), placement=placement)


def upload(stub, session_id: str, array: np.ndarray, placement=pb.REPLICATED, timeout=30) -> pb.BufferInfo:
    array = np.asarray(array, order="C")  # (ascontiguousarray would make a scalar 1-d)
    data = array.tobytes()
    header = pb.UploadChunk(session_id=session_id, spec=spec(array.shape, array.dtype, placement))

    def chunks():
        if not data:
            yield header
            return
        for offset in range(0, len(data), UPLOAD_CHUNK):
            chunk = pb.UploadChunk(data=data[offset:offset + UPLOAD_CHUNK])
            if offset == 0:
                chunk.MergeFrom(header)
            yield chunk

    return stub.Upload(chunks(), timeout=timeout)


def fetch(stub, session_id: str, handle: str, timeout=30, chunks_out: list | None = None) -> np.ndarray:
    first = None
    parts = []
    for chunk in stub.Fetch(pb.FetchRequest(session_id=session_id, handle=handle), timeout=timeout):
        if first is None:
            first = chunk.spec
        parts.append(chunk.data)
        if chunks_out is not None:
            chunks_out.append(len(chunk.data))
    return np.frombuffer(b"".join(parts), NUMPY[first.dtype]).reshape(tuple(first.shape))


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def compile_program(stub, session_id, text, inputs, outputs, num_devices=1, send_text=True, timeout=120):
    return stub.Compile(pb.CompileRequest(
        session_id=session_id, program_hash=sha256(text), stablehlo_text=text if send_text else "",
        num_devices=num_devices, inputs=inputs, outputs=outputs,
    ), timeout=timeout)


def execute(stub, session_id, text, handles, donate=(), timeout=60) -> pb.ExecuteReply:
    return stub.Execute(pb.ExecuteRequest(
        session_id=session_id, program_hash=sha256(text), inputs=list(handles), donate=list(donate),
    ), timeout=timeout)
