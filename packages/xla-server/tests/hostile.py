"""Hostile StableHLO modules (each one crashed the server before module_limits.py) and the
known-good check that the hostile tests and the fuzz test run after them."""
from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import numpy as np
from jax.sharding import Mesh, NamedSharding, PartitionSpec as P

import programs
from client import compile_program, execute, fetch, spec, upload
from strata_xla_server.protocol import pb

IDENTITY_MAIN = "func.func @main(%a: tensor<f32>) -> tensor<f32> {\n  return %a : tensor<f32>\n}\n"


def _with_module_attribute(value: str) -> str:
    return f"module attributes {{x.a = {value}}} {{\n{IDENTITY_MAIN}}}\n"


def nested_array_attribute(depth: int) -> str:
    return _with_module_attribute("[" * depth + "]" * depth)


def nested_dictionary(depth: int) -> str:
    return _with_module_attribute("{a = " * depth + "{}" + "}" * depth)


def nested_tuple_type(depth: int) -> str:
    t = "tuple<" * depth + ">" * depth
    return f"func.func @main(%a: tensor<f32>, %b: {t}) -> tensor<f32> {{\n  return %a : tensor<f32>\n}}\n"


def affine_chain(terms: int) -> str:
    return _with_module_attribute("affine_map<(d0) -> (" + " + ".join(["d0"] * terms) + ")>")


def nested_whiles(depth: int) -> str:
    """`depth` while loops, each the body of the one outside it; every loop runs while its
    value is below 1, the innermost adds 1: f(x) = x + 1 for x < 1, else x."""
    head, tail = [], []
    value = "%a"
    for i in range(depth):
        head.append(
            f"%w{i} = stablehlo.while(%x{i} = {value}) : tensor<f32>\n"
            f"cond {{\n  %c{i} = stablehlo.constant dense<1.0> : tensor<f32>\n"
            f"  %p{i} = stablehlo.compare LT, %x{i}, %c{i}, FLOAT : (tensor<f32>, tensor<f32>) -> tensor<i1>\n"
            f"  stablehlo.return %p{i} : tensor<i1>\n}} do {{\n")
        tail.append(f"stablehlo.return %w{i + 1} : tensor<f32>\n}}\n")
        value = f"%x{i}"
    inner = (f"%one = stablehlo.constant dense<1.0> : tensor<f32>\n"
             f"%w{depth} = stablehlo.add {value}, %one : tensor<f32>\n")
    body = "".join(head) + inner + "".join(reversed(tail))
    return f"func.func @main(%a: tensor<f32>) -> tensor<f32> {{\n{body}return %w0 : tensor<f32>\n}}\n"


def call_chain(length: int) -> str:
    """@main calls @f0, which calls @f1, ... : no brackets nested, but XLA converts each callee
    inside its caller."""
    functions = [IDENTITY_MAIN.replace("  return %a", "  %0 = func.call @f0(%a) : (tensor<f32>) -> tensor<f32>\n  return %0")]
    for i in range(length):
        op = (f"func.call @f{i + 1}(%a) : (tensor<f32>) -> tensor<f32>" if i < length - 1
              else "stablehlo.add %a, %a : tensor<f32>")
        functions.append(f"func.func private @f{i}(%a: tensor<f32>) -> tensor<f32> {{\n"
                         f"  %0 = {op}\n  return %0 : tensor<f32>\n}}\n")
    return "".join(functions)


def self_call() -> str:
    return ("func.func @main(%a: tensor<f32>) -> tensor<f32> {\n"
            "  %0 = func.call @main(%a) : (tensor<f32>) -> tensor<f32>\n  return %0 : tensor<f32>\n}\n")


def huge_iota() -> str:
    t = "tensor<4294967296x4294967296xf32>"
    return ("func.func @main() -> tensor<f32> {\n"
            f"  %0 = stablehlo.iota dim = 0 : {t}\n"
            "  %c = stablehlo.constant dense<0.0> : tensor<f32>\n"
            f"  %1 = stablehlo.reduce(%0 init: %c) applies stablehlo.add across dimensions = [0, 1] : ({t}, tensor<f32>) -> tensor<f32>\n"
            "  return %1 : tensor<f32>\n}\n")


def rank_65_module() -> str:
    t = "tensor<" + "1x" * 65 + "f32>"
    return ("func.func @main(%a: tensor<f32>) -> tensor<f32> {\n"
            f"  %0 = stablehlo.broadcast_in_dim %a, dims = [] : (tensor<f32>) -> {t}\n"
            "  return %a : tensor<f32>\n}\n")


def custom_call(target: str) -> str:
    return ("func.func @main(%a: tensor<f32>) -> tensor<f32> {\n"
            f"  %0 = stablehlo.custom_call @{target}(%a) {{api_version = 4 : i32, has_side_effect = true}} : (tensor<f32>) -> tensor<f32>\n"
            "  return %0 : tensor<f32>\n}\n")


def custom_call_through_alias(target: str) -> str:
    """The target named through an attribute alias, in the generic form: no text search finds it."""
    return (f'#t = "{target}"\n'
            "func.func @main(%a: tensor<f32>) -> tensor<f32> {\n"
            '  %0 = "stablehlo.custom_call"(%a) {call_target_name = #t} : (tensor<f32>) -> tensor<f32>\n'
            "  return %0 : tensor<f32>\n}\n")


@functools.cache
def sharding_constraint_module(n: int) -> str:
    mesh = Mesh(np.array(jax.devices()[:n]), ("d",))
    previous = jax.config.jax_use_shardy_partitioner
    jax.config.update("jax_use_shardy_partitioner", False)
    try:
        f = jax.jit(lambda x: jax.lax.with_sharding_constraint(x * 2, NamedSharding(mesh, P())),
                    in_shardings=NamedSharding(mesh, P()), out_shardings=NamedSharding(mesh, P()))
        return f.lower(jax.ShapeDtypeStruct((4,), jnp.float32)).as_text()
    finally:
        jax.config.update("jax_use_shardy_partitioner", previous)


def known_good_check(stub, timeout: float = 30) -> bool:
    """A session of its own runs the f32[2,3] add and checks the sum."""
    sid = stub.OpenSession(pb.OpenSessionRequest(num_devices=1, client="known-good"), timeout=timeout).session_id
    try:
        text = programs.add_2x3()
        f23 = spec((2, 3))
        compile_program(stub, sid, text, [f23, f23], [f23], timeout=timeout)
        a = np.arange(6, dtype=np.float32).reshape(2, 3)
        ha = upload(stub, sid, a, timeout=timeout).handle
        hb = upload(stub, sid, a * 10, timeout=timeout).handle
        out = fetch(stub, sid, execute(stub, sid, text, [ha, hb], timeout=timeout).outputs[0].handle, timeout=timeout)
        return bool(np.array_equal(out, a * 11))
    finally:
        stub.CloseSession(pb.CloseSessionRequest(session_id=sid), timeout=timeout)
