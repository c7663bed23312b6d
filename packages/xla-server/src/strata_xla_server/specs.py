"""Tensor specs: the protocol's dtype, shape and placement, and their byte sizes.

No jax here: this is the vocabulary shared by the service (protobuf side) and pjrt.py
(device side). Element types are named by their MLIR spelling, which is what a StableHLO
module's signature says (tensor<2x3xf32>, tensor<4xi1> for bool, tensor<8xui8>).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import ml_dtypes
import numpy as np

from .errors import invalid
from .protocol import pb

MAX_DIM = 1 << 40
MAX_ELEMENTS = 1 << 46
MAX_RANK = 64   # numpy's limit, and the most a StableHLO module may have (module_limits.py)

REPLICATED = "replicated"
SPLIT_DIM0 = "split_dim0"


@dataclass(frozen=True)
class DType:
    proto: int          # pb.DType value
    name: str           # the protocol's name: F32, I32, ...
    mlir: str           # element type in StableHLO text: f32, i32, i1, ...
    numpy: np.dtype     # little-endian numpy dtype of the wire bytes


DTYPES = [
    DType(pb.F32, "F32", "f32", np.dtype("<f4")),
    DType(pb.I32, "I32", "i32", np.dtype("<i4")),
    DType(pb.BOOL, "BOOL", "i1", np.dtype(np.bool_)),
    DType(pb.BF16, "BF16", "bf16", np.dtype(ml_dtypes.bfloat16)),
    DType(pb.F16, "F16", "f16", np.dtype("<f2")),
    DType(pb.U8, "U8", "ui8", np.dtype(np.uint8)),
]
BY_PROTO = {d.proto: d for d in DTYPES}
BY_MLIR = {d.mlir: d for d in DTYPES}


@dataclass(frozen=True)
class Spec:
    dtype: DType
    shape: tuple[int, ...]
    placement: str = REPLICATED

    @property
    def size(self) -> int:
        return math.prod(self.shape)

    @property
    def nbytes(self) -> int:
        """Bytes of the tensor itself (what Fetch returns)."""
        return self.size * self.dtype.numpy.itemsize

    def device_bytes(self, num_devices: int, processes: int = 1) -> int:
        """Bytes it holds on this process's devices (num_devices / processes of them): a
        replicated tensor has one copy per device, a split one this process's share."""
        if self.placement == REPLICATED:
            return self.nbytes * (num_devices // processes)
        return self.nbytes // processes

    def local_shape(self, processes: int) -> tuple[int, ...]:
        """The shape of the data one process of a mesh sends and receives: a replicated
        tensor whole, a split one its block of dimension 0."""
        if self.placement != SPLIT_DIM0 or processes == 1:
            return self.shape
        return (self.shape[0] // processes, *self.shape[1:])

    def local_nbytes(self, processes: int) -> int:
        return math.prod(self.local_shape(processes)) * self.dtype.numpy.itemsize

    def local_rows_text(self, processes: int, process_index: int) -> str:
        """Which part a process holds, for messages: 'rows 4..8 of 8 (process 1 of 2)'."""
        if self.placement != SPLIT_DIM0 or processes == 1:
            return "the whole tensor"
        rows = self.shape[0] // processes
        return (f"rows {process_index * rows}..{(process_index + 1) * rows} of {self.shape[0]} "
                f"(process {process_index} of {processes})")

    def text(self) -> str:
        """Short form for messages: f32[2,3] (split_dim0)."""
        return f"{self.dtype.mlir}[{','.join(map(str, self.shape))}]"

    def to_proto(self) -> pb.TensorSpec:
        return pb.TensorSpec(
            dtype=self.dtype.proto,
            shape=list(self.shape),
            placement=pb.SPLIT_DIM0 if self.placement == SPLIT_DIM0 else pb.REPLICATED,
        )


def placement_from_proto(value: int, what: str) -> str:
    if value in (pb.PLACEMENT_UNSPECIFIED, pb.REPLICATED):
        return REPLICATED
    if value == pb.SPLIT_DIM0:
        return SPLIT_DIM0
    raise invalid(f"{what}: unknown placement {value}; use REPLICATED (1) or SPLIT_DIM0 (2)")


def spec_from_proto(spec: pb.TensorSpec, what: str) -> Spec:
    """Validates a TensorSpec from a request; `what` names it in error messages."""
    dtype = BY_PROTO.get(spec.dtype)
    if dtype is None:
        names = ", ".join(d.name for d in DTYPES)
        raise invalid(f"{what}: dtype {spec.dtype} is not supported; use one of {names}")
    if len(spec.shape) > MAX_RANK:
        raise invalid(f"{what}: shape has {len(spec.shape)} dimensions; at most {MAX_RANK} are supported")
    shape = tuple(int(d) for d in spec.shape)
    if any(d < 0 for d in shape):
        raise invalid(f"{what}: shape {list(shape)} has a negative dimension")
    # Far beyond any device's memory; the bound keeps byte counts and host arrays sane.
    if any(d > MAX_DIM for d in shape) or math.prod(shape) > MAX_ELEMENTS:
        raise invalid(f"{what}: shape {list(shape)} is too large (at most {MAX_DIM} per dimension, {MAX_ELEMENTS} elements)")
    return Spec(dtype, shape, placement_from_proto(spec.placement, what))


def check_placement(spec: Spec, num_devices: int, what: str) -> None:
    """A SPLIT_DIM0 tensor needs a dimension 0 that the devices divide evenly."""
    if spec.placement != SPLIT_DIM0 or num_devices == 1:
        return
    if not spec.shape:
        raise invalid(f"{what}: a scalar cannot be SPLIT_DIM0; use REPLICATED")
    if spec.shape[0] % num_devices != 0:
        raise invalid(
            f"{what}: SPLIT_DIM0 over {num_devices} devices needs dimension 0 divisible by "
            f"{num_devices}, got shape {list(spec.shape)}; pad the batch or use REPLICATED"
        )


def wire_bytes(host: np.ndarray, spec: Spec) -> bytes:
    """A host array as the protocol's little-endian element bytes."""
    return np.ascontiguousarray(host, dtype=spec.dtype.numpy).tobytes()
