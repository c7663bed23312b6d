"""Health, devices, sessions."""
import grpc
import jax
import pytest

from conftest import assert_healthy
from strata_xla_server.protocol import pb


def test_health(stub):
    reply = stub.Health(pb.HealthRequest(), timeout=10)
    assert reply.ok and reply.platform == "cpu" and reply.device_count == 8
    assert reply.jax_version == jax.__version__ and reply.server_version


def test_list_devices(stub):
    devices = stub.ListDevices(pb.ListDevicesRequest(), timeout=10).devices
    assert [d.id for d in devices] == list(range(8))
    assert all(d.platform == "cpu" and d.kind for d in devices)


def test_open_and_close_session(stub):
    reply = stub.OpenSession(pb.OpenSessionRequest(num_devices=8, memory_quota_bytes=1 << 20), timeout=10)
    assert reply.session_id and reply.num_devices == 8 and reply.memory_quota_bytes == 1 << 20
    closed = stub.CloseSession(pb.CloseSessionRequest(session_id=reply.session_id), timeout=10)
    assert closed.buffers_freed == 0


def test_session_quota_is_capped_by_the_server(stub):
    # The fixture starts the server with --memory-quota-bytes 256 MiB: the default and the cap.
    reply = stub.OpenSession(pb.OpenSessionRequest(memory_quota_bytes=1 << 40), timeout=10)
    assert reply.memory_quota_bytes == 256 << 20 and reply.num_devices == 1
    stub.CloseSession(pb.CloseSessionRequest(session_id=reply.session_id), timeout=10)


def test_too_many_devices_is_invalid(stub):
    with pytest.raises(grpc.RpcError) as e:
        stub.OpenSession(pb.OpenSessionRequest(num_devices=9), timeout=10)
    assert e.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "num_devices 9" in e.value.details()
    assert_healthy(stub)
