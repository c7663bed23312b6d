#!/usr/bin/env python3
"""A benchmark model (the tiny CNN by default: bench/python/specs/MODEL.json, built by
bench/python/models.py; batch 32 of 64x64x3, Adam(1e-3), sigmoid cross-entropy) trained two ways
in one run: jax.jit in this process, and the same lowered step run by the XLA server (batch
uploaded each step, weights and Adam state donated and kept on the server, the loss fetched).
The ratio is the server path's overhead over jax itself. The server is started with its own
test helpers (bench/python/xla_server_helpers.py finds them).

    .venv/bin/python bench/scripts/xla_server_vs_jax.py [--steps 30] [--model tiny-cnn]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "python"))
os.environ.setdefault("XLA_FLAGS", "--xla_force_host_platform_device_count=1")
from models import jax_initial_state, jax_model, jax_train_step, load_spec  # noqa: E402
from xla_server_helpers import use_server_test_helpers  # noqa: E402

use_server_test_helpers()

import conftest  # noqa: E402
import grpc  # noqa: E402
import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402

from client import compile_program, execute, fetch, spec, upload  # noqa: E402
from strata_xla_server.protocol import pb, pb_grpc  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--model", default="tiny-cnn")
    args = parser.parse_args()
    model = load_spec(args.model)
    rng = np.random.default_rng(0)
    batches = [(rng.standard_normal((32, 64, 64, model["inputChannels"])).astype(np.float32), (rng.random((32, 1)) < 0.5).astype(np.float32))
               for _ in range(4)]
    params, apply = jax_model(model)
    step = jax_train_step(apply, 1e-3)
    state = jax_initial_state(params)
    host_state = [np.asarray(a) for a in jax.tree.leaves(state)]   # before donation
    example = jax.tree.map(lambda a: jax.ShapeDtypeStruct(np.shape(a), a.dtype), (state, *batches[0]))

    jitted = jax.jit(step, donate_argnums=(0,))
    text = jitted.lower(*example).as_text()
    in_specs = [spec(a.shape) for a in jax.tree.leaves(example)]
    out_specs = [spec(a.shape) for a in jax.tree.leaves(jax.eval_shape(step, *example))]
    n_state = len(host_state)
    server = conftest.start_server(Path(tempfile.mkdtemp(prefix="strata-xla-cnn-")),
                                   env_extra={"XLA_FLAGS": "--xla_force_host_platform_device_count=1"})
    try:
        channel = grpc.insecure_channel(f"127.0.0.1:{server.port}")
        stub = pb_grpc.XlaServiceStub(channel)
        sid = stub.OpenSession(pb.OpenSessionRequest(), timeout=10).session_id
        state_handles = [upload(stub, sid, a).handle for a in host_state]

        def jax_step(x, y):
            nonlocal state
            state, loss = jitted(state, x, y)
            return float(loss)

        def server_step(x, y):
            nonlocal state_handles
            hx, hy = upload(stub, sid, x).handle, upload(stub, sid, y).handle
            out = execute(stub, sid, text, [*state_handles, hx, hy], donate=[*state_handles, hx, hy])
            handles = [o.handle for o in out.outputs]
            state_handles = handles[:n_state]
            loss = float(fetch(stub, sid, handles[-1]))
            stub.Release(pb.ReleaseRequest(session_id=sid, handles=[handles[-1]]), timeout=10)
            return loss

        start = time.perf_counter()
        jax_step(*batches[0])
        jax_first = time.perf_counter() - start
        start = time.perf_counter()
        reply = compile_program(stub, sid, text, in_specs, out_specs, timeout=300)
        server_step(*batches[0])
        server_first = time.perf_counter() - start
        # Interleaved, so both see the same background load on this machine.
        jax_times, server_times, jax_losses, server_losses = [], [], [], []
        for i in range(args.steps):
            for fn, times, losses in ((jax_step, jax_times, jax_losses), (server_step, server_times, server_losses)):
                start = time.perf_counter()
                losses.append(fn(*batches[i % 4]))
                times.append(time.perf_counter() - start)
        jax_ms, server_ms = statistics.median(jax_times) * 1e3, statistics.median(server_times) * 1e3
        channel.close()
    finally:
        conftest.stop_server(server)
    print(f"jax.jit: first step {jax_first * 1e3:.0f} ms, then median {jax_ms:.1f} ms/step")
    print(f"server : first step {server_first * 1e3:.0f} ms (compile_ms {reply.compile_ms:.0f}), then median {server_ms:.1f} ms/step "
          f"(upload batch + execute + fetch loss)")
    print(f"ratio server/jax: {server_ms / jax_ms:.2f}; max |loss difference| {np.max(np.abs(np.subtract(jax_losses, server_losses))):.2e}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
