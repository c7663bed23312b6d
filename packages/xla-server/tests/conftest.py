"""Fixtures: the real server as a subprocess on a free port of 127.0.0.1, and a client.

The server runs with 8 XLA CPU devices (XLA_FLAGS), so SPMD programs are tested without a
TPU. This process sets the same flag before jax is imported, because the tests lower their
StableHLO modules with jax over an 8-device mesh.
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("XLA_FLAGS", "--xla_force_host_platform_device_count=8")
os.environ.setdefault("JAX_PLATFORMS", "cpu")

PACKAGE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PACKAGE / "src"))       # works without `pip install -e` too
sys.path.insert(0, str(Path(__file__).resolve().parent))

import grpc  # noqa: E402
import pytest  # noqa: E402

from strata_xla_server.protocol import pb, pb_grpc  # noqa: E402

START_TIMEOUT_S = 90


class RunningServer:
    def __init__(self, process: subprocess.Popen, port: int, log_path: Path):
        self.process = process
        self.port = port
        self.log_path = log_path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def start_server(tmp: Path, *args: str, env_extra: dict | None = None) -> RunningServer:
    return wait_until_serving(*launch_server(tmp, *args, env_extra=env_extra))


def launch_server(tmp: Path, *args: str, env_extra: dict | None = None) -> tuple[subprocess.Popen, Path]:
    """Starts the server process without waiting for it (the members of a mesh start together)."""
    port_file = tmp / "port"
    log_path = tmp / "server.log"
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(PACKAGE / "src"), env.get("PYTHONPATH", "")])
    env["XLA_FLAGS"] = "--xla_force_host_platform_device_count=8"
    env["JAX_PLATFORMS"] = "cpu"
    env.update(env_extra or {})
    log = open(log_path, "wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "strata_xla_server", "--port", "0", "--port-file", str(port_file), *args],
        stdout=log, stderr=subprocess.STDOUT, env=env, cwd=str(tmp),
    )
    return process, tmp


def wait_until_serving(process: subprocess.Popen, tmp: Path) -> RunningServer:
    port_file = tmp / "port"
    log_path = tmp / "server.log"
    deadline = time.monotonic() + START_TIMEOUT_S
    while not port_file.exists():
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}:\n{log_path.read_text()}")
        if time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"the server did not start in {START_TIMEOUT_S} s:\n{log_path.read_text()}")
        time.sleep(0.05)
    return RunningServer(process, int(port_file.read_text()), log_path)


def stop_server(server: RunningServer) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait(timeout=10)


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    s = start_server(tmp_path_factory.mktemp("server"), "--memory-quota-bytes", str(256 << 20))
    yield s
    stop_server(s)


@pytest.fixture(scope="session")
def channel(server):
    ch = grpc.insecure_channel(
        f"127.0.0.1:{server.port}",
        options=[("grpc.max_receive_message_length", 64 << 20), ("grpc.max_send_message_length", 64 << 20)],
    )
    yield ch
    ch.close()


@pytest.fixture(scope="session")
def stub(channel):
    return pb_grpc.XlaServiceStub(channel)


@pytest.fixture
def session(stub):
    """A fresh one-device session, closed after the test."""
    reply = stub.OpenSession(pb.OpenSessionRequest(num_devices=1, client="pytest"), timeout=10)
    yield reply.session_id
    try:
        stub.CloseSession(pb.CloseSessionRequest(session_id=reply.session_id), timeout=10)
    except grpc.RpcError:
        pass  # the test closed it


def assert_healthy(stub) -> None:
    assert stub.Health(pb.HealthRequest(), timeout=10).ok
