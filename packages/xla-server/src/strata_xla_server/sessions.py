"""Sessions: the buffers a client holds on the devices, their memory quota, and the
programs it compiled.

A session lives while its client's Attach stream is open (or until CloseSession). Buffers
are jax.Arrays; dropping the last reference frees the device memory (CPython frees it at
once), so releasing a handle never has to wait for a run that still uses the array.

Quota accounting counts bytes held on the devices: a REPLICATED buffer over N devices
counts N copies, a SPLIT_DIM0 buffer counts once. Each buffer also counts a fixed overhead
per device shard (the runtime's bookkeeping of a buffer costs memory whatever its size, so
many tiny buffers are not free), the number of buffers is capped, a run reserves the
intermediates XLA says its program needs, and the programs a session keeps count their
generated code and are capped in number. Uploads and runs reserve their bytes before they
start, so concurrent calls cannot overrun the quota together.
"""
from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from .errors import exhausted, not_found, precondition
from .in_flight import InFlight
from .specs import Spec

# What one device buffer costs beyond its bytes (PJRT buffer, jax.Array, handle), rounded up.
BUFFER_OVERHEAD_BYTES = 4096


@dataclass
class Buffer:
    handle: str
    spec: Spec
    array: Any               # jax.Array
    device_bytes: int


@dataclass
class Session:
    id: str
    num_devices: int
    quota: int               # bytes on the devices; 0 = no limit
    client: str
    owner: str = ""          # the connection that opened it (per-client limits)
    max_buffers: int = 0     # 0 = no limit
    max_programs: int = 0    # 0 = no limit
    processes: int = 1       # processes of the mesh; this server holds num_devices / processes devices
    created: float = field(default_factory=time.monotonic)
    buffers: dict[str, Buffer] = field(default_factory=dict)
    programs: dict[str, Any] = field(default_factory=dict)   # program_hash -> Program
    bytes_in_use: int = 0    # the buffers' own bytes (what AttachPong reports)
    program_bytes: int = 0   # generated code of the programs the session keeps
    reserved: int = 0        # quota bytes claimed by calls in flight, overhead included
    reserved_buffers: int = 0
    attached: bool = False
    closed: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)
    in_flight: InFlight = field(default_factory=InFlight)   # asynchronous runs not known to have ended

    @property
    def buffer_overhead(self) -> int:
        """Quota bytes one buffer costs beyond its data: the overhead of each device shard
        this server holds."""
        return BUFFER_OVERHEAD_BYTES * (self.num_devices // self.processes)

    def charged(self) -> int:
        """Quota bytes held now: buffers with their overhead, and kept programs."""
        return self.bytes_in_use + len(self.buffers) * self.buffer_overhead + self.program_bytes

    def reserve(self, nbytes: int, what: str, credit: int = 0, buffers: int = 0, credit_buffers: int = 0) -> None:
        """Claims nbytes of the quota, plus the overhead of `buffers` new buffers, for a call
        about to make them; `credit` bytes and `credit_buffers` buffers are what the call will
        free (donated inputs)."""
        with self.lock:
            self._check_open()
            count = len(self.buffers) + self.reserved_buffers + buffers - credit_buffers
            if buffers and self.max_buffers and count > self.max_buffers:
                raise exhausted(
                    f"{what} makes {buffers} buffer(s), but session {self.id} already holds "
                    f"{len(self.buffers)} (+{self.reserved_buffers} being made) of the {self.max_buffers} "
                    f"buffers a session may hold (--max-buffers-per-session); release buffers you no longer use"
                )
            charge = nbytes + buffers * self.buffer_overhead
            credit_all = credit + credit_buffers * self.buffer_overhead
            if self.quota and self.charged() + self.reserved + charge - credit_all > self.quota:
                overhead = len(self.buffers) * self.buffer_overhead
                raise exhausted(
                    f"{what} needs {nbytes} bytes on the devices"
                    f"{f' (+{buffers * self.buffer_overhead} of per-buffer overhead)' if buffers else ''}, "
                    f"but session {self.id} already holds {self.bytes_in_use} bytes in {len(self.buffers)} "
                    f"buffer(s) (+{overhead} of per-buffer overhead, +{self.program_bytes} of compiled "
                    f"programs, +{self.reserved} reserved by calls in flight"
                    f"{f', -{credit_all} donated' if credit_all else ''}) of its {self.quota}-byte quota; "
                    f"release buffers or open the session with a larger memory_quota_bytes"
                )
            self.reserved += charge
            self.reserved_buffers += buffers

    def unreserve(self, nbytes: int, buffers: int = 0) -> None:
        with self.lock:
            self.reserved -= nbytes + buffers * self.buffer_overhead
            self.reserved_buffers -= buffers

    def add(self, spec: Spec, array: Any, device_bytes: int) -> Buffer:
        """Stores a new buffer whose bytes (and overhead) were reserved before."""
        with self.lock:
            self._check_open()   # raises with the reservation still held: the caller returns it
            self.reserved -= device_bytes + self.buffer_overhead
            self.reserved_buffers -= 1
            buffer = Buffer("buf-" + secrets.token_hex(8), spec, array, device_bytes)
            self.buffers[buffer.handle] = buffer
            self.bytes_in_use += device_bytes
            return buffer

    def keep_program(self, digest: str, program: Any, code_bytes: int) -> None:
        """Keeps a compiled program for this session's runs (it outlives the shared cache),
        counting its generated code against the quota and the session's program cap."""
        with self.lock:
            self._check_open()
            if digest in self.programs:
                self.programs[digest] = program
                return
            if self.max_programs and len(self.programs) >= self.max_programs:
                raise exhausted(
                    f"session {self.id} already keeps {len(self.programs)} compiled programs, the most a "
                    f"session may keep (--max-programs-per-session {self.max_programs}); reuse programs "
                    f"(same module text, same hash), or open a new session for new ones"
                )
            if self.quota and self.charged() + self.reserved + code_bytes > self.quota:
                raise exhausted(
                    f"program {digest[:12]} has {code_bytes} bytes of generated code, but session "
                    f"{self.id} already holds {self.charged()} bytes (+{self.reserved} reserved) of its "
                    f"{self.quota}-byte quota; release buffers or open the session with a larger memory_quota_bytes"
                )
            self.programs[digest] = program
            self.program_bytes += code_bytes

    def get(self, handle: str, what: str) -> Buffer:
        with self.lock:
            self._check_open()
            buffer = self.buffers.get(handle)
        if buffer is None:
            raise not_found(
                f"{what}: buffer handle {handle!r} is not in session {self.id} (never uploaded, "
                f"released, or donated to an earlier run); upload it again"
            )
        return buffer

    def release(self, handles) -> int:
        with self.lock:
            released = 0
            for handle in handles:
                buffer = self.buffers.pop(handle, None)
                if buffer is not None:
                    self.bytes_in_use -= buffer.device_bytes
                    released += 1
            return released

    def clear(self) -> int:
        with self.lock:
            self.closed = True
            freed = len(self.buffers)
            self.buffers.clear()
            self.programs.clear()
            self.bytes_in_use = 0
            self.program_bytes = 0
            return freed

    def _check_open(self) -> None:
        if self.closed:
            raise not_found(f"session {self.id} was closed (its Attach stream ended); open a new session")


class Sessions:
    def __init__(self, max_sessions: int, default_quota: int, *, max_unattached_per_client: int = 0,
                 max_buffers: int = 0, max_programs: int = 0, processes: int = 1):
        self._sessions: dict[str, Session] = {}
        self._lock = threading.Lock()
        self.max_sessions = max_sessions
        self.default_quota = default_quota   # also the cap; 0 = no limit
        self.max_unattached_per_client = max_unattached_per_client   # 0 = no limit
        self.max_buffers = max_buffers
        self.max_programs = max_programs
        self.processes = processes

    def open(self, quota: int, num_devices: int, client: str, owner: str = "") -> Session:
        if self.default_quota:
            quota = min(quota or self.default_quota, self.default_quota)
        with self._lock:
            if self.max_unattached_per_client and owner:
                waiting = sum(1 for s in self._sessions.values() if s.owner == owner and not s.attached)
                if waiting >= self.max_unattached_per_client:
                    raise exhausted(
                        f"client {owner} already holds {waiting} sessions it has not attached (at most "
                        f"{self.max_unattached_per_client} per client); open the Attach stream of each "
                        f"session, or close the sessions you do not use"
                    )
            if len(self._sessions) >= self.max_sessions:
                raise exhausted(
                    f"the server already holds {len(self._sessions)} sessions (--max-sessions "
                    f"{self.max_sessions}); close sessions you no longer use"
                )
            session = Session("sess-" + secrets.token_hex(12), num_devices, quota, client, owner,
                              self.max_buffers, self.max_programs, self.processes)
            self._sessions[session.id] = session
            return session

    def get(self, session_id: str) -> Session:
        with self._lock:
            session = self._sessions.get(session_id)
        if session is None:
            if not session_id:
                raise not_found("the request names no session_id; call OpenSession first")
            raise not_found(f"unknown session {session_id!r} (closed, or opened on another server run); open a new session")
        return session

    def attach(self, session_id: str) -> Session:
        session = self.get(session_id)
        with session.lock:
            if session.attached:
                raise precondition(f"session {session_id} already has an Attach stream; hold one per session")
            session.attached = True
        return session

    def close(self, session_id: str) -> int | None:
        """Frees a session's buffers; None when it was not open."""
        with self._lock:
            session = self._sessions.pop(session_id, None)
        return None if session is None else session.clear()

    def unattached_since(self, seconds: float) -> list[str]:
        """Sessions opened more than `seconds` ago whose client never attached (it died
        between OpenSession and Attach, or does not follow the protocol)."""
        now = time.monotonic()
        with self._lock:
            return [s.id for s in self._sessions.values() if not s.attached and now - s.created > seconds]

    def close_all(self) -> None:
        with self._lock:
            sessions, self._sessions = list(self._sessions.values()), {}
        for s in sessions:
            s.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._sessions)
