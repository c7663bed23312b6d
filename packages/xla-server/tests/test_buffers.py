"""Upload, Fetch, Release, quotas."""
import grpc
import ml_dtypes
import numpy as np
import pytest

from client import fetch, spec, upload
from conftest import assert_healthy
from strata_xla_server.protocol import pb


@pytest.mark.parametrize("array", [
    np.arange(6, dtype=np.float32).reshape(2, 3),
    np.array([-1, 0, 7], dtype=np.int32),
    np.array([True, False, True, True]),
    np.array([1.5, -2.25], dtype=ml_dtypes.bfloat16),
    np.array([[0.5], [3.0]], dtype=np.float16),
    np.arange(5, dtype=np.uint8),
    np.array(3.5, dtype=np.float32),        # a scalar
    np.zeros((0, 4), dtype=np.float32),     # no elements
], ids=["f32", "i32", "bool", "bf16", "f16", "u8", "scalar", "empty"])
def test_round_trip(stub, session, array):
    info = upload(stub, session, array)
    assert info.handle and list(info.spec.shape) == list(array.shape) and info.nbytes == array.nbytes
    back = fetch(stub, session, info.handle)
    assert back.dtype == array.dtype and back.shape == array.shape
    np.testing.assert_array_equal(back, array)


def test_multi_chunk_round_trip(stub, session):
    array = np.random.default_rng(0).standard_normal((1024, 1300)).astype(np.float32)  # ~5.1 MiB
    info = upload(stub, session, array)
    sizes = []
    back = fetch(stub, session, info.handle, chunks_out=sizes)
    np.testing.assert_array_equal(back, array)
    assert len(sizes) == 6 and max(sizes) <= 1 << 20 and sum(sizes) == array.nbytes


def test_split_upload_on_eight_devices(stub):
    sid = stub.OpenSession(pb.OpenSessionRequest(num_devices=8), timeout=10).session_id
    try:
        array = np.arange(16 * 3, dtype=np.float32).reshape(16, 3)
        info = upload(stub, sid, array, placement=pb.SPLIT_DIM0)
        assert info.spec.placement == pb.SPLIT_DIM0
        np.testing.assert_array_equal(fetch(stub, sid, info.handle), array)
        with pytest.raises(grpc.RpcError) as e:
            upload(stub, sid, np.zeros((6, 3), np.float32), placement=pb.SPLIT_DIM0)
        assert e.value.code() == grpc.StatusCode.INVALID_ARGUMENT and "divisible by 8" in e.value.details()
    finally:
        stub.CloseSession(pb.CloseSessionRequest(session_id=sid), timeout=10)


def test_release(stub, session):
    info = upload(stub, session, np.ones(4, np.float32))
    assert stub.Release(pb.ReleaseRequest(session_id=session, handles=[info.handle, "nope"]), timeout=10).released == 1
    with pytest.raises(grpc.RpcError) as e:
        fetch(stub, session, info.handle)
    assert e.value.code() == grpc.StatusCode.NOT_FOUND


def test_quota_refuses_upload(stub):
    # Each buffer also counts BUFFER_OVERHEAD_BYTES (4096 on one device).
    sid = stub.OpenSession(pb.OpenSessionRequest(memory_quota_bytes=6000), timeout=10).session_id
    try:
        upload(stub, sid, np.zeros(200, np.float32))            # 800 + 4096 bytes: fits
        with pytest.raises(grpc.RpcError) as e:
            upload(stub, sid, np.zeros(100, np.float32))        # 400 + 4096 more: 9392 > 6000
        assert e.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
        assert "400 bytes" in e.value.details() and "800 bytes" in e.value.details() and "6000-byte quota" in e.value.details()
        pong = next(iter(stub.Attach(iter([pb.AttachPing(session_id=sid)]), timeout=10)))
        assert pong.buffers == 1 and pong.bytes_in_use == 800
    finally:
        try:
            stub.CloseSession(pb.CloseSessionRequest(session_id=sid), timeout=10)
        except grpc.RpcError:
            pass  # the Attach above ended, which closed it
    assert_healthy(stub)


def test_upload_with_wrong_byte_count(stub, session):
    def chunks():
        yield pb.UploadChunk(session_id=session, spec=spec((4,)), data=b"\0" * 12)
    with pytest.raises(grpc.RpcError) as e:
        stub.Upload(chunks(), timeout=10)
    assert e.value.code() == grpc.StatusCode.INVALID_ARGUMENT and "needs 16 bytes, received 12" in e.value.details()
    assert_healthy(stub)
