"""The limits a client's StableHLO module must stay within, checked before MLIR or XLA see it.

MLIR's parser and verifier and parts of XLA recurse once per level of nesting, so a small
module nested deeply enough (attributes, dictionaries, types, regions) overflows the stack and
kills the process. XLA aborts the process on a static shape whose element count overflows
int64. jax's host-callback custom calls compile but crash at Execute, because this server has
no Python callback to run. So a module is refused with INVALID_ARGUMENT, naming what it
exceeds and the limit, when:

- its brackets ( [ { < nest deeper than MAX_NESTING (a text scan, before parsing);
- its computations (regions of loops, conditionals, reductions, and calls of functions)
  nest deeper than MAX_COMPUTATION_NESTING, or a function calls itself: XLA converts them
  recursively, on threads of its own whose stack this server does not choose;
- it uses affine maps or integer sets (their expression parser recurses once per term, and
  StableHLO has no use for them);
- a value has a tensor type with more than MAX_RANK dimensions, a dimension that is not
  static, or more elements or bytes than the host's memory holds;
- it calls a custom-call target outside CUSTOM_CALL_TARGETS / CUSTOM_CALL_TARGET_PATTERNS,
  or a host-transfer op (infeed, outfeed, send, recv) that the protocol cannot feed.

check_module_text runs on the text; check_module_ops on the parsed module (jaxlib's MLIR
bindings, the public `jaxlib.mlir.ir` API). Parsing, checking and compiling run on a thread
with a large stack (programs.py), so modules within these limits never reach the stack's end.
"""
from __future__ import annotations

import os
import re
from functools import cache

import numpy as np
from jaxlib.mlir import ir

from .errors import invalid
from .specs import MAX_RANK

MAX_NESTING = 256
MAX_COMPUTATION_NESTING = 64
FIX = "send a module that jax or Strata's XLA client lowers"

# Custom calls that the lowerings of jax and of Strata's XLA client emit, and that XLA itself
# implements: SPMD sharding annotations, and jaxlib's typed linear-algebra kernels. Anything
# else (notably jax's host callbacks, xla_python_cpu_callback, xla_ffi_python_cpu_callback,
# xla_python_gpu_callback, ...) is refused.
CUSTOM_CALL_TARGETS = frozenset({
    "Sharding",
    "SPMDFullToShardShape",
    "SPMDShardToFullShape",
    "xla.sdy.GlobalToLocalShape",
    "xla.sdy.LocalToGlobalShape",
    "xla.sdy.FuncResultSharding",
})
CUSTOM_CALL_TARGET_PATTERNS = (
    re.compile(r"lapack_[sdcz][a-z]+_ffi"),                  # CPU: jnp.linalg on jaxlib's LAPACK
    re.compile(r"(cu|hip)solver_[a-z_]+_ffi"),               # GPU: jnp.linalg on cuSOLVER/hipSOLVER
    re.compile(r"(cu|hip)_lu_pivots_to_permutation"),
    re.compile(r"(cu|hip)_threefry2x32_ffi"),                # GPU: jax.random
)
HOST_TRANSFER_OPS = frozenset(
    f"{dialect}.{op}" for dialect in ("stablehlo", "mhlo") for op in ("infeed", "outfeed", "send", "recv")
)
CUSTOM_CALL_OPS = frozenset({"stablehlo.custom_call", "mhlo.custom_call"})

# What the nesting scan skips: string literals (sharding strings hold brackets; one left open
# ends at the end of its line, so the scan stays linear), comments, and arrows (their '>'
# closes nothing). Strings and comments never span lines, so line numbers survive.
_SKIPPED = re.compile(r'"(?:[^"\\\n]|\\[^\n]?)*(?:"|$)|//[^\n]*|->', re.MULTILINE)
_AFFINE = re.compile(r"\b(?:affine_map|affine_set)\b")
_STEP = np.zeros(256, np.int32)          # +1 for an opening bracket, -1 for a closing one
_STEP[[ord(c) for c in "([{<"]] = 1
_STEP[[ord(c) for c in ")]}>"]] = -1
_SCAN_CHUNK = 1 << 20


@cache
def max_tensor_bytes() -> int:
    """The host's physical memory: no tensor of one program can be larger."""
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError):  # not reported on this platform
        return 1 << 40


def allowed_custom_call(target: str) -> bool:
    return target in CUSTOM_CALL_TARGETS or any(p.fullmatch(target) for p in CUSTOM_CALL_TARGET_PATTERNS)


def check_module_text(text: str) -> None:
    """Refuses nesting deeper than MAX_NESTING and affine constructs, before MLIR parses.

    The depth is a running sum of +1/-1 per bracket that never goes below zero, computed with
    numpy a chunk at a time: linear in the text, at C speed, whatever the text holds.
    """
    code = _SKIPPED.sub(" ", text)
    m = _AFFINE.search(code) if "affine_" in code else None   # the substring test is the fast one
    if m:
        raise invalid(
            f"the module uses {m.group()} (line {code.count(chr(10), 0, m.start()) + 1}); affine maps and sets "
            f"are not StableHLO and are refused: {FIX}")
    data = np.frombuffer(code.encode("utf-8", "surrogatepass"), np.uint8)
    depth = 0
    for offset in range(0, len(data), _SCAN_CHUNK):
        chunk = data[offset:offset + _SCAN_CHUNK]
        walk = depth + np.cumsum(_STEP[chunk], dtype=np.int64)
        walk -= np.minimum(np.minimum.accumulate(walk), 0)   # a closer at depth 0 closes nothing
        over = np.flatnonzero(walk > MAX_NESTING)
        if over.size:
            line = int(np.count_nonzero(data[:offset + over[0]] == 10)) + 1
            raise invalid(
                f"the module nests brackets more than {MAX_NESTING} deep (line {line}); at most {MAX_NESTING} "
                f"levels of nested attributes, types and regions are accepted: {FIX}")
        depth = int(walk[-1])


def _check_type(t: ir.Type, what) -> None:
    if isinstance(t, ir.TupleType):
        for i in range(t.num_types):
            _check_type(t.get_type(i), what)
        return
    if isinstance(t, ir.FunctionType):
        for inner in (*t.inputs, *t.results):
            _check_type(inner, what)
        return
    if not isinstance(t, ir.ShapedType) or not t.has_rank:
        return  # scalars, tokens, unranked tensors (the verifier and XLA refuse those themselves)
    if t.rank > MAX_RANK:
        raise invalid(f"{what()} has the type {_short(t)} of rank {t.rank}; at most {MAX_RANK} dimensions are accepted")
    if not t.has_static_shape:
        raise invalid(f"{what()} has the dynamic type {_short(t)}; only static shapes are supported")
    elements = 1
    for d in t.shape:
        elements *= d
    nbytes = (elements * _element_bits(t.element_type) + 7) // 8
    limit = max_tensor_bytes()
    if nbytes > limit:
        raise invalid(
            f"{what()} has the type {_short(t)}: {elements} elements, {nbytes} bytes, more than the {limit} "
            f"bytes of this server's memory; split the computation into smaller tensors")


def _element_bits(t: ir.Type) -> int:
    if isinstance(t, ir.ComplexType):
        return 2 * _element_bits(t.element_type)
    width = getattr(t, "width", None)
    return width if isinstance(width, int) and width > 0 else 64  # index and others: 64 bits at most


def _short(t: ir.Type) -> str:
    text = str(t)
    return text if len(text) <= 120 else text[:117] + "..."


def _custom_call_target(op: ir.Operation) -> str:
    attrs = op.attributes
    if "call_target_name" not in attrs:
        return ""
    target = attrs["call_target_name"]
    return target.value if isinstance(target, ir.StringAttr) else str(target)


def check_module_ops(module: ir.Module) -> None:
    """Visits every op: value types within the shape limits, custom calls on the allow-list,
    no host transfers, computations (regions and calls) nested at most MAX_COMPUTATION_NESTING
    deep. Raises INVALID_ARGUMENT naming the op and the limit."""
    local_depth: dict[str, int] = {}                 # function -> its deepest region nesting
    calls: dict[str, list[tuple[str, int]]] = {}     # function -> (callee, region depth of the call)
    for top in module.body.operations:
        top = top.operation
        name = _symbol_name(top)
        deepest, edges = 0, []
        stack = [(top, 0)]
        while stack:  # iterative: the nesting is bounded only by MAX_NESTING here
            op, depth = stack.pop()
            _check_op(op)
            deepest = max(deepest, depth)
            edges.extend((callee, depth) for callee in _symbol_refs(op))
            for region in op.regions:
                for block in region.blocks:
                    for j, arg in enumerate(block.arguments):
                        _check_type(arg.type, lambda: f"block argument {j} in {op.name} ({_location(op)})")
                    stack.extend((inner.operation, depth + 1) for inner in block.operations)
        if name is not None:
            local_depth[name], calls[name] = deepest, edges
    total: dict[str, int] = {}
    for name in local_depth:
        _check_call_nesting(name, local_depth, calls, total)


def _check_call_nesting(root: str, local_depth: dict[str, int], calls: dict[str, list[tuple[str, int]]],
                        total: dict[str, int]) -> None:
    """The depth of a function is its own region nesting, or a call's depth plus the callee's
    depth (XLA converts a callee inside its caller). Iterative; `total` keeps the depths found."""
    on_path: set[str] = set()
    stack = [(root, False)]
    while stack:
        name, done = stack.pop()
        if done:
            on_path.discard(name)
            depth = max([local_depth[name]] + [d + total[c] for c, d in calls[name] if c in total])
            total[name] = depth
            if depth > MAX_COMPUTATION_NESTING:
                raise invalid(
                    f"function @{name[:100]} nests regions and calls {depth} deep; at most "
                    f"{MAX_COMPUTATION_NESTING} nested computations (loops, conditionals, reductions, calls) are "
                    f"accepted: {FIX}")
            continue
        if name in total:
            continue
        if name in on_path:
            raise invalid(f"function @{name[:100]} calls itself (directly or through others); XLA has no recursion: {FIX}")
        on_path.add(name)
        stack.append((name, True))
        stack.extend((c, False) for c, _ in calls[name] if c in local_depth and c not in total)


def _symbol_name(op: ir.Operation) -> str | None:
    attr = op.attributes["sym_name"] if "sym_name" in op.attributes else None
    return attr.value if isinstance(attr, ir.StringAttr) else None


def _symbol_refs(op: ir.Operation) -> list[str]:
    """Functions an op calls: attributes such as callee, decomposition, called_computations."""
    refs = []
    attrs = op.attributes
    for key in attrs:
        attr = attrs[key]
        items = list(attr) if isinstance(attr, ir.ArrayAttr) else [attr]
        refs.extend(a.value for a in items if isinstance(a, ir.FlatSymbolRefAttr))
    return refs


def _check_op(op: ir.Operation) -> None:
    name = op.name
    if name in CUSTOM_CALL_OPS:
        target = _custom_call_target(op)
        if not allowed_custom_call(target):
            raise invalid(
                f"the module calls the custom-call target {target[:200]!r}, which this server does not run "
                f"(host callbacks such as jax.pure_callback and io_callback cannot run here); allowed: "
                f"{', '.join(sorted(CUSTOM_CALL_TARGETS))}, and jax's linear-algebra kernels "
                f"(lapack_*_ffi, cusolver_*_ffi, ...)")
    elif name in HOST_TRANSFER_OPS:
        raise invalid(f"the module uses {name}, a host transfer this server cannot feed; remove it")
    attrs = op.attributes
    if "function_type" in attrs and isinstance(attrs["function_type"], ir.TypeAttr):
        _check_type(attrs["function_type"].value, lambda: f"the signature of {name} ({_location(op)})")
    for i, result in enumerate(op.results):
        _check_type(result.type, lambda: f"result {i} of {name} ({_location(op)})")


def _location(op: ir.Operation) -> str:
    text = str(op.location)
    return text if len(text) <= 120 else text[:117] + "..."
