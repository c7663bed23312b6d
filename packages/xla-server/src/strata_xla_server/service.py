"""The XlaService methods of proto/strata_xla.proto.

Each method takes a parsed request and the grpc.aio context. Blocking work (parsing and
compiling modules, device transfers, runs) goes to the RunGate's workers within the call's
deadline, so the event loop keeps serving other calls and the Attach streams. Errors are
raised as ServiceError; the wrapper in handlers.py turns them into statuses.
"""
from __future__ import annotations

import hashlib
import logging
import re
import time
import grpc
import numpy as np

from . import __version__
from .device_counts import check_num_devices
from .errors import ServiceError, exhausted, invalid, not_found
from .in_flight import EarlierRunFailed, run_after_earlier_runs
from .literals import parse_literals
from .pjrt import ModuleError, Runtime, parse_module, xla_status_name
from .program_checks import check_fits, check_same_specs, check_signature
from .programs import Program, ProgramCache
from .runs import RunGate
from .sessions import Session, Sessions
from .specs import SPLIT_DIM0, Spec, check_placement, spec_from_proto, wire_bytes
from .protocol import pb

log = logging.getLogger("strata_xla_server")

FETCH_CHUNK_BYTES = 1 << 20   # the protocol's promise: Fetch chunks carry at most 1 MiB
REPLY_FRAMING_BYTES = 64 << 10   # room in an Execute reply for everything but inlined data
HASH_RE = re.compile(r"^[0-9a-f]{64}$")


def _xla_error(error: Exception, what: str) -> ServiceError:
    """Maps an XLA runtime error to the status it names (out of memory stays RESOURCE_EXHAUSTED)."""
    name = xla_status_name(error)
    code = getattr(grpc.StatusCode, name, None) if name else None
    if code is None or code == grpc.StatusCode.OK:
        code = grpc.StatusCode.INTERNAL
    return ServiceError(code, f"{what}: {error}")


class XlaService:
    def __init__(self, runtime: Runtime, sessions: Sessions, programs: ProgramCache, gate: RunGate,
                 max_message_bytes: int = 64 << 20):
        self.runtime = runtime
        self.sessions = sessions
        self.programs = programs
        self.gate = gate
        self.max_message_bytes = max_message_bytes

    async def _blocking(self, context, what: str, fn, *args, on_late=None, ordered: bool = False):
        return await self.gate.run(context, context.peer(), what, fn, *args, on_late=on_late, ordered=ordered)

    @property
    def _processes(self) -> int:
        return self.runtime.process_count

    def _check_num_devices(self, n: int, sent: int) -> None:
        check_num_devices(n, sent, self.runtime.max_num_devices, self._processes, len(self.runtime.devices))

    # --- server -------------------------------------------------------------------------

    async def Health(self, request, context):
        # Not ok while runs past their deadline fill their cap: no new work can start then.
        runtime = self.runtime
        return pb.HealthReply(
            ok=self.gate.healthy(), platform=runtime.platform, device_count=len(runtime.devices),
            server_version=__version__, jax_version=runtime.jax_version,
            process_index=runtime.process_index, process_count=runtime.process_count,
            local_device_count=len(runtime.local_devices), mesh_id=runtime.mesh_id,
        )

    async def ListDevices(self, request, context):
        return pb.ListDevicesReply(devices=[pb.Device(**d) for d in self.runtime.device_infos()])

    # --- sessions -----------------------------------------------------------------------

    async def OpenSession(self, request, context):
        n = request.num_devices or 1
        self._check_num_devices(n, request.num_devices)
        if request.memory_quota_bytes < 0:
            raise invalid(f"memory_quota_bytes {request.memory_quota_bytes} is negative; send 0 for the server's default")
        session = self.sessions.open(request.memory_quota_bytes, n, request.client, context.peer())
        log.info("session %s opened: %d device(s), quota %s, client %r", session.id, n,
                 session.quota or "none", request.client[:200])
        return pb.OpenSessionReply(session_id=session.id, memory_quota_bytes=session.quota, num_devices=n)

    async def Attach(self, pings, context):
        session: Session | None = None
        try:
            async for ping in pings:
                if session is None:
                    session = self.sessions.attach(ping.session_id)
                elif ping.session_id and ping.session_id != session.id:
                    raise invalid(f"this Attach stream holds session {session.id}, not {ping.session_id!r}; open one stream per session")
                with session.lock:
                    pong = pb.AttachPong(buffers=len(session.buffers), bytes_in_use=session.bytes_in_use)
                yield pong
        finally:
            # The stream ended: the client closed it, went away, or was cancelled.
            if session is not None:
                freed = self.sessions.close(session.id)
                if freed is not None:
                    log.info("session %s closed (Attach ended): %d buffer(s) freed", session.id, freed)

    async def CloseSession(self, request, context):
        freed = self.sessions.close(request.session_id)
        if freed is None:
            self.sessions.get(request.session_id)  # raises NOT_FOUND naming it
        log.info("session %s closed: %d buffer(s) freed", request.session_id, freed)
        return pb.CloseSessionReply(buffers_freed=freed)

    # --- programs -----------------------------------------------------------------------

    async def Compile(self, request, context):
        session = self.sessions.get(request.session_id)
        digest = request.program_hash
        if not HASH_RE.match(digest):
            raise invalid(f"program_hash {digest[:80]!r} is not a lowercase sha256 hex digest of 64 characters")
        text = request.stablehlo_text
        if text:
            actual = hashlib.sha256(text.encode("utf-8")).hexdigest()
            if actual != digest:
                raise invalid(f"program_hash {digest} is not the sha256 of stablehlo_text ({actual}); hash the UTF-8 text exactly as sent")
        n = request.num_devices or session.num_devices
        self._check_num_devices(n, request.num_devices)
        in_specs = tuple(spec_from_proto(s, f"input {i}") for i, s in enumerate(request.inputs))
        out_specs = tuple(spec_from_proto(s, f"output {i}") for i, s in enumerate(request.outputs))
        for i, s in enumerate(in_specs):
            check_placement(s, n, f"input {i}")
        for i, s in enumerate(out_specs):
            check_placement(s, n, f"output {i}")
        key = (digest, n)
        if not text and self.programs.lookup(key) is None:
            raise not_found(f"program {digest} for {n} device(s) is not compiled on this server; send its stablehlo_text")

        def build() -> Program:
            start = time.perf_counter()
            try:
                signature = parse_module(text)
                check_signature(signature, in_specs, out_specs, n)
                compiled = self.runtime.compile(text, signature, n, list(in_specs), list(out_specs))
            except ModuleError as e:
                log.warning("compile %s devices=%d failed: %s", digest[:16], n, " ".join(str(e).split())[:300])
                raise invalid(f"program {digest[:12]}: {e}") from None
            return Program(digest, n, in_specs, out_specs, compiled, (time.perf_counter() - start) * 1e3,
                           self._processes)

        start = time.perf_counter()
        program, cached = await self._blocking(
            context, f"compiling program {digest[:12]}", self.programs.get_or_build, key, build)
        if cached and (program.in_specs != in_specs or program.out_specs != out_specs):
            check_same_specs(program, in_specs, out_specs)
        check_fits(session, program)
        session.keep_program(digest, program, program.compiled.memory.code)
        ms = 0.0 if cached else program.compile_ms
        log.info("compile %s devices=%d ms=%.1f cached=%s", digest[:16], n,
                 (time.perf_counter() - start) * 1e3 if cached else ms, str(cached).lower())
        return pb.CompileReply(program_hash=digest, cached=cached, compile_ms=ms)

    async def Execute(self, request, context):
        reply, session, added = await self._execute(request, context)
        # A reply that never reaches the client (it cancelled, or the send failed) leaves
        # handles nobody knows: free those outputs once the call ends that way.
        _release_if_undelivered(context, session, added)
        return reply

    async def ExecuteStream(self, requests, context):
        # One run at a time, in the order sent: a run's request may name the outputs of the
        # one before it.
        async for request in requests:
            reply, session, added = await self._execute(request, context)
            try:
                yield reply
            except BaseException:
                # The stream broke before this reply went out: its outputs are nobody's.
                session.release(added)
                raise

    async def _execute(self, request, context) -> tuple[pb.ExecuteReply, Session, list[str]]:
        """Runs one ExecuteRequest; returns the reply, the session and the handles it added."""
        session = self.sessions.get(request.session_id)
        program = self._program(session, request.program_hash)
        in_specs = program.in_specs
        literals = ()
        if request.literals:
            literals = parse_literals(request.literals, in_specs, len(request.inputs), program.hash[:12],
                                      self._processes, self.runtime.process_index)
        elif len(request.inputs) != len(in_specs):
            raise invalid(f"program {program.hash[:12]} takes {len(in_specs)} argument(s), received {len(request.inputs)} handle(s)")
        # Argument index of each handle: the arguments no literal fills, in order.
        filled = {literal.index for literal in literals}
        slots = [i for i in range(len(in_specs)) if i not in filled] if filled else range(len(in_specs))
        handle_of: dict[int, str] = {}
        arrays: list = [None] * len(in_specs)
        buffers = []
        for i, handle in zip(slots, request.inputs):
            buffer = session.get(handle, f"argument {i}")
            got, want = buffer.spec, in_specs[i]
            if got.dtype != want.dtype or got.shape != want.shape:
                raise invalid(f"argument {i} (handle {handle}): expected {want.text()}, received {got.text()}")
            buffers.append(buffer)
            arrays[i] = buffer.array
            handle_of[i] = handle
        donate = set(request.donate)
        stray = donate - set(request.inputs)
        if stray:
            raise invalid(f"donate names handle(s) {sorted(stray)} that are not inputs of this run; donate only inputs")
        if request.release:
            inputs = set(request.release) & set(request.inputs)
            if inputs:
                raise invalid(f"release names handle(s) {sorted(inputs)} that are inputs of this run; release them after it, or donate them")
            session.release(request.release)
        out_sizes = program.out_device_bytes
        out_bytes = sum(out_sizes)
        n_out = len(out_sizes)
        donated = list({b.handle: b for b in buffers if b.handle in donate}.values())
        credit = sum(b.device_bytes for b in donated)
        # Intermediates and literals live only during the run: reserved with the outputs,
        # returned after it.
        literal_bytes = sum(lit.spec.device_bytes(program.num_devices, self._processes) for lit in literals)
        temp = program.compiled.memory.temp + literal_bytes
        parts = [f"{program.compiled.memory.temp} bytes of intermediates"] if program.compiled.memory.temp else []
        parts += [f"{literal_bytes} bytes of literals"] if literal_bytes else []
        what = f"program {program.hash[:12]} (its outputs{''.join(' and ' + p for p in parts)})"
        session.reserve(out_bytes + temp, what, credit, buffers=n_out, credit_buffers=len(donated))
        # Outputs that come back inline, while they fit the reply under the message limit;
        # the others stay on the server only (inlined false), for a Fetch.
        # An asynchronous run replies before its outputs exist: none comes back inline.
        asynchronous = request.asynchronous
        inline = set()
        if request.inline_max_bytes > 0 and not asynchronous:
            inline_room = self.max_message_bytes - REPLY_FRAMING_BYTES
            for i, spec in enumerate(program.out_specs):
                if 0 < spec.nbytes <= request.inline_max_bytes and spec.placement != SPLIT_DIM0 and spec.nbytes <= inline_room:
                    inline.add(i)
                    inline_room -= spec.nbytes
        # The module consumes its aliased arguments; those the client did not donate it
        # still holds, so the program gets copies of them (a literal is nobody's: no copy).
        keep = frozenset(i for i in program.compiled.aliased if i in handle_of and handle_of[i] not in donate)
        hosts_in = {literal.index: literal.host for literal in literals}

        def consumed_inputs() -> list[str]:
            # Inputs XLA consumed itself (modules with aliasing) are gone, even after a failure.
            return [b.handle for b in buffers if self.runtime.is_deleted(b.array)]

        def late(result, error) -> None:
            # A run this call stopped waiting for has ended: its outputs are nobody's.
            session.unreserve(out_bytes + temp, buffers=n_out)
            session.release(consumed_inputs())

        start = time.perf_counter()
        try:
            # In a mesh every process must launch the same programs in the same order (their
            # collectives meet): runs go one at a time, in the order they arrived.
            args = (session, program, arrays, frozenset(inline), keep, hosts_in, asynchronous, self.runtime.execute)
            if asynchronous and self._processes == 1 and session.in_flight.has_room():
                # Nothing to wait for: queuing the run on the devices takes a fraction of a
                # millisecond, done here rather than through a worker thread's hand-off.
                try:
                    outputs, hosts, token = run_after_earlier_runs(*args)
                except Exception as e:
                    late(None, e)
                    raise
            else:
                outputs, hosts, token = await self._blocking(
                    context, f"running program {program.hash[:12]}", run_after_earlier_runs, *args,
                    on_late=late, ordered=self._processes > 1)
        except ServiceError:
            raise   # late() ran, or runs when the abandoned program ends
        except EarlierRunFailed as e:
            raise _xla_error(e, "an earlier asynchronous run of this session failed") from None
        except Exception as e:
            raise _xla_error(e, f"running program {program.hash[:12]} failed") from None
        ms = (time.perf_counter() - start) * 1e3
        if asynchronous:
            # Its intermediates are in use until it ends: returned to the quota then.
            session.in_flight.add(f"program {program.hash[:12]}", token, outputs, lambda: session.unreserve(temp))
        else:
            session.unreserve(temp)
        infos = []
        added: list[str] = []
        try:
            for i, (spec, array) in enumerate(zip(program.out_specs, outputs)):
                nbytes = out_sizes[i]
                buffer = session.add(spec, array, nbytes)
                added.append(buffer.handle)
                out_bytes -= nbytes
                info = pb.BufferInfo(handle=buffer.handle, spec=program.out_protos[i], nbytes=spec.nbytes)
                if i in hosts:
                    info.inlined = True
                    info.data = wire_bytes(hosts[i], spec)
                infos.append(info)
        finally:
            if len(added) < n_out:
                session.unreserve(out_bytes, buffers=n_out - len(added))
                session.release(added)
            session.release(consumed_inputs())
        session.release(donate)
        reply = pb.ExecuteReply(outputs=infos, execute_ms=ms)
        size = reply.ByteSize()
        if size > self.max_message_bytes:
            session.release(added)
            raise exhausted(
                f"the reply of program {program.hash[:12]} would be {size} bytes, over the server's "
                f"{self.max_message_bytes}-byte message limit (--max-message-bytes); its outputs were "
                f"released: return fewer outputs from the program"
            )
        return reply, session, added

    def _program(self, session: Session, digest: str) -> Program:
        with session.lock:
            program = session.programs.get(digest)
        if program is None:
            program = self.programs.lookup((digest, session.num_devices))
            if program is None:
                raise not_found(f"program {digest[:80]!r} is not compiled for {session.num_devices} device(s); call Compile first")
            session.keep_program(digest, program, program.compiled.memory.code)
        return program

    # --- buffers ------------------------------------------------------------------------

    async def Upload(self, chunks, context):
        session = spec = None
        reserved = 0
        data = bytearray()
        try:
            async for chunk in chunks:
                if session is None:
                    session = self.sessions.get(chunk.session_id)
                    if not chunk.HasField("spec"):
                        raise invalid("the first upload chunk carries no spec; send session_id and spec in the first chunk")
                    spec = spec_from_proto(chunk.spec, "upload spec")
                    check_placement(spec, session.num_devices, "upload spec")
                    # In a mesh this server receives its own part: a split tensor's rows.
                    expected = spec.local_nbytes(self._processes)
                    part = self._part(spec)
                    device_bytes = spec.device_bytes(session.num_devices, self._processes)
                    session.reserve(device_bytes, f"uploading {spec.text()}", buffers=1)
                    reserved = device_bytes
                if len(data) + len(chunk.data) > expected:
                    raise invalid(f"upload of {spec.text()}{part} sent more than its {expected} bytes (received "
                                  f"{len(data) + len(chunk.data)} so far); send exactly size x element bytes")
                data += chunk.data
            if session is None:
                raise invalid("the upload stream carried no chunk; the first chunk must carry session_id and spec")
            if len(data) != expected:
                raise invalid(f"upload of {spec.text()}{part} needs {expected} bytes, received {len(data)}")
            array = await self._blocking(
                context, f"uploading {spec.text()}", self._to_device, data, spec, session.num_devices)
            del data
            buffer = session.add(spec, array, reserved)
            reserved = 0
            return pb.BufferInfo(handle=buffer.handle, spec=spec.to_proto(), nbytes=spec.nbytes)
        finally:
            if reserved:
                session.unreserve(reserved, buffers=1)

    def _part(self, spec: Spec) -> str:
        """The part of a tensor this server holds, for messages ('' on a single server)."""
        if self._processes == 1:
            return ""
        return f" {spec.placement.upper()}: {spec.local_rows_text(self._processes, self.runtime.process_index)}"

    def _to_device(self, data: bytearray, spec: Spec, num_devices: int):
        shape = spec.local_shape(self._processes)
        if spec.dtype.name == "BOOL":
            host = np.frombuffer(data, np.uint8).reshape(shape) != 0  # any non-zero byte is true
        else:
            host = np.frombuffer(data, spec.dtype.numpy).reshape(shape)
        return self.runtime.put(host, spec.placement, num_devices, spec.shape)

    async def Fetch(self, request, context):
        session = self.sessions.get(request.session_id)
        buffer = session.get(request.handle, "fetch")
        host = await self._blocking(context, f"fetching {request.handle}", self.runtime.to_host, buffer.array)
        raw = wire_bytes(host, buffer.spec)
        yield pb.FetchChunk(spec=buffer.spec.to_proto(), data=raw[:FETCH_CHUNK_BYTES])
        for offset in range(FETCH_CHUNK_BYTES, len(raw), FETCH_CHUNK_BYTES):
            yield pb.FetchChunk(data=raw[offset:offset + FETCH_CHUNK_BYTES])

    async def Release(self, request, context):
        session = self.sessions.get(request.session_id)
        return pb.ReleaseReply(released=session.release(request.handles))


def _release_if_undelivered(context, session: Session, handles: list[str]) -> None:
    def done(_) -> None:
        if context.cancelled() or context.code() not in (None, grpc.StatusCode.OK):
            if session.release(handles):
                log.info("session %s: released %d output(s) of an Execute whose reply did not reach the client",
                         session.id, len(handles))
    context.add_done_callback(done)
