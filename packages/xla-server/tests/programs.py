"""StableHLO modules for the tests, lowered by jax the way any jax program lowers a function
(`jax.jit(f).lower(...).as_text()`), so they are what XLA expects."""
from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import numpy as np
from jax.sharding import Mesh, NamedSharding, PartitionSpec as P


@functools.cache
def add_2x3() -> str:
    a = jax.ShapeDtypeStruct((2, 3), jnp.float32)
    return jax.jit(lambda x, y: x + y).lower(a, a).as_text()


@functools.cache
def scale(shape: tuple[int, ...], factor: float) -> str:
    a = jax.ShapeDtypeStruct(shape, jnp.float32)
    return jax.jit(lambda x: x * factor).lower(a).as_text()


@functools.cache
def constant_ones(n: int) -> str:
    """No arguments: what a lazily recorded tf.ones() cut alone lowers to."""
    return jax.jit(lambda: jnp.ones(n, jnp.float32)).lower().as_text()


@functools.cache
def scale_in_place(shape: tuple[int, ...], factor: float) -> str:
    """Like scale, with the input donated to the output (tf.aliasing_output in the module)."""
    a = jax.ShapeDtypeStruct(shape, jnp.float32)
    return jax.jit(lambda x: x * factor, donate_argnums=0).lower(a).as_text()


@functools.cache
def data_parallel_mean(n: int, batch: int, shardy: bool) -> str:
    """mean over a batch split on dim 0 of x @ w (w replicated): needs an all-reduce.
    Returns (mean[2], w * 2). shardy=False gives the mhlo.sharding form the TS client emits."""
    mesh = Mesh(np.array(jax.devices()[:n]), ("d",))
    rep, split = NamedSharding(mesh, P()), NamedSharding(mesh, P("d"))

    def f(w, x):
        return jnp.mean(x @ w, axis=0), w * 2

    previous = jax.config.jax_use_shardy_partitioner
    jax.config.update("jax_use_shardy_partitioner", shardy)
    try:
        lowered = jax.jit(f, in_shardings=(rep, split), out_shardings=(rep, rep)).lower(
            jax.ShapeDtypeStruct((3, 2), jnp.float32), jax.ShapeDtypeStruct((batch, 3), jnp.float32))
        return lowered.as_text()
    finally:
        jax.config.update("jax_use_shardy_partitioner", previous)


def _mlp_step(w1, b1, w2, x, y):
    """One SGD step of a 2-layer MLP with a sigmoid cross-entropy loss."""
    def loss_fn(params):
        w1, b1, w2 = params
        logits = (jax.nn.relu(x @ w1 + b1) @ w2)[:, 0]
        return jnp.mean(jnp.maximum(logits, 0) - logits * y + jnp.log1p(jnp.exp(-jnp.abs(logits))))
    loss, grads = jax.value_and_grad(loss_fn)((w1, b1, w2))
    return tuple(p - 0.1 * g for p, g in zip((w1, b1, w2), grads)) + (loss,)


MLP_SHAPES = ((4, 8), (8,), (8, 1))


@functools.cache
def mlp_train_step(n: int, batch: int) -> str:
    """The step over n devices: weights replicated, batch split, gradients all-reduced by XLA."""
    mesh = Mesh(np.array(jax.devices()[:n]), ("d",))
    rep, split = NamedSharding(mesh, P()), NamedSharding(mesh, P("d"))
    args = [jax.ShapeDtypeStruct(s, jnp.float32) for s in MLP_SHAPES]
    args += [jax.ShapeDtypeStruct((batch, 4), jnp.float32), jax.ShapeDtypeStruct((batch,), jnp.float32)]
    previous = jax.config.jax_use_shardy_partitioner
    jax.config.update("jax_use_shardy_partitioner", False)   # mhlo.sharding, as the TS client emits
    try:
        jitted = jax.jit(_mlp_step, in_shardings=(rep, rep, rep, split, split), out_shardings=(rep,) * 4)
        return jitted.lower(*args).as_text()
    finally:
        jax.config.update("jax_use_shardy_partitioner", previous)


@functools.cache
def scaled_by(shape: tuple[int, ...], donate: bool = False) -> str:
    """v * s for a vector v and an f32 scalar s (a step's learning rate); `donate`: v is
    aliased to the result."""
    v, s = jax.ShapeDtypeStruct(shape, jnp.float32), jax.ShapeDtypeStruct((), jnp.float32)
    return jax.jit(lambda v, s: v * s, donate_argnums=(0,) if donate else ()).lower(v, s).as_text()


@functools.cache
def where_flag(shape: tuple[int, ...]) -> str:
    """flag ? a : b, for a bool scalar flag and i32 tensors (the dtypes beside f32)."""
    flag, a = jax.ShapeDtypeStruct((), jnp.bool_), jax.ShapeDtypeStruct(shape, jnp.int32)
    return jax.jit(lambda flag, a, b: jnp.where(flag, a, b)).lower(flag, a, a).as_text()
