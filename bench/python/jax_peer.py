"""The jax peer: the spec's model (models.jax_model) trained as one jax.jit step (forward,
backward and Adam), on jax's default backend."""
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
    n, s, c = config["batchSize"], config["imageSize"], spec["inputChannels"]
    images = jax.random.uniform(jax.random.PRNGKey(7), (n, s, s, c), jnp.float32)
    labels = (jax.random.uniform(jax.random.PRNGKey(8), (n, 1)) > 0.5).astype(jnp.float32)
    state = [jax_initial_state(params)]
    jitted = jax.jit(jax_train_step(apply, config["learningRate"]), donate_argnums=(0,))
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
