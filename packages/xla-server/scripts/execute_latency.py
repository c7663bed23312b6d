#!/usr/bin/env python3
"""Times one Execute round trip of a small training step, against running it in-process.

The program is one Adam step of an MLP 784-256-10 on a batch of 64 (weights, moments and
the step's host scalars in; updated weights, moments and the loss out, the state donated),
lowered by jax. The script starts a local server (XLA:CPU, one device), then times:

  direct        the same compiled program run through the server's Runtime in this process
  health        the cheapest call's round trip (gRPC and the server's handler wrapper)
  execute       Execute calls from a Python gRPC client, state donated step to step, loss
                inline, the batch and the host scalars uploaded once (no host data a step)
  inline        the same with the step's host scalars sent in the ExecuteRequest (literals)
  upload        the same with the host scalars uploaded before each step (3 Uploads a step)
  batch         the batch and the host scalars as literals: one call a step
  batch-upload  the batch and the host scalars uploaded before each step (5 Uploads a step)

Uploads of a step are released by the next Execute (its `release`).

    .venv/bin/python packages/xla-server/scripts/execute_latency.py [--steps 300] [--modes inline,upload] [--address HOST:PORT]
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("JAX_PLATFORMS", "cpu")
PACKAGE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PACKAGE / "src"))
sys.path.insert(0, str(PACKAGE / "tests"))

import grpc  # noqa: E402
import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402

from strata_xla_server.protocol import pb, pb_grpc  # noqa: E402

SHAPES = ((784, 256), (256,), (256, 10), (10,))
BATCH = 64


def adam_step(params, m, v, x, y, lr, c1, c2):
    """One Adam step; lr and the bias corrections c1, c2 are the host scalars of a step."""
    def loss_fn(p):
        w1, b1, w2, b2 = p
        logits = jax.nn.relu(x @ w1 + b1) @ w2 + b2
        return -jnp.mean(jnp.sum(jax.nn.log_softmax(logits) * y, axis=1))
    loss, grads = jax.value_and_grad(loss_fn)(params)
    m = tuple(0.9 * a + 0.1 * g for a, g in zip(m, grads))
    v = tuple(0.999 * a + 0.001 * g * g for a, g in zip(v, grads))
    params = tuple(p - lr * (a / c1) / (jnp.sqrt(b / c2) + 1e-7) for p, a, b in zip(params, m, v))
    return params, m, v, loss


def lowered_text() -> str:
    f32 = lambda s: jax.ShapeDtypeStruct(s, jnp.float32)  # noqa: E731
    state = tuple(f32(s) for s in SHAPES)
    scalar = f32(())
    return jax.jit(adam_step, donate_argnums=(0, 1, 2)).lower(
        state, state, state, f32((BATCH, 784)), f32((BATCH, 10)), scalar, scalar, scalar).as_text()


def specs() -> tuple[list, list]:
    from client import spec
    state = [spec(s) for s in SHAPES] * 3
    inputs = state + [spec((BATCH, 784)), spec((BATCH, 10)), spec(()), spec(()), spec(())]
    return inputs, state + [spec(())]


def start_server(tmp: Path, extra: list[str]) -> tuple[subprocess.Popen, str]:
    port_file = tmp / "port"
    args = [sys.executable, "-m", "strata_xla_server", "--port", "0", "--port-file", str(port_file), *extra]
    env = dict(os.environ, PYTHONPATH=str(PACKAGE / "src"), JAX_PLATFORMS="cpu")
    env.pop("XLA_FLAGS", None)
    process = subprocess.Popen(args, env=env, stdout=open(tmp / "server.log", "wb"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 90
    while not port_file.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise SystemExit((tmp / "server.log").read_text())
        time.sleep(0.05)
    return process, f"127.0.0.1:{int(port_file.read_text())}"


def summary(name: str, ms: list[float]) -> None:
    ms = sorted(ms)
    print(f"{name:12s} median {statistics.median(ms):6.3f} ms   p10 {ms[len(ms) // 10]:6.3f}   p90 {ms[9 * len(ms) // 10]:6.3f}")


def time_direct(text: str, steps: int) -> list[float]:
    from strata_xla_server.pjrt import Runtime, parse_module
    from strata_xla_server.specs import spec_from_proto
    inputs, outputs = specs()
    runtime = Runtime()
    in_specs = [spec_from_proto(s, "in") for s in inputs]
    out_specs = [spec_from_proto(s, "out") for s in outputs]
    compiled = runtime.compile(text, parse_module(text), 1, in_specs, out_specs)
    arrays = [runtime.put(np.zeros(s.shape, np.float32), s.placement, 1) for s in in_specs]
    times = []
    for _ in range(steps):
        start = time.perf_counter()
        outs, _, _ = runtime.execute(compiled, arrays, frozenset({12}))
        times.append((time.perf_counter() - start) * 1e3)
        arrays = list(outs[:12]) + arrays[12:]
    return times


def time_health(stub, steps: int) -> list[float]:
    """The round trip of the cheapest call: gRPC and the handler wrapper alone."""
    times = []
    for _ in range(steps):
        start = time.perf_counter()
        stub.Health(pb.HealthRequest(), timeout=30)
        times.append((time.perf_counter() - start) * 1e3)
    return times


def time_server(stub, text: str, steps: int, mode: str) -> list[float]:
    from client import compile_program, sha256, upload
    inputs, outputs = specs()
    session = stub.OpenSession(pb.OpenSessionRequest(num_devices=1, client="execute_latency")).session_id
    try:
        compile_program(stub, session, text, inputs, outputs)
        rng = np.random.default_rng(0)
        state = [upload(stub, session, (rng.normal(size=s) * 0.05).astype(np.float32)).handle for s in SHAPES]
        state += [upload(stub, session, np.zeros(s, np.float32)).handle for s in SHAPES * 2]
        # "execute": fixed scalars uploaded once, the step's time without any scalar traffic.
        fixed = [upload(stub, session, np.float32(v)).handle for v in (1e-3, 0.1, 0.001)]
        x = upload(stub, session, rng.normal(size=(BATCH, 784)).astype(np.float32)).handle
        y = upload(stub, session, np.eye(10, dtype=np.float32)[rng.integers(0, 10, BATCH)]).handle
        digest = sha256(text)
        host_x = rng.normal(size=(BATCH, 784)).astype(np.float32)
        host_y = np.eye(10, dtype=np.float32)[rng.integers(0, 10, BATCH)]
        times = []
        losses = []
        previous: list[str] = []   # last step's uploads, released by the next Execute
        for step in range(1, steps + 1):
            scalars = [np.float32(1e-3), np.float32(1 - 0.9 ** step), np.float32(1 - 0.999 ** step)]
            start = time.perf_counter()
            request = pb.ExecuteRequest(session_id=session, program_hash=digest, donate=state, inline_max_bytes=4,
                                        release=previous)
            by_value: list[tuple[int, np.ndarray]] = []
            uploads: list[str] = []
            if mode == "execute":
                handles = [x, y] + fixed
            elif mode == "inline":
                handles, by_value = [x, y], list(enumerate(scalars, 14))
            elif mode == "upload":
                uploads = [upload(stub, session, np.asarray(v)).handle for v in scalars]
                handles = [x, y] + uploads
            elif mode == "batch":
                handles, by_value = [], list(enumerate([host_x, host_y, *scalars], 12))
            else:   # batch-upload
                uploads = [upload(stub, session, np.asarray(v)).handle for v in (host_x, host_y, *scalars)]
                handles = uploads
            request.inputs.extend(state + handles)
            for index, value in by_value:
                array = np.asarray(value, np.float32)
                request.literals.add(index=index, data=array.tobytes(),
                                     spec=pb.TensorSpec(dtype=pb.F32, shape=list(array.shape)))
            reply = stub.Execute(request, timeout=30)
            times.append((time.perf_counter() - start) * 1e3)
            previous = uploads
            state = [o.handle for o in reply.outputs[:12]]
            losses.append(np.frombuffer(reply.outputs[12].data, np.float32)[0])
        if not losses[-1] < losses[0]:
            raise SystemExit(f"the loss did not fall: {losses[0]} -> {losses[-1]}")
        return times
    finally:
        stub.CloseSession(pb.CloseSessionRequest(session_id=session))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--address", help="time a server that runs already (host:port, unix:/path) instead of starting one")
    parser.add_argument("--server-args", default="", help="extra command-line arguments of the server this script starts")
    parser.add_argument("--modes", default="direct,health,execute,inline,upload,batch,batch-upload")
    args = parser.parse_args()
    text = lowered_text()
    modes = args.modes.split(",")
    if "direct" in modes:
        summary("direct", time_direct(text, args.steps)[10:])
    with tempfile.TemporaryDirectory() as tmp:
        process, address = (None, args.address) if args.address else start_server(Path(tmp), args.server_args.split())
        try:
            channel = grpc.insecure_channel(address)
            stub = pb_grpc.XlaServiceStub(channel)
            for mode in modes:
                if mode == "health":
                    summary(mode, time_health(stub, args.steps)[10:])
                elif mode != "direct":
                    summary(mode, time_server(stub, text, args.steps, mode)[10:])
            channel.close()
        finally:
            if process is not None:
                process.terminate()
                process.wait(10)


if __name__ == "__main__":
    main()
