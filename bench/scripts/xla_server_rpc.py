#!/usr/bin/env python3
"""Measures the XLA server on this machine: small-execute round trip, upload and fetch
throughput, compile times. Starts its own server on a free port of 127.0.0.1 with the server's
test helpers (bench/python/xla_server_helpers.py finds them).

    .venv/bin/python bench/scripts/xla_server_rpc.py [--iters 300] [--mib 64]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "python"))
from xla_server_helpers import use_server_test_helpers  # noqa: E402

use_server_test_helpers()

import conftest  # noqa: E402  (sets XLA_FLAGS to 8 devices before jax loads; starts servers)
import grpc  # noqa: E402
import numpy as np  # noqa: E402

import programs  # noqa: E402
from client import compile_program, execute, fetch, spec, upload  # noqa: E402
from strata_xla_server.protocol import pb, pb_grpc  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--iters", type=int, default=300)
    parser.add_argument("--mib", type=int, default=64)
    args = parser.parse_args()
    server = conftest.start_server(Path(tempfile.mkdtemp(prefix="strata-xla-bench-")))
    try:
        channel = grpc.insecure_channel(f"127.0.0.1:{server.port}", options=[
            ("grpc.max_receive_message_length", 64 << 20), ("grpc.max_send_message_length", 64 << 20)])
        stub = pb_grpc.XlaServiceStub(channel)
        sid = stub.OpenSession(pb.OpenSessionRequest(), timeout=10).session_id

        t = time.perf_counter()
        for _ in range(args.iters):
            stub.Health(pb.HealthRequest(), timeout=10)
        print(f"Health round trip: {(time.perf_counter() - t) / args.iters * 1e3:.3f} ms")

        text = programs.add_2x3()
        f23 = spec((2, 3))
        reply = compile_program(stub, sid, text, [f23, f23], [f23])
        print(f"compile add f32[2,3]: {reply.compile_ms:.1f} ms (server side)")
        t = time.perf_counter()
        reply = compile_program(stub, sid, text, [f23, f23], [f23])
        print(f"compile again (cache hit, text resent and hashed): {(time.perf_counter() - t) * 1e3:.2f} ms round trip, cached={reply.cached}")
        a = upload(stub, sid, np.ones((2, 3), np.float32)).handle
        b = upload(stub, sid, np.ones((2, 3), np.float32)).handle
        times, server_ms = [], []
        for _ in range(args.iters):
            t = time.perf_counter()
            out = execute(stub, sid, text, [a, b])
            times.append((time.perf_counter() - t) * 1e3)
            server_ms.append(out.execute_ms)
            stub.Release(pb.ReleaseRequest(session_id=sid, handles=[out.outputs[0].handle]), timeout=10)
        times.sort()
        print(f"execute add f32[2,3] round trip: median {statistics.median(times):.3f} ms, "
              f"p90 {times[int(len(times) * 0.9)]:.3f} ms (server execute_ms median {statistics.median(server_ms):.3f})")

        big = np.random.default_rng(0).standard_normal(args.mib << 18).astype(np.float32)
        t = time.perf_counter()
        h = upload(stub, sid, big, timeout=120).handle
        up = time.perf_counter() - t
        t = time.perf_counter()
        back = fetch(stub, sid, h, timeout=120)
        down = time.perf_counter() - t
        assert np.array_equal(back, big)
        print(f"upload {args.mib} MiB: {args.mib / up:.0f} MiB/s; fetch: {args.mib / down:.0f} MiB/s")

        n = 8
        sid8 = stub.OpenSession(pb.OpenSessionRequest(num_devices=n), timeout=10).session_id
        text = programs.data_parallel_mean(n, 256, False)
        w_spec, x_spec = spec((3, 2)), spec((256, 3), placement=pb.SPLIT_DIM0)
        reply = compile_program(stub, sid8, text, [w_spec, x_spec], [spec((2,)), w_spec], num_devices=n)
        print(f"compile SPMD mean-of-batch over {n} devices: {reply.compile_ms:.1f} ms")
        hw = upload(stub, sid8, np.ones((3, 2), np.float32)).handle
        hx = upload(stub, sid8, np.ones((256, 3), np.float32), placement=pb.SPLIT_DIM0).handle
        times = []
        for _ in range(args.iters // 3):
            t = time.perf_counter()
            out = execute(stub, sid8, text, [hw, hx])
            times.append((time.perf_counter() - t) * 1e3)
            stub.Release(pb.ReleaseRequest(session_id=sid8, handles=[o.handle for o in out.outputs]), timeout=10)
        print(f"execute SPMD over {n} CPU devices round trip: median {statistics.median(times):.3f} ms")
        channel.close()
    finally:
        conftest.stop_server(server)
    return 0


if __name__ == "__main__":
    sys.exit(main())
