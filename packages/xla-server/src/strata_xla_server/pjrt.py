"""Everything that touches jax/jaxlib lives here, because part of it is internal API.

The recipe (tested with jax/jaxlib 0.10.2 and 0.11.2; how a training step reaches this server
is docs/ARCHITECTURE.md, "One training step's data path"): parse the StableHLO text with
jaxlib's MLIR bindings in jax's own IR context (all dialects that jax emits are registered
there), compile it with the PJRT client's `compile_and_load` using
jax's compile options (SPMD partitioning on, num_partitions = N, device assignment = the
first N devices), run it with `execute_sharded` on global jax.Arrays, and rebuild the
results as global jax.Arrays from `disassemble_into_single_device_arrays()`.

The internal names used (jax._src.xla_bridge, jax._src.compiler, jax._src.op_shardings,
jax._src.interpreters.mlir, jax._src.interpreters.pxla.shard_args,
NamedSharding._to_xla_hlo_sharding) move between jax releases,
so the server checks the version range below at start and refuses others with the fix.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass

import jax
import jaxlib
import numpy as np

# The range this module supports: [0.10.2, 0.12). CI tests 0.10.2; 0.11.2 needs Python 3.12+,
# which the CI machines lack, and passes the server's tests on XLA:GPU.
SUPPORTED_MIN = (0, 10, 2)
SUPPORTED_BELOW = (0, 12, 0)
SKIP_CHECK_ENV = "STRATA_XLA_SKIP_VERSION_CHECK"


def _version_tuple(text: str) -> tuple[int, ...]:
    return tuple(int(x) for x in re.findall(r"\d+", text)[:3])


def check_versions() -> None:
    if os.environ.get(SKIP_CHECK_ENV) == "1":
        return
    for name, version in (("jax", jax.__version__), ("jaxlib", jaxlib.__version__)):
        v = _version_tuple(version)
        if not (SUPPORTED_MIN <= v < SUPPORTED_BELOW):
            raise RuntimeError(
                f"{name} {version} is outside the range this server supports "
                f"(>= {'.'.join(map(str, SUPPORTED_MIN))}, < {'.'.join(map(str, SUPPORTED_BELOW))}): "
                f"it uses jax internals that change between releases. Run "
                f"`pip install jax==0.10.2 jaxlib==0.10.2` (plus the matching libtpu on a TPU VM), "
                f"or set {SKIP_CHECK_ENV}=1 to try anyway."
            )


check_versions()

# Internal API: keep every use of it in this file.
from jax._src import compiler as _compiler  # noqa: E402
from jax._src import op_shardings as _op_shardings  # noqa: E402
from jax._src import xla_bridge as _xla_bridge  # noqa: E402
from jax._src.interpreters import mlir as _mlir  # noqa: E402
from jax._src.interpreters import pxla as _pxla  # noqa: E402
from jax._src.lib import xla_client as _xc  # noqa: E402
from jax.sharding import Mesh, NamedSharding, PartitionSpec  # noqa: E402
from jaxlib.mlir import ir as _ir  # noqa: E402

from .module_limits import check_module_ops, check_module_text  # noqa: E402
from .specs import SPLIT_DIM0, Spec  # noqa: E402


class ModuleError(Exception):
    """The client's module is at fault (unparsable, wrong signature, rejected by XLA)."""


@dataclass(frozen=True)
class TensorType:
    element: str                 # MLIR element type: f32, i32, i1, bf16, f16, ui8, ...
    shape: tuple[int, ...]

    def text(self) -> str:
        return f"{self.element}[{','.join(map(str, self.shape))}]"


@dataclass(frozen=True)
class Signature:
    inputs: tuple[TensorType, ...]
    outputs: tuple[TensorType, ...]
    num_partitions: int | None   # the module's mhlo.num_partitions attribute, if any
    shardy: bool                 # sharded with the sdy dialect (jax's default) not mhlo.sharding
    aliased: tuple[int, ...] = ()  # arguments with tf.aliasing_output: XLA consumes their buffers


def _tensor_type(t, what: str) -> TensorType:
    try:
        rt = _ir.RankedTensorType(t)
    except (ValueError, TypeError):
        raise ModuleError(f"{what} has type {t}, which is not a ranked tensor")
    if not rt.has_static_shape:
        raise ModuleError(f"{what} has the dynamic type {t}; only static shapes are supported")
    return TensorType(str(rt.element_type), tuple(int(d) for d in rt.shape))


def parse_module(text: str) -> Signature:
    """Parses and verifies a StableHLO text module; returns the signature of @main."""
    check_module_text(text)
    with _mlir.make_ir_context() as ctx:
        try:
            module = _ir.Module.parse(text, context=ctx)
        except Exception as e:  # MLIRError carries the parser's diagnostics
            raise ModuleError(str(e)) from None
        check_module_ops(module)
        main = None
        shardy = False
        for op in module.body.operations:
            name = op.operation.name
            if name.startswith("sdy."):
                shardy = True
            if name == "func.func" and _ir.StringAttr(op.attributes["sym_name"]).value == "main":
                main = op
        if main is None:
            raise ModuleError("the module has no function @main: name the entry function `main`")
        ftype = _ir.FunctionType(_ir.TypeAttr(main.attributes["function_type"]).value)
        inputs = tuple(_tensor_type(t, f"argument {i} of @main") for i, t in enumerate(ftype.inputs))
        outputs = tuple(_tensor_type(t, f"result {i} of @main") for i, t in enumerate(ftype.results))
        attrs = module.operation.attributes
        num_partitions = None
        if "mhlo.num_partitions" in attrs:
            num_partitions = _ir.IntegerAttr(attrs["mhlo.num_partitions"]).value
        shardy = shardy or "#sdy.sharding" in text
        aliased: tuple[int, ...] = ()
        if "arg_attrs" in main.attributes:
            aliased = tuple(
                i for i, attrs in enumerate(_ir.ArrayAttr(main.attributes["arg_attrs"]))
                if "tf.aliasing_output" in _ir.DictAttr(attrs)
            )
        return Signature(inputs, outputs, num_partitions, shardy, aliased)


@dataclass(frozen=True)
class MemoryNeeds:
    """What XLA's buffer assignment says one run of a program needs, over all its devices."""
    arguments: int
    outputs: int
    aliased: int      # output bytes written into argument buffers
    temp: int         # intermediates, live only while the program runs
    code: int         # generated code, held while the program is kept

    @property
    def run(self) -> int:
        """Bytes on the devices while it runs: arguments, outputs and intermediates."""
        return self.arguments + self.outputs - self.aliased + self.temp


def _memory_needs(executable, num_devices: int) -> MemoryNeeds:
    # The stats are per device (each partition's buffers); the quota counts all devices.
    stats = executable.get_compiled_memory_stats()
    n = num_devices
    return MemoryNeeds(
        arguments=(stats.argument_size_in_bytes + stats.host_argument_size_in_bytes) * n,
        outputs=(stats.output_size_in_bytes + stats.host_output_size_in_bytes) * n,
        aliased=(stats.alias_size_in_bytes + stats.host_alias_size_in_bytes) * n,
        temp=(stats.temp_size_in_bytes + stats.host_temp_size_in_bytes) * n,
        code=stats.generated_code_size_in_bytes + stats.host_generated_code_size_in_bytes,
    )


@dataclass
class Compiled:
    executable: object                   # jaxlib LoadedExecutable
    num_devices: int
    in_shardings: tuple[NamedSharding, ...]
    out_shardings: tuple[NamedSharding, ...]
    out_specs: tuple[Spec, ...]
    aliased: tuple[int, ...] = ()        # arguments whose buffers the program consumes
    memory: MemoryNeeds = MemoryNeeds(0, 0, 0, 0, 0)


def xla_status_name(error: BaseException) -> str | None:
    """XLA errors start with their absl status, e.g. 'RESOURCE_EXHAUSTED: Out of memory'."""
    m = re.match(r"([A-Z_]+):", str(error))
    return m.group(1) if m else None


class Runtime:
    """The PJRT client and the devices of this process."""

    def __init__(self) -> None:
        self.backend = _xla_bridge.get_backend()
        self.devices = list(self.backend.local_devices())
        self._meshes: dict[int, Mesh] = {}

    @property
    def platform(self) -> str:
        p = self.backend.platform
        return "gpu" if p in ("cuda", "rocm", "gpu") else p

    @property
    def jax_version(self) -> str:
        return jax.__version__

    def device_infos(self) -> list[dict]:
        infos = []
        for d in self.devices:
            memory = 0
            try:
                stats = d.memory_stats()
                memory = int((stats or {}).get("bytes_limit", 0))
            except Exception:  # not every platform reports memory (CPU does not)
                memory = 0
            infos.append({"id": d.id, "platform": self.platform, "kind": d.device_kind, "memory_bytes": memory})
        return infos

    def memory_bytes(self) -> int:
        """Memory of all devices together: their reported limits, or the host's RAM for
        devices that report none (CPU, whose buffers live in host memory)."""
        total = sum(d["memory_bytes"] for d in self.device_infos())
        if total:
            return total
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")

    def sharding(self, placement: str, num_devices: int) -> NamedSharding:
        mesh = self._meshes.get(num_devices)
        if mesh is None:
            mesh = Mesh(np.array(self.devices[:num_devices]), ("d",))
            self._meshes[num_devices] = mesh
        return NamedSharding(mesh, PartitionSpec("d") if placement == SPLIT_DIM0 else PartitionSpec())

    def compile(self, text: str, signature: Signature, num_devices: int,
                in_specs: list[Spec], out_specs: list[Spec]) -> Compiled:
        devices = self.devices[:num_devices]
        options = _compiler.get_compile_options(
            num_replicas=1, num_partitions=num_devices,
            device_assignment=np.array([devices]), backend=self.backend,
        )
        options.executable_build_options.use_shardy_partitioner = signature.shardy
        try:
            executable = self.backend.compile_and_load(text, _xc.DeviceList(tuple(devices)), options)
        except Exception as e:  # XLA rejected the module (unsupported op, bad sharding, ...)
            raise ModuleError(f"XLA could not compile the module: {e}") from None
        in_shardings = tuple(self.sharding(s.placement, num_devices) for s in in_specs)
        out_shardings = tuple(self.sharding(s.placement, num_devices) for s in out_specs)
        if num_devices > 1:
            self._check_shardings("argument", executable.get_parameter_shardings(), in_shardings, in_specs)
            self._check_shardings("result", executable.get_output_shardings(), out_shardings, out_specs)
        return Compiled(executable, num_devices, in_shardings, out_shardings, tuple(out_specs), signature.aliased,
                        _memory_needs(executable, num_devices))

    @staticmethod
    def _check_shardings(kind: str, compiled, wanted, specs) -> None:
        """The module's shardings must be the placements the request names."""
        if compiled is None:
            return
        for i, (op, want, spec) in enumerate(zip(compiled, wanted, specs)):
            got = _xc.HloSharding.from_proto(op)
            want_hlo = want._to_xla_hlo_sharding(len(spec.shape))
            if not _op_shardings.are_hlo_shardings_equal(got, want_hlo):
                raise ModuleError(
                    f"{kind} {i}: the compiled module shards it as {got}, but the request says "
                    f"{spec.placement.upper()} ({want_hlo}); annotate it with mhlo.sharding = "
                    f"\"{want_hlo}\" or send the matching placement"
                )

    def put(self, host: np.ndarray, placement: str, num_devices: int) -> jax.Array:
        array = _to_devices([host], [self.sharding(placement, num_devices)])[0]
        return array.block_until_ready()

    def execute(self, compiled: Compiled, arrays: list[jax.Array | None],
                inline: frozenset[int] = frozenset(),
                keep: frozenset[int] = frozenset(),
                literals: dict[int, np.ndarray] | None = None) -> tuple[list[jax.Array], dict[int, np.ndarray]]:
        """Runs a program; returns its outputs and host copies of the outputs named in `inline`.

        `keep`: aliased arguments whose buffers must survive the run (the client still holds
        them); the program consumes a copy of each instead. `literals`: host values of the
        arguments whose place in `arrays` is None; they go to the devices for this run only.
        """
        if literals:
            indices = sorted(literals)
            placed = _to_devices([literals[i] for i in indices], [compiled.in_shardings[i] for i in indices])
            arrays = list(arrays)
            for i, array in zip(indices, placed):
                arrays[i] = array
        args = []
        for i, (array, want) in enumerate(zip(arrays, compiled.in_shardings)):
            if literals and i in literals:
                pass   # placed with the sharding the program wants, and held by nobody else
            elif not array.sharding.is_equivalent_to(want, array.ndim):
                array = jax.device_put(array, want)  # e.g. a replicated result fed in as a split batch
            elif i in keep:
                array = jax.device_put(array, want, may_alias=False)
            args.append(array)
        if compiled.num_devices == 1:
            # One device: its arrays are the global arrays, so skip the per-output reassembly
            # (a cost per output, which adds up over a training step's weights and moments).
            outputs = compiled.executable.execute(args)
        else:
            results = compiled.executable.execute_sharded(args)
            per_output = results.disassemble_into_single_device_arrays()
            outputs = [
                jax.make_array_from_single_device_arrays(spec.shape, sharding, shards)
                for spec, sharding, shards in zip(compiled.out_specs, compiled.out_shardings, per_output)
            ]
        # Wait, so that errors belong to this call and execute_ms is the run's time.
        outputs = jax.block_until_ready(outputs)
        return outputs, {i: np.asarray(outputs[i]) for i in inline}

    @staticmethod
    def is_deleted(array: jax.Array) -> bool:
        return array.is_deleted()

    @staticmethod
    def to_host(array: jax.Array) -> np.ndarray:
        return np.asarray(array)


def _to_devices(hosts: list[np.ndarray], shardings: list[NamedSharding]) -> list[jax.Array]:
    """Host arrays to device arrays, all in one transfer call: the path jit takes for numpy
    arguments, which skips jax.device_put's per-call dispatch (most of a small transfer's time)."""
    reuse = [_xc.ArrayCopySemantics.REUSE_INPUT] * len(hosts)
    return list(_pxla.shard_args(shardings, [None] * len(hosts), reuse, hosts))
