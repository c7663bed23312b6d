#!/usr/bin/env python3
"""The tiny CNN of DESIGN.md (input 32x64x64x3; conv3x3(16)+relu, maxpool 2; conv3x3(32)+relu,
maxpool 2; conv3x3(64)+relu; global average pool; dense(1); Adam(1e-3); sigmoid
cross-entropy) trained two ways in one run: jax.jit in this process, and the same lowered
step run by the XLA server (batch uploaded each step, weights and Adam state donated and kept
on the server, the loss fetched). The ratio is the server path's overhead over jax itself.

    .venv/bin/python packages/xla-server/scripts/bench_cnn.py [--steps 30]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent / "tests"), str(HERE.parent / "src")]
os.environ.setdefault("XLA_FLAGS", "--xla_force_host_platform_device_count=1")

import conftest  # noqa: E402
import grpc  # noqa: E402
import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402

from client import compile_program, execute, fetch, spec, upload  # noqa: E402
from strata_xla_server.protocol import pb, pb_grpc  # noqa: E402


def init(key):
    shapes = {"c1": (3, 3, 3, 16), "c2": (3, 3, 16, 32), "c3": (3, 3, 32, 64), "d": (64, 1)}
    params = {}
    for i, (name, shape) in enumerate(sorted(shapes.items())):
        fan_in = int(np.prod(shape[:-1]))
        params[name + "_w"] = jax.random.normal(jax.random.fold_in(key, i), shape) * (2.0 / fan_in) ** 0.5
        params[name + "_b"] = jnp.zeros(shape[-1])
    return params


def forward(p, x):
    conv = lambda x, w, b: jax.lax.conv_general_dilated(x, w, (1, 1), "SAME", dimension_numbers=("NHWC", "HWIO", "NHWC")) + b
    pool = lambda x: jax.lax.reduce_window(x, -jnp.inf, jax.lax.max, (1, 2, 2, 1), (1, 2, 2, 1), "VALID")
    x = pool(jax.nn.relu(conv(x, p["c1_w"], p["c1_b"])))
    x = pool(jax.nn.relu(conv(x, p["c2_w"], p["c2_b"])))
    x = jax.nn.relu(conv(x, p["c3_w"], p["c3_b"]))
    return (x.mean(axis=(1, 2)) @ p["d_w"] + p["d_b"])[:, 0]


def step(params, m, v, t, x, y):
    def loss_fn(p):
        logits = forward(p, x)
        return jnp.mean(jnp.maximum(logits, 0) - logits * y + jnp.log1p(jnp.exp(-jnp.abs(logits))))
    loss, g = jax.value_and_grad(loss_fn)(params)
    t = t + 1
    m = jax.tree.map(lambda m, g: 0.9 * m + 0.1 * g, m, g)
    v = jax.tree.map(lambda v, g: 0.999 * v + 0.001 * g * g, v, g)
    lr = 1e-3 * jnp.sqrt(1 - 0.999 ** t) / (1 - 0.9 ** t)
    params = jax.tree.map(lambda p, m, v: p - lr * m / (jnp.sqrt(v) + 1e-7), params, m, v)
    return params, m, v, t, loss


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=30)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    batches = [(rng.standard_normal((32, 64, 64, 3)).astype(np.float32), (rng.random(32) < 0.5).astype(np.float32))
               for _ in range(4)]
    params = init(jax.random.key(0))
    zeros = jax.tree.map(jnp.zeros_like, params)
    zeros2 = jax.tree.map(jnp.zeros_like, params)   # a distinct buffer: both are donated
    t0 = jnp.zeros((), jnp.float32)
    host_state = [np.asarray(a) for a in jax.tree.leaves((params, zeros, zeros, t0))]   # before donation
    example = jax.tree.map(lambda a: jax.ShapeDtypeStruct(np.shape(a), a.dtype), (params, zeros, zeros, t0, *batches[0]))

    jitted = jax.jit(step, donate_argnums=(0, 1, 2, 3))
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
        state = (jax.tree.map(jnp.copy, params), zeros, zeros2, t0)

        def jax_step(x, y):
            nonlocal state
            *state, loss = jitted(*state, x, y)
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
