"""Modules a hostile or careless client sends to exhaust the server at run time, lowered by
jax like any other program."""
from __future__ import annotations

import functools

import jax
import jax.numpy as jnp


@functools.cache
def endless_loop() -> str:
    """i32[] -> i32[]: a while loop whose condition stays true (the counter wraps to 0)."""
    def f(x):
        return jax.lax.while_loop(lambda v: v >= 0, lambda v: (v + 1) & 0x7FFFFFFF, x)
    return jax.jit(f).lower(jax.ShapeDtypeStruct((), jnp.int32)).as_text()


@functools.cache
def sort_intermediate(n: int) -> str:
    """f32[] -> f32[]: small argument and result, an intermediate of n floats (a sort)."""
    def f(x):
        return jnp.sum(jnp.sort(jnp.arange(n, dtype=jnp.float32) * x))
    return jax.jit(f).lower(jax.ShapeDtypeStruct((), jnp.float32)).as_text()


@functools.cache
def sort_vector(n: int) -> str:
    """f32[n] -> f32[n]: sorts its argument."""
    return jax.jit(jnp.sort).lower(jax.ShapeDtypeStruct((n,), jnp.float32)).as_text()


@functools.cache
def two_outputs(n: int) -> str:
    """f32[n] -> (f32[n], f32[n]): x + 1 and x * 2."""
    return jax.jit(lambda x: (x + 1, x * 2)).lower(jax.ShapeDtypeStruct((n,), jnp.float32)).as_text()


@functools.cache
def counted_loop() -> str:
    """i32[] n -> f32[]: n dependent iterations (sin), so its run time grows with n."""
    def f(n):
        return jax.lax.while_loop(lambda c: c[0] < n, lambda c: (c[0] + 1, jnp.sin(c[1]) + 1.0),
                                  (jnp.int32(0), jnp.float32(0)))[1]
    return jax.jit(f).lower(jax.ShapeDtypeStruct((), jnp.int32)).as_text()
