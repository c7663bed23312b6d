"""Everything that touches jax/jaxlib lives here, because part of it is internal API.

The recipe (tested with jax/jaxlib 0.10.2 and 0.11.2; how a training step reaches this server
is docs/ARCHITECTURE.md, "One training step's data path"): parse the StableHLO text with
jaxlib's MLIR bindings in jax's own IR context (all dialects that jax emits are registered
there), compile it with the PJRT client's `compile_and_load` using
jax's compile options (SPMD partitioning on, num_partitions = N, device assignment = the
first N devices), run it with `execute_sharded` on global jax.Arrays, and rebuild the
results as global jax.Arrays from `disassemble_into_single_device_arrays()`.

In a multi-process mesh (mesh.py) the backend sees the devices of every process. The mesh of
a session of N = k*P devices is the first k devices of each of the P processes, processes in
order; programs compile over those N devices, and each process builds its global arrays from
its own part of the data (`make_array_from_process_local_data`) and reads back only the
shards it holds.

The internal names used (jax._src.xla_bridge, jax._src.compiler, jax._src.op_shardings,
jax._src.interpreters.mlir, jax._src.interpreters.pxla.shard_args,
NamedSharding._to_xla_hlo_sharding, jax._src.distributed.global_state) move between jax releases,
so the server checks the version range (jax_versions.py) before it imports them.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass

import jax
import numpy as np

from .jax_versions import SKIP_CHECK_ENV, check_versions  # noqa: F401  (SKIP_CHECK_ENV: for the tests)

check_versions()

# Internal API: keep every use of it in this file.
from jax._src import compiler as _compiler  # noqa: E402
from jax._src import distributed as _distributed  # noqa: E402
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
    # The stats are per device (each partition's buffers); the quota counts all devices of
    # this process (`num_devices` of them).
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
    memory: MemoryNeeds = MemoryNeeds(0, 0, 0, 0, 0)   # on this process's devices
    in_shapes: tuple[tuple[int, ...], ...] = ()        # the arguments' global shapes


def xla_status_name(error: BaseException) -> str | None:
    """XLA errors start with their absl status, e.g. 'RESOURCE_EXHAUSTED: Out of memory'."""
    m = re.match(r"([A-Z_]+):", str(error))
    return m.group(1) if m else None


def distributed_coordinator_address() -> str | None:
    """The coordinator address jax.distributed.initialize used (found by cluster detection)."""
    return _distributed.global_state.coordinator_address


class Runtime:
    """The PJRT client and the devices: this process's, or every process's in a mesh."""

    def __init__(self, mesh_id: str = "") -> None:
        self.backend = _xla_bridge.get_backend()
        self.mesh_id = mesh_id
        self.local_devices = list(self.backend.local_devices())
        self.process_index = self.backend.process_index()
        by_process: dict[int, list] = {}
        for d in sorted(self.backend.devices(), key=lambda d: (d.process_index, d.id)):
            by_process.setdefault(d.process_index, []).append(d)
        self.process_count = len(by_process)
        self._by_process = [by_process[p] for p in sorted(by_process)]
        # The mesh order: by (process_index, id); a single process keeps the backend's order.
        self.devices = self.local_devices if self.process_count == 1 else [d for ds in self._by_process for d in ds]
        self._meshes: dict[int, Mesh] = {}
        self._reshards: dict[NamedSharding, object] = {}

    @property
    def max_num_devices(self) -> int:
        """The most devices a session may use: k of each process, k the fewest any process has."""
        return self.process_count * min(len(ds) for ds in self._by_process)

    def mesh_devices(self, num_devices: int) -> list:
        """A session's devices: the first num_devices / P local devices of each process, in order."""
        if self.process_count == 1:
            return self.devices[:num_devices]
        k = num_devices // self.process_count
        return [d for ds in self._by_process for d in ds[:k]]

    def local_count(self, num_devices: int) -> int:
        """How many of a session's devices are this process's."""
        return num_devices // self.process_count

    @property
    def platform(self) -> str:
        p = self.backend.platform
        return "gpu" if p in ("cuda", "rocm", "gpu") else p

    @property
    def jax_version(self) -> str:
        return jax.__version__

    def device_infos(self) -> list[dict]:
        return [{"id": d.id, "platform": self.platform, "kind": d.device_kind,
                 "memory_bytes": _memory_limit(d) if d.process_index == self.process_index else 0,
                 "process_index": d.process_index} for d in self.devices]

    def memory_bytes(self) -> int:
        """Memory of this process's devices together: their reported limits, or the host's RAM
        for devices that report none (CPU, whose buffers live in host memory)."""
        total = sum(_memory_limit(d) for d in self.local_devices)
        if total:
            return total
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")

    def sharding(self, placement: str, num_devices: int) -> NamedSharding:
        mesh = self._meshes.get(num_devices)
        if mesh is None:
            mesh = Mesh(np.array(self.mesh_devices(num_devices)), ("d",))
            self._meshes[num_devices] = mesh
        return NamedSharding(mesh, PartitionSpec("d") if placement == SPLIT_DIM0 else PartitionSpec())

    def compile(self, text: str, signature: Signature, num_devices: int,
                in_specs: list[Spec], out_specs: list[Spec]) -> Compiled:
        devices = self.mesh_devices(num_devices)
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
                        _memory_needs(executable, self.local_count(num_devices)), tuple(s.shape for s in in_specs))

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

    def put(self, host: np.ndarray, placement: str, num_devices: int,
            shape: tuple[int, ...] | None = None) -> jax.Array:
        """A device array from host data: the whole value, or in a mesh this process's part
        of the global `shape` (its rows of a SPLIT_DIM0 tensor)."""
        sharding = self.sharding(placement, num_devices)
        if self.process_count == 1:
            array = _to_devices([host], [sharding])[0]
        else:
            array = jax.make_array_from_process_local_data(sharding, host, shape)
        return array.block_until_ready()

    def execute(self, compiled: Compiled, arrays: list[jax.Array | None],
                inline: frozenset[int] = frozenset(),
                keep: frozenset[int] = frozenset(),
                literals: dict[int, np.ndarray] | None = None,
                wait: bool = True) -> tuple[list[jax.Array], dict[int, np.ndarray], Any]:
        """Runs a program; returns its outputs, host copies of the outputs named in `inline`,
        and the run's completion token (its `block_until_ready` waits for the run and raises
        its error; unlike the outputs, a later run cannot consume it).

        `wait` false: returns once the run is queued on the devices (jax's asynchronous
        dispatch); the outputs are ready later.

        `keep`: aliased arguments whose buffers must survive the run (the client still holds
        them); the program consumes a copy of each instead. `literals`: host values of the
        arguments whose place in `arrays` is None; they go to the devices for this run only.
        """
        if literals:
            indices = sorted(literals)
            if self.process_count == 1:
                placed = _to_devices([literals[i] for i in indices], [compiled.in_shardings[i] for i in indices])
            else:
                placed = [jax.make_array_from_process_local_data(
                    compiled.in_shardings[i], literals[i], compiled.in_shapes[i]) for i in indices]
            arrays = list(arrays)
            for i, array in zip(indices, placed):
                arrays[i] = array
        args = []
        for i, (array, want) in enumerate(zip(arrays, compiled.in_shardings)):
            if literals and i in literals:
                pass   # placed with the sharding the program wants, and held by nobody else
            elif not array.sharding.is_equivalent_to(want, array.ndim):
                array = self._reshard(array, want)  # e.g. a replicated result fed in as a split batch
            elif i in keep:
                array = self._copy(array, want)
            args.append(array)
        if compiled.num_devices == 1:
            # One device: its arrays are the global arrays, so skip the per-output reassembly
            # (a cost per output, which adds up over a training step's weights and moments).
            outputs, token = compiled.executable.execute_with_token(args)
        else:
            results = compiled.executable.execute_sharded(args, with_tokens=True)
            token = results.consume_token()
            per_output = results.disassemble_into_single_device_arrays()
            outputs = [
                jax.make_array_from_single_device_arrays(spec.shape, sharding, shards)
                for spec, sharding, shards in zip(compiled.out_specs, compiled.out_shardings, per_output)
            ]
        if wait:
            # Wait, so that errors belong to this call and execute_ms is the run's time.
            outputs = jax.block_until_ready(outputs)
        return outputs, {i: self.to_host(outputs[i]) for i in inline}, token

    def _reshard(self, array: jax.Array, want: NamedSharding) -> jax.Array:
        if self.process_count == 1:
            return jax.device_put(array, want)
        # Across processes the data moves in a collective: a program every process runs, in
        # the same order as the run that needs it.
        fn = self._reshards.get(want)
        if fn is None:
            fn = self._reshards[want] = jax.jit(_identity, out_shardings=want)
        return fn(array)

    def _copy(self, array: jax.Array, want: NamedSharding) -> jax.Array:
        if array.is_fully_addressable:
            return jax.device_put(array, want, may_alias=False)
        # Each process copies the shards it holds.
        shards = [jax.device_put(s.data, s.device, may_alias=False) for s in array.addressable_shards]
        return jax.make_array_from_single_device_arrays(array.shape, array.sharding, shards)

    @staticmethod
    def is_deleted(array: jax.Array) -> bool:
        return array.is_deleted()

    @staticmethod
    def to_host(array: jax.Array) -> np.ndarray:
        """The array's value; in a mesh, this process's part: a replicated array whole, a
        split one's rows that this process holds."""
        if array.is_fully_addressable:
            return np.asarray(array)
        shards = array.addressable_shards
        if array.sharding.is_fully_replicated:
            return np.asarray(shards[0].data)
        shards = sorted(shards, key=lambda s: s.index[0].start or 0)
        return np.concatenate([np.asarray(s.data) for s in shards])


def _identity(x):
    return x


def _memory_limit(device) -> int:
    try:
        stats = device.memory_stats()
        return int((stats or {}).get("bytes_limit", 0))
    except Exception:  # not every platform reports memory (CPU does not)
        return 0


def _to_devices(hosts: list[np.ndarray], shardings: list[NamedSharding]) -> list[jax.Array]:
    """Host arrays to device arrays, all in one transfer call: the path jit takes for numpy
    arguments, which skips jax.device_put's per-call dispatch (most of a small transfer's time)."""
    reuse = [_xc.ArrayCopySemantics.REUSE_INPUT] * len(hosts)
    return list(_pxla.shard_args(shardings, [None] * len(hosts), reuse, hosts))
