"""The jax peer: the spec's model (models.jax_model) trained as one jax.jit step (forward,
backward, the loss of its head and Adam), on jax's default backend."""
from __future__ import annotations

import platform

from models import jax_initial_state, jax_model, jax_train_step
from peer_protocol import ready, run_protocol


def run_jax(config: dict, started: float) -> None:
    import jax
    import jax.numpy as jnp
    import jaxlib

    spec = config["model"]
    params, apply = jax_model(spec)
    # config["input"] (bench/src/models/model-input.ts): NHWC images or [N, C] vectors, and the head's classes.
    shape, classes = tuple(config["input"]["shape"]), config["input"]["classes"]
    images = jax.random.uniform(jax.random.PRNGKey(7), shape, jnp.float32)
    if classes == 1:
        labels = (jax.random.uniform(jax.random.PRNGKey(8), (shape[0], 1)) > 0.5).astype(jnp.float32)
    else:
        labels = jax.nn.one_hot(jax.random.randint(jax.random.PRNGKey(8), (shape[0],), 0, classes), classes, dtype=jnp.float32)
    state = [jax_initial_state(params)]
    jitted = jax.jit(jax_train_step(apply, config["learningRate"], classes), donate_argnums=(0,))
    device = jax.devices()[0]
    ready(started, {
        "engine": f"jax {jax.__version__} jit, XLA:{device.platform.upper()}",
        "devices": [f"{d.platform}: {d.device_kind}" for d in jax.devices()][:8],
        "details": {"jax": jax.__version__, "jaxlib": jaxlib.__version__, "python": platform.python_version()},
    })

    def step() -> float:
        state[0], loss = jitted(state[0], images, labels)
        return float(loss)

    def device_peak() -> dict:
        stats = device.memory_stats() if hasattr(device, "memory_stats") else None
        return {"devicePeakBytes": int(stats["peak_bytes_in_use"])} if stats and "peak_bytes_in_use" in stats else {}

    run_protocol(step, config, device_peak)
