#!/usr/bin/env python3
"""A benchmark model's training step in jax.jit with the batch passed from the host every step,
as a Strata training loop passes it: the peer that tpu-vs-jax.mts compares TpuStrategy with.
The model is the bench's spec (bench/python/specs/MODEL.json, built by bench/python/models.py),
with Adam(1e-3) and sigmoid cross-entropy. Prints one JSON line: the first step and the median
of the steps after the first two, in milliseconds.

    .venv/bin/python bench/scripts/jax_step.py [--model tiny-cnn] [--steps 20] [--batch-size 32] [--image-size 64]
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "python"))

from step_arguments import step_arguments  # noqa: E402
from models import jax_initial_state, jax_model, jax_train_step, load_spec  # noqa: E402


def main() -> int:
    args = step_arguments(__doc__)

    import jax
    import numpy as np

    spec = load_spec(args.model)
    params, apply = jax_model(spec)
    step = jax.jit(jax_train_step(apply, 1e-3), donate_argnums=(0,))
    state = jax_initial_state(params)
    rng = np.random.default_rng(0)
    n, s = args.batch_size, args.image_size
    x = rng.uniform(-1, 1, (n, s, s, spec["inputChannels"])).astype(np.float32)
    y = (np.arange(n) % 2 == 0).astype(np.float32).reshape(n, 1)
    times = []
    for _ in range(args.steps):
        t0 = time.perf_counter()
        state, loss = step(state, x, y)
        float(loss)  # the logged scalar comes back, as in Strata
        times.append((time.perf_counter() - t0) * 1000)
    steady = sorted(times[2:]) or times
    print(json.dumps({"first_step_ms": round(times[0], 1), "step_ms": round(steady[len(steady) // 2], 1), "steps": args.steps, "loss": round(float(loss), 4)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
