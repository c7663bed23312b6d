"""Fuzz: 2,048 malformed and hostile requests (fuzz_requests.py) from 8 threads against one
loopback server with a token and 4 CPU devices, a known-good check every 100 requests.

Passes when the server never dies, no call hangs (every call has a deadline of at most 30 s,
and none runs into it), every known-good check computes the right answer, no request ends in
an unexpected server exception, and the server's memory once every session is closed is
within 64 MiB of what it was before the fuzzing. The seed is fixed: each thread draws the same
requests on every run.
"""
from __future__ import annotations

import collections
import functools
import itertools
import random
import threading
import time
from pathlib import Path

import grpc
import pytest

import fuzz_requests as fr
import hostile
from conftest import start_server, stop_server
from strata_xla_server.protocol import pb, pb_grpc

SEED = 22
THREADS = 8
REQUESTS_PER_THREAD = 256
CHECK_EVERY = 100
WARM_UP_EACH = 10
RSS_SLACK_BYTES = 64 << 20
TOKEN = "fuzz-token-0123456789abcdef"


class _Details(collections.namedtuple("_Details", ("method", "timeout", "metadata", "credentials",
                                                   "wait_for_ready", "compression")), grpc.ClientCallDetails):
    pass


class _AddToken(grpc.UnaryUnaryClientInterceptor, grpc.UnaryStreamClientInterceptor,
                grpc.StreamUnaryClientInterceptor, grpc.StreamStreamClientInterceptor):
    """Adds `authorization: Bearer TOKEN` to each call that carries no authorization of its own."""

    def _details(self, d):
        metadata = list(d.metadata or [])
        if not any(key == "authorization" for key, _ in metadata):
            metadata.append(("authorization", f"Bearer {TOKEN}"))
        return _Details(d.method, d.timeout, metadata, d.credentials, d.wait_for_ready, d.compression)

    def intercept_unary_unary(self, continuation, details, request):
        return continuation(self._details(details), request)

    def intercept_unary_stream(self, continuation, details, request):
        return continuation(self._details(details), request)

    def intercept_stream_unary(self, continuation, details, requests):
        return continuation(self._details(details), requests)

    def intercept_stream_stream(self, continuation, details, requests):
        return continuation(self._details(details), requests)


def _channel(port: int) -> grpc.Channel:
    """A connection of its own (grpc otherwise shares one between channels to the same
    address): the server tells clients apart by connection."""
    raw = grpc.insecure_channel(f"127.0.0.1:{port}", options=[("grpc.max_receive_message_length", 64 << 20),
                                                              ("grpc.use_local_subchannel_pool", 1)])
    return grpc.intercept_channel(raw, _AddToken())


def rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError(f"/proc/{pid}/status has no VmRSS line")


@pytest.fixture(scope="module")
def fuzz_server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("fuzz")
    (tmp / "token").write_text(TOKEN + "\n")
    server = start_server(tmp, "--token-file", str(tmp / "token"),
                          env_extra={"XLA_FLAGS": "--xla_force_host_platform_device_count=4"})
    yield server
    stop_server(server)


class _Attached:
    """Holds a session's Attach stream open until close()."""

    def __init__(self, stub, session_id: str):
        self._stop = threading.Event()

        def pings():
            yield pb.AttachPing(session_id=session_id)
            self._stop.wait(300)

        self._call = stub.Attach(pings())
        next(self._call)

    def close(self) -> None:
        self._stop.set()
        self._call.cancel()


def _warm_up(new_channel, good_stub) -> None:
    """Sends each unbudgeted request kind a few times before the memory is measured, so the
    baseline holds what the server sets up once (MLIR's dialects, XLA's compiler, gRPC's
    buffers) and the check afterwards sees only what the fuzzing kept."""
    rng = random.Random(SEED)
    channel = new_channel()
    stub = pb_grpc.XlaServiceStub(channel)
    session = stub.OpenSession(pb.OpenSessionRequest(client="fuzz warm-up"), timeout=fr.CALL_TIMEOUT_S).session_id
    f = fr.Fuzzer(stub, channel, good_stub, new_channel, session=session)
    try:
        for request, _ in fr.REQUESTS:
            if request not in fr.BUDGETED:
                for _ in range(WARM_UP_EACH):
                    try:
                        request(f, rng)
                    except grpc.RpcError:
                        pass
    finally:
        stub.CloseSession(pb.CloseSessionRequest(session_id=session), timeout=fr.CALL_TIMEOUT_S)
        channel.close()


def test_fuzz(fuzz_server):
    if not Path(f"/proc/{fuzz_server.process.pid}/status").exists():
        pytest.skip("reading the server's memory needs /proc (Linux)")
    new_channel = functools.partial(_channel, fuzz_server.port)
    good_channel = new_channel()
    good_stub = pb_grpc.XlaServiceStub(good_channel)
    assert hostile.known_good_check(good_stub)   # the first compile and run: XLA's one-time set-up
    _warm_up(new_channel, good_stub)
    rss_start = rss_bytes(fuzz_server.process.pid)

    counter = itertools.count(1)
    counter_lock = threading.Lock()
    results_lock = threading.Lock()
    outcomes: collections.Counter = collections.Counter()
    hangs, failures, internal, checks = [], [], [], []
    budget, budget_lock = dict(fr.BUDGET), threading.Lock()
    requests, weights = zip(*fr.REQUESTS)

    def worker(index: int) -> None:
        rng = random.Random(SEED * 1000 + index)
        channel = new_channel()   # each thread is a client of its own
        stub = pb_grpc.XlaServiceStub(channel)
        session = stub.OpenSession(pb.OpenSessionRequest(client=f"fuzz {index}"), timeout=fr.CALL_TIMEOUT_S).session_id
        attached = _Attached(stub, session)
        f = fr.Fuzzer(stub, channel, good_stub, new_channel, session=session, budget=budget, budget_lock=budget_lock)
        try:
            for _ in range(REQUESTS_PER_THREAD):
                with counter_lock:
                    n = next(counter)
                if n % CHECK_EVERY == 0:
                    start = time.monotonic()
                    ok = hostile.known_good_check(good_stub, timeout=fr.CALL_TIMEOUT_S)
                    with results_lock:
                        checks.append((n, ok, time.monotonic() - start))
                while True:
                    request = rng.choices(requests, weights)[0]
                    key = fr.BUDGETED.get(request)
                    if key is None or f.take(key):
                        break
                start = time.monotonic()
                outcome, details = "OK", ""
                try:
                    request(f, rng)
                except grpc.RpcError as e:
                    outcome, details = e.code().name, e.details() or ""
                except AssertionError as e:
                    outcome, details = "ASSERTION", str(e)
                elapsed = time.monotonic() - start
                name = request.__name__
                with results_lock:
                    outcomes[(name, outcome)] += 1
                    if elapsed > fr.CALL_TIMEOUT_S or (outcome == "DEADLINE_EXCEEDED" and name != "never_ending_loop"):
                        hangs.append((n, name, round(elapsed, 1), details[:200]))
                    if outcome == "ASSERTION":
                        failures.append((n, name, details[:300]))
                    if "internal error in" in details or outcome == "UNKNOWN":
                        internal.append((n, name, details[:300]))
        except Exception as e:  # a known-good check or the set-up failed: the server stopped serving
            with results_lock:
                failures.append((index, "worker", f"{type(e).__name__}: {e}"[:300]))
        finally:
            attached.close()
            try:
                stub.CloseSession(pb.CloseSessionRequest(session_id=session), timeout=fr.CALL_TIMEOUT_S)
            except grpc.RpcError:
                pass  # the Attach stream's end closed it first
            channel.close()

    started = time.monotonic()
    threads = [threading.Thread(target=worker, args=(i,), name=f"fuzz-{i}") for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall_s = time.monotonic() - started

    total = sum(outcomes.values())
    summary = "\n".join(f"  {name:22s} {outcome:20s} {count}" for (name, outcome), count in sorted(outcomes.items()))
    print(f"\nfuzz: {total} requests in {wall_s:.1f} s, {len(checks)} known-good checks\n{summary}")
    assert fuzz_server.process.poll() is None, f"the server died:\n{fuzz_server.log()[-4000:]}"
    assert not failures, f"failed checks: {failures}"
    assert total == THREADS * REQUESTS_PER_THREAD, f"{total} requests ran, not {THREADS * REQUESTS_PER_THREAD}"
    assert not hangs, f"calls that ran into their deadline: {hangs}"
    assert not internal, f"requests that raised an unexpected exception in the server: {internal}"
    assert len(checks) == total // CHECK_EVERY and all(ok for _, ok, _ in checks), checks

    # Every session is closed now (the workers closed theirs; the Attach streams' ends reach the
    # server asynchronously): the memory must come back to where it started.
    assert hostile.known_good_check(good_stub)
    deadline = time.monotonic() + 10
    while True:
        rss_end = rss_bytes(fuzz_server.process.pid)
        if rss_end - rss_start <= RSS_SLACK_BYTES or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    good_channel.close()
    print(f"fuzz: server RSS {rss_start >> 20} MiB before, {rss_end >> 20} MiB after every session closed")
    assert rss_end - rss_start <= RSS_SLACK_BYTES, (
        f"server RSS went from {rss_start >> 20} MiB to {rss_end >> 20} MiB, more than {RSS_SLACK_BYTES >> 20} MiB up")
