from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class DType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DTYPE_UNSPECIFIED: _ClassVar[DType]
    F32: _ClassVar[DType]
    I32: _ClassVar[DType]
    BOOL: _ClassVar[DType]
    BF16: _ClassVar[DType]
    F16: _ClassVar[DType]
    U8: _ClassVar[DType]

class Placement(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PLACEMENT_UNSPECIFIED: _ClassVar[Placement]
    REPLICATED: _ClassVar[Placement]
    SPLIT_DIM0: _ClassVar[Placement]
DTYPE_UNSPECIFIED: DType
F32: DType
I32: DType
BOOL: DType
BF16: DType
F16: DType
U8: DType
PLACEMENT_UNSPECIFIED: Placement
REPLICATED: Placement
SPLIT_DIM0: Placement

class HealthRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class HealthReply(_message.Message):
    __slots__ = ("ok", "platform", "device_count", "server_version", "jax_version", "process_index", "process_count", "local_device_count", "mesh_id")
    OK_FIELD_NUMBER: _ClassVar[int]
    PLATFORM_FIELD_NUMBER: _ClassVar[int]
    DEVICE_COUNT_FIELD_NUMBER: _ClassVar[int]
    SERVER_VERSION_FIELD_NUMBER: _ClassVar[int]
    JAX_VERSION_FIELD_NUMBER: _ClassVar[int]
    PROCESS_INDEX_FIELD_NUMBER: _ClassVar[int]
    PROCESS_COUNT_FIELD_NUMBER: _ClassVar[int]
    LOCAL_DEVICE_COUNT_FIELD_NUMBER: _ClassVar[int]
    MESH_ID_FIELD_NUMBER: _ClassVar[int]
    ok: bool
    platform: str
    device_count: int
    server_version: str
    jax_version: str
    process_index: int
    process_count: int
    local_device_count: int
    mesh_id: str
    def __init__(self, ok: _Optional[bool] = ..., platform: _Optional[str] = ..., device_count: _Optional[int] = ..., server_version: _Optional[str] = ..., jax_version: _Optional[str] = ..., process_index: _Optional[int] = ..., process_count: _Optional[int] = ..., local_device_count: _Optional[int] = ..., mesh_id: _Optional[str] = ...) -> None: ...

class ListDevicesRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class Device(_message.Message):
    __slots__ = ("id", "platform", "kind", "memory_bytes", "process_index")
    ID_FIELD_NUMBER: _ClassVar[int]
    PLATFORM_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    MEMORY_BYTES_FIELD_NUMBER: _ClassVar[int]
    PROCESS_INDEX_FIELD_NUMBER: _ClassVar[int]
    id: int
    platform: str
    kind: str
    memory_bytes: int
    process_index: int
    def __init__(self, id: _Optional[int] = ..., platform: _Optional[str] = ..., kind: _Optional[str] = ..., memory_bytes: _Optional[int] = ..., process_index: _Optional[int] = ...) -> None: ...

class ListDevicesReply(_message.Message):
    __slots__ = ("devices",)
    DEVICES_FIELD_NUMBER: _ClassVar[int]
    devices: _containers.RepeatedCompositeFieldContainer[Device]
    def __init__(self, devices: _Optional[_Iterable[_Union[Device, _Mapping]]] = ...) -> None: ...

class OpenSessionRequest(_message.Message):
    __slots__ = ("memory_quota_bytes", "num_devices", "client")
    MEMORY_QUOTA_BYTES_FIELD_NUMBER: _ClassVar[int]
    NUM_DEVICES_FIELD_NUMBER: _ClassVar[int]
    CLIENT_FIELD_NUMBER: _ClassVar[int]
    memory_quota_bytes: int
    num_devices: int
    client: str
    def __init__(self, memory_quota_bytes: _Optional[int] = ..., num_devices: _Optional[int] = ..., client: _Optional[str] = ...) -> None: ...

class OpenSessionReply(_message.Message):
    __slots__ = ("session_id", "memory_quota_bytes", "num_devices")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    MEMORY_QUOTA_BYTES_FIELD_NUMBER: _ClassVar[int]
    NUM_DEVICES_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    memory_quota_bytes: int
    num_devices: int
    def __init__(self, session_id: _Optional[str] = ..., memory_quota_bytes: _Optional[int] = ..., num_devices: _Optional[int] = ...) -> None: ...

class AttachPing(_message.Message):
    __slots__ = ("session_id",)
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    def __init__(self, session_id: _Optional[str] = ...) -> None: ...

class AttachPong(_message.Message):
    __slots__ = ("buffers", "bytes_in_use")
    BUFFERS_FIELD_NUMBER: _ClassVar[int]
    BYTES_IN_USE_FIELD_NUMBER: _ClassVar[int]
    buffers: int
    bytes_in_use: int
    def __init__(self, buffers: _Optional[int] = ..., bytes_in_use: _Optional[int] = ...) -> None: ...

class CloseSessionRequest(_message.Message):
    __slots__ = ("session_id",)
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    def __init__(self, session_id: _Optional[str] = ...) -> None: ...

class CloseSessionReply(_message.Message):
    __slots__ = ("buffers_freed",)
    BUFFERS_FREED_FIELD_NUMBER: _ClassVar[int]
    buffers_freed: int
    def __init__(self, buffers_freed: _Optional[int] = ...) -> None: ...

class TensorSpec(_message.Message):
    __slots__ = ("dtype", "shape", "placement")
    DTYPE_FIELD_NUMBER: _ClassVar[int]
    SHAPE_FIELD_NUMBER: _ClassVar[int]
    PLACEMENT_FIELD_NUMBER: _ClassVar[int]
    dtype: DType
    shape: _containers.RepeatedScalarFieldContainer[int]
    placement: Placement
    def __init__(self, dtype: _Optional[_Union[DType, str]] = ..., shape: _Optional[_Iterable[int]] = ..., placement: _Optional[_Union[Placement, str]] = ...) -> None: ...

class CompileRequest(_message.Message):
    __slots__ = ("session_id", "program_hash", "stablehlo_text", "num_devices", "inputs", "outputs")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    PROGRAM_HASH_FIELD_NUMBER: _ClassVar[int]
    STABLEHLO_TEXT_FIELD_NUMBER: _ClassVar[int]
    NUM_DEVICES_FIELD_NUMBER: _ClassVar[int]
    INPUTS_FIELD_NUMBER: _ClassVar[int]
    OUTPUTS_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    program_hash: str
    stablehlo_text: str
    num_devices: int
    inputs: _containers.RepeatedCompositeFieldContainer[TensorSpec]
    outputs: _containers.RepeatedCompositeFieldContainer[TensorSpec]
    def __init__(self, session_id: _Optional[str] = ..., program_hash: _Optional[str] = ..., stablehlo_text: _Optional[str] = ..., num_devices: _Optional[int] = ..., inputs: _Optional[_Iterable[_Union[TensorSpec, _Mapping]]] = ..., outputs: _Optional[_Iterable[_Union[TensorSpec, _Mapping]]] = ...) -> None: ...

class CompileReply(_message.Message):
    __slots__ = ("program_hash", "cached", "compile_ms")
    PROGRAM_HASH_FIELD_NUMBER: _ClassVar[int]
    CACHED_FIELD_NUMBER: _ClassVar[int]
    COMPILE_MS_FIELD_NUMBER: _ClassVar[int]
    program_hash: str
    cached: bool
    compile_ms: float
    def __init__(self, program_hash: _Optional[str] = ..., cached: _Optional[bool] = ..., compile_ms: _Optional[float] = ...) -> None: ...

class ExecuteRequest(_message.Message):
    __slots__ = ("session_id", "program_hash", "inputs", "donate", "inline_max_bytes", "release", "literals", "asynchronous")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    PROGRAM_HASH_FIELD_NUMBER: _ClassVar[int]
    INPUTS_FIELD_NUMBER: _ClassVar[int]
    DONATE_FIELD_NUMBER: _ClassVar[int]
    INLINE_MAX_BYTES_FIELD_NUMBER: _ClassVar[int]
    RELEASE_FIELD_NUMBER: _ClassVar[int]
    LITERALS_FIELD_NUMBER: _ClassVar[int]
    ASYNCHRONOUS_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    program_hash: str
    inputs: _containers.RepeatedScalarFieldContainer[str]
    donate: _containers.RepeatedScalarFieldContainer[str]
    inline_max_bytes: int
    release: _containers.RepeatedScalarFieldContainer[str]
    literals: _containers.RepeatedCompositeFieldContainer[Literal]
    asynchronous: bool
    def __init__(self, session_id: _Optional[str] = ..., program_hash: _Optional[str] = ..., inputs: _Optional[_Iterable[str]] = ..., donate: _Optional[_Iterable[str]] = ..., inline_max_bytes: _Optional[int] = ..., release: _Optional[_Iterable[str]] = ..., literals: _Optional[_Iterable[_Union[Literal, _Mapping]]] = ..., asynchronous: _Optional[bool] = ...) -> None: ...

class Literal(_message.Message):
    __slots__ = ("index", "spec", "data")
    INDEX_FIELD_NUMBER: _ClassVar[int]
    SPEC_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    index: int
    spec: TensorSpec
    data: bytes
    def __init__(self, index: _Optional[int] = ..., spec: _Optional[_Union[TensorSpec, _Mapping]] = ..., data: _Optional[bytes] = ...) -> None: ...

class ExecuteReply(_message.Message):
    __slots__ = ("outputs", "execute_ms")
    OUTPUTS_FIELD_NUMBER: _ClassVar[int]
    EXECUTE_MS_FIELD_NUMBER: _ClassVar[int]
    outputs: _containers.RepeatedCompositeFieldContainer[BufferInfo]
    execute_ms: float
    def __init__(self, outputs: _Optional[_Iterable[_Union[BufferInfo, _Mapping]]] = ..., execute_ms: _Optional[float] = ...) -> None: ...

class UploadChunk(_message.Message):
    __slots__ = ("session_id", "spec", "data")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    SPEC_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    spec: TensorSpec
    data: bytes
    def __init__(self, session_id: _Optional[str] = ..., spec: _Optional[_Union[TensorSpec, _Mapping]] = ..., data: _Optional[bytes] = ...) -> None: ...

class BufferInfo(_message.Message):
    __slots__ = ("handle", "spec", "nbytes", "inlined", "data")
    HANDLE_FIELD_NUMBER: _ClassVar[int]
    SPEC_FIELD_NUMBER: _ClassVar[int]
    NBYTES_FIELD_NUMBER: _ClassVar[int]
    INLINED_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    handle: str
    spec: TensorSpec
    nbytes: int
    inlined: bool
    data: bytes
    def __init__(self, handle: _Optional[str] = ..., spec: _Optional[_Union[TensorSpec, _Mapping]] = ..., nbytes: _Optional[int] = ..., inlined: _Optional[bool] = ..., data: _Optional[bytes] = ...) -> None: ...

class FetchRequest(_message.Message):
    __slots__ = ("session_id", "handle")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    HANDLE_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    handle: str
    def __init__(self, session_id: _Optional[str] = ..., handle: _Optional[str] = ...) -> None: ...

class FetchChunk(_message.Message):
    __slots__ = ("spec", "data")
    SPEC_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    spec: TensorSpec
    data: bytes
    def __init__(self, spec: _Optional[_Union[TensorSpec, _Mapping]] = ..., data: _Optional[bytes] = ...) -> None: ...

class ReleaseRequest(_message.Message):
    __slots__ = ("session_id", "handles")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    HANDLES_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    handles: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, session_id: _Optional[str] = ..., handles: _Optional[_Iterable[str]] = ...) -> None: ...

class ReleaseReply(_message.Message):
    __slots__ = ("released",)
    RELEASED_FIELD_NUMBER: _ClassVar[int]
    released: int
    def __init__(self, released: _Optional[int] = ...) -> None: ...
