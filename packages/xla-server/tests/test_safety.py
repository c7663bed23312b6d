"""Token, TLS, and the refusal to listen beyond loopback without a token."""
import os
import shutil
import subprocess
import sys

import grpc
import pytest

from conftest import PACKAGE, start_server, stop_server
from strata_xla_server.protocol import pb, pb_grpc

TOKEN = "s3cret-token-for-tests-0123456789"


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory):
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed: cannot make a test certificate")
    tmp = tmp_path_factory.mktemp("tls")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-keyout", str(tmp / "key.pem"), "-out", str(tmp / "cert.pem"), "-days", "1", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
        check=True, capture_output=True, timeout=60,
    )
    (tmp / "token").write_text(TOKEN + "\n")
    server = start_server(tmp, "--token-file", str(tmp / "token"),
                          "--tls-cert", str(tmp / "cert.pem"), "--tls-key", str(tmp / "key.pem"))
    yield server, (tmp / "cert.pem").read_bytes()
    stop_server(server)


@pytest.fixture(scope="module")
def tls_stub(tls_server):
    server, cert = tls_server
    channel = grpc.secure_channel(f"127.0.0.1:{server.port}", grpc.ssl_channel_credentials(root_certificates=cert))
    yield pb_grpc.XlaServiceStub(channel)
    channel.close()


def _auth(token):
    return [("authorization", f"Bearer {token}")]


def test_right_token_over_tls(tls_stub):
    assert tls_stub.Health(pb.HealthRequest(), metadata=_auth(TOKEN), timeout=10).ok


@pytest.mark.parametrize("metadata", [None, _auth("wrong-token-wrong-token"), _auth(TOKEN + "x"), [("authorization", TOKEN)]],
                         ids=["none", "wrong", "longer", "no-bearer"])
def test_wrong_token_is_unauthenticated(tls_stub, metadata):
    with pytest.raises(grpc.RpcError) as e:
        tls_stub.OpenSession(pb.OpenSessionRequest(), metadata=metadata, timeout=10)
    assert e.value.code() == grpc.StatusCode.UNAUTHENTICATED and "Bearer <token>" in e.value.details()
    with pytest.raises(grpc.RpcError) as e:   # streaming calls are refused too
        list(tls_stub.Fetch(pb.FetchRequest(session_id="x", handle="y"), metadata=metadata, timeout=10))
    assert e.value.code() == grpc.StatusCode.UNAUTHENTICATED
    assert tls_stub.Health(pb.HealthRequest(), metadata=_auth(TOKEN), timeout=10).ok


def test_plaintext_client_cannot_talk_to_tls_server(tls_server):
    server, _ = tls_server
    with grpc.insecure_channel(f"127.0.0.1:{server.port}") as channel:
        with pytest.raises(grpc.RpcError) as e:
            pb_grpc.XlaServiceStub(channel).Health(pb.HealthRequest(), metadata=_auth(TOKEN), timeout=5)
    assert e.value.code() in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED)


def _cli(*args):
    env = dict(os.environ, PYTHONPATH=str(PACKAGE / "src"))
    return subprocess.run([sys.executable, "-m", "strata_xla_server", *args],
                          capture_output=True, text=True, timeout=60, env=env)


def test_refuses_public_address_without_token():
    result = _cli("--host", "0.0.0.0", "--port", "0")
    assert result.returncode == 2
    assert "refusing to listen on 0.0.0.0 without a token" in result.stderr


def test_refuses_short_token_and_half_tls():
    assert "use at least 16 on 0.0.0.0" in _cli("--host", "0.0.0.0", "--token", "short").stderr
    assert "--tls-cert and --tls-key go together" in _cli("--tls-cert", "x.pem").stderr
