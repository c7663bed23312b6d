"""Sessions: the buffers a client holds on the devices, their memory quota, and the
programs it compiled.

A session lives while its client's Attach stream is open (or until CloseSession). Buffers
are jax.Arrays; dropping the last reference frees the device memory (CPython frees it at
once), so releasing a handle never has to wait for a run that still uses the array.

Quota accounting counts bytes held on the devices: a REPLICATED buffer over N devices
counts N copies, a SPLIT_DIM0 buffer counts once. Uploads and runs reserve their bytes
before they start, so concurrent calls cannot overrun the quota together.
"""
from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from .errors import exhausted, not_found, precondition
from .specs import Spec


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
    created: float = field(default_factory=time.monotonic)
    buffers: dict[str, Buffer] = field(default_factory=dict)
    programs: dict[str, Any] = field(default_factory=dict)   # program_hash -> Program
    bytes_in_use: int = 0
    reserved: int = 0
    attached: bool = False
    closed: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)

    def reserve(self, nbytes: int, what: str, credit: int = 0) -> None:
        """Claims nbytes of the quota for a call about to make buffers; `credit` is what
        the call will free (donated inputs)."""
        with self.lock:
            self._check_open()
            if self.quota and self.bytes_in_use + self.reserved + nbytes - credit > self.quota:
                raise exhausted(
                    f"{what} needs {nbytes} bytes on the devices, but session {self.id} already "
                    f"holds {self.bytes_in_use} bytes (+{self.reserved} reserved by calls in flight"
                    f"{f', -{credit} donated' if credit else ''}) of its {self.quota}-byte quota; "
                    f"release buffers or open the session with a larger memory_quota_bytes"
                )
            self.reserved += nbytes

    def unreserve(self, nbytes: int) -> None:
        with self.lock:
            self.reserved -= nbytes

    def add(self, spec: Spec, array: Any, device_bytes: int) -> Buffer:
        """Stores a new buffer whose bytes were reserved before."""
        with self.lock:
            self._check_open()   # raises with the reservation still held: the caller returns it
            self.reserved -= device_bytes
            buffer = Buffer("buf-" + secrets.token_hex(8), spec, array, device_bytes)
            self.buffers[buffer.handle] = buffer
            self.bytes_in_use += device_bytes
            return buffer

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
            return freed

    def _check_open(self) -> None:
        if self.closed:
            raise not_found(f"session {self.id} was closed (its Attach stream ended); open a new session")


class Sessions:
    def __init__(self, max_sessions: int, default_quota: int):
        self._sessions: dict[str, Session] = {}
        self._lock = threading.Lock()
        self.max_sessions = max_sessions
        self.default_quota = default_quota   # also the cap; 0 = no limit

    def open(self, quota: int, num_devices: int, client: str) -> Session:
        if self.default_quota:
            quota = min(quota or self.default_quota, self.default_quota)
        with self._lock:
            if len(self._sessions) >= self.max_sessions:
                raise exhausted(
                    f"the server already holds {len(self._sessions)} sessions (--max-sessions "
                    f"{self.max_sessions}); close sessions you no longer use"
                )
            session = Session("sess-" + secrets.token_hex(12), num_devices, quota, client)
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
