"""The tiny CNN of DESIGN.md in jax.jit: the peer that TpuStrategy's step time is compared to.

Same model, batch (32x64x64x3), Adam(1e-3) and sigmoid cross-entropy as
src/testing/tiny-cnn.ts; the batch is passed from the host every step, as in Strata.
  .venv/bin/python packages/backend-tpu/bench-peer/tiny_cnn_jax.py [--steps 20]
prints one JSON line: {"first_step_ms": ..., "step_ms": ... (median of the steady steps)}.
"""
import argparse
import json
import time

import numpy as np
import jax
import jax.numpy as jnp
from jax import lax


def init(key):
    shapes = [((3, 3, 3, 16), 9 * 3), ((3, 3, 16, 32), 9 * 16), ((3, 3, 32, 64), 9 * 32)]
    params = []
    for i, (shape, fan_in) in enumerate(shapes):
        params.append(jax.random.normal(jax.random.fold_in(key, i), shape) * np.sqrt(2 / fan_in))
        params.append(jnp.zeros((shape[-1],)))
    params.append(jax.random.normal(jax.random.fold_in(key, 9), (64, 1)) * np.sqrt(1 / 64))
    params.append(jnp.zeros((1,)))
    return params


def conv_relu(x, w, b):
    y = lax.conv_general_dilated(x, w, (1, 1), "SAME", dimension_numbers=("NHWC", "HWIO", "NHWC"))
    return jax.nn.relu(y + b)


def maxpool(x):
    return lax.reduce_window(x, -jnp.inf, lax.max, (1, 2, 2, 1), (1, 2, 2, 1), "VALID")


def loss_fn(params, x, y):
    w1, b1, w2, b2, w3, b3, wd, bd = params
    h = maxpool(conv_relu(x, w1, b1))
    h = maxpool(conv_relu(h, w2, b2))
    h = conv_relu(h, w3, b3)
    logits = jnp.mean(h, axis=(1, 2)) @ wd + bd
    return jnp.mean(jnp.maximum(logits, 0) - logits * y + jnp.log1p(jnp.exp(-jnp.abs(logits))))


@jax.jit
def step(params, m, v, t, x, y):
    loss, grads = jax.value_and_grad(loss_fn)(params, x, y)
    lr, b1, b2, eps = 1e-3, 0.9, 0.999, 1e-7
    t = t + 1
    m = [b1 * mi + (1 - b1) * g for mi, g in zip(m, grads)]
    v = [b2 * vi + (1 - b2) * g * g for vi, g in zip(v, grads)]
    params = [p - lr * (mi / (1 - b1 ** t)) / (jnp.sqrt(vi / (1 - b2 ** t)) + eps) for p, mi, vi in zip(params, m, v)]
    return params, m, v, t, loss


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=20)
    args = parser.parse_args()
    params = init(jax.random.PRNGKey(0))
    m = [jnp.zeros_like(p) for p in params]
    v = [jnp.zeros_like(p) for p in params]
    t = jnp.zeros((), jnp.float32)
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, (32, 64, 64, 3)).astype(np.float32)
    y = (np.arange(32) % 2 == 0).astype(np.float32).reshape(32, 1)
    times = []
    for i in range(args.steps):
        t0 = time.perf_counter()
        params, m, v, t, loss = step(params, m, v, t, x, y)
        float(loss)  # the logged scalar comes back, as in Strata
        times.append((time.perf_counter() - t0) * 1000)
    steady = sorted(times[2:])
    print(json.dumps({"first_step_ms": round(times[0], 1), "step_ms": round(steady[len(steady) // 2], 1), "steps": args.steps}))


if __name__ == "__main__":
    main()
