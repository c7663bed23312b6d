"""Assembles and runs the gRPC server (grpc.aio) around XlaService."""
from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

import grpc

from .mesh import MeshConfig

log = logging.getLogger("strata_xla_server")


@dataclass
class ServerConfig:
    host: str = "127.0.0.1"
    port: int = 8470
    port_file: Path | None = None
    token: str | None = None
    tls_cert: bytes | None = None        # PEM
    tls_key: bytes | None = None         # PEM
    memory_quota_bytes: int | None = None   # default and cap per session; None = a share of the devices' memory; 0 = no limit
    max_message_bytes: int = 64 << 20
    workers: int = 4                     # threads for compiles, transfers and runs
    max_sessions: int = 64
    cache_size: int = 256                # compiled programs kept
    attach_timeout_s: float = 30.0       # close sessions not attached by then; 0 = never
    parent_pid: int | None = None        # stop once this process is no longer the parent
    default_deadline_s: float = 600.0    # deadline of calls that carry none (and the longest one)
    max_overdue_runs: int = 4            # runs past their deadline still running, in all
    max_overdue_runs_per_client: int = 1
    max_calls_per_client: int = 128      # calls in flight per connection (Health excluded)
    max_unattached_per_client: int = 16  # sessions a connection opened and has not attached
    max_buffers_per_session: int = 16384
    max_programs_per_session: int = 1024
    mesh: MeshConfig | None = None       # join a multi-process mesh (jax.distributed); None: a single server


# The default quota of a session: this share of all devices' memory (host RAM on CPU).
DEFAULT_QUOTA_SHARE = 0.5
# What a shutdown may take before the process exits anyway (runs that never end included).
SHUTDOWN_LIMIT_S = 4.0


def _address(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _write_port_file(path: Path, port: int) -> None:
    # Atomic: a reader polling for the file never sees it half written.
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".port-")
    with os.fdopen(fd, "w") as f:
        f.write(f"{port}\n")
    os.replace(tmp, path)


async def _close_unattached(sessions, timeout_s: float) -> None:
    while True:
        await asyncio.sleep(min(timeout_s / 2, 10.0))
        for session_id in sessions.unattached_since(timeout_s):
            freed = sessions.close(session_id)
            if freed is not None:
                log.info("session %s closed: no Attach stream within %g s; %d buffer(s) freed",
                         session_id, timeout_s, freed)


async def _watch_parent(parent_pid: int, stop: asyncio.Event) -> None:
    # A parent that ends without stopping its server (killed outright) leaves it to init or a
    # subreaper: the parent id changes, and the server stops instead of lingering.
    while os.getppid() == parent_pid:
        await asyncio.sleep(1.0)
    log.warning("the process that started this server (pid %d) is gone: stopping", parent_pid)
    stop.set()


async def serve(config: ServerConfig) -> None:
    # jax is imported here, after the command line was checked, so bad flags fail fast.
    from .auth import TokenInterceptor
    from .handlers import build_generic_handler
    from .limits import CallLimits
    from .pjrt import Runtime
    from .programs import ProgramCache
    from .runs import RunGate
    from .service import XlaService
    from .sessions import Sessions

    # Before the Runtime: jax.distributed must be initialized before the backend exists.
    mesh_id = ""
    if config.mesh is not None:
        from .mesh import join_mesh
        try:
            mesh_id = join_mesh(config.mesh)
        except Exception as e:   # no cluster detected, the coordinator unreachable, a timeout, ...
            how = ("the environment describes no cluster jax can detect (TPU pod, SLURM, ...): pass "
                   "--coordinator-address, --num-processes and --process-id instead"
                   if config.mesh.auto else
                   "check that every server has the same --coordinator-address and --num-processes, a "
                   "different --process-id, and that process 0's host is reachable on the coordinator port")
            raise SystemExit(f"strata-xla: cannot join the mesh: {e}; {how}") from None
    runtime = Runtime(mesh_id)
    quota = config.memory_quota_bytes
    if quota is None:
        quota = int(runtime.memory_bytes() * DEFAULT_QUOTA_SHARE)
    gate = RunGate(config.workers, config.max_overdue_runs, config.max_overdue_runs_per_client,
                   config.default_deadline_s)
    sessions = Sessions(config.max_sessions, quota,
                        max_unattached_per_client=config.max_unattached_per_client,
                        max_buffers=config.max_buffers_per_session, max_programs=config.max_programs_per_session,
                        processes=runtime.process_count)
    service = XlaService(runtime, sessions, ProgramCache(config.cache_size), gate, config.max_message_bytes)
    max_calls = config.max_sessions + 256   # each attached session holds one stream; room for its calls
    limits = CallLimits(config.max_calls_per_client, max_calls)

    server = grpc.aio.server(
        interceptors=[TokenInterceptor(config.token)] if config.token else [],
        options=[
            ("grpc.max_receive_message_length", config.max_message_bytes),
            ("grpc.max_send_message_length", config.max_message_bytes),
            ("grpc.so_reuseport", 0),  # a port in use is an error, not a silent second server
            # Ping idle connections so that a client that vanished without closing (host
            # down, network cut) ends its Attach stream within ~40 s and frees its session.
            ("grpc.keepalive_time_ms", 30_000),
            ("grpc.keepalive_timeout_ms", 10_000),
            # Accept clients' own keepalive pings instead of closing with too_many_pings.
            ("grpc.keepalive_permit_without_calls", 1),
            ("grpc.http2.min_recv_ping_interval_without_data_ms", 5_000),
        ],
        # CallLimits refuses calls per client well below this; grpc's own cap, which would
        # refuse Health too, is only a backstop.
        maximum_concurrent_rpcs=4 * max_calls,
    )
    server.add_generic_rpc_handlers((build_generic_handler(service, limits),))
    address = _address(config.host, config.port)
    try:
        if config.tls_cert:
            creds = grpc.ssl_server_credentials([(config.tls_key, config.tls_cert)])
            port = server.add_secure_port(address, creds)
        else:
            port = server.add_insecure_port(address)
    except RuntimeError as e:
        raise SystemExit(f"strata-xla: cannot listen on {address}: {e}; is the port in use? try --port 0")
    if not port:
        raise SystemExit(f"strata-xla: cannot listen on {address}; is the port in use? try --port 0")
    await server.start()
    if config.port_file:
        _write_port_file(config.port_file, port)
    log.info("listening on %s (%s, %d %s device(s), jax %s, tls %s, token %s, session quota %s)",
             _address(config.host, port), runtime.platform, len(runtime.devices),
             runtime.devices[0].device_kind, runtime.jax_version,
             "on" if config.tls_cert else "off", "required" if config.token else "off",
             f"{quota} bytes" if quota else "none")
    if runtime.process_count > 1:
        log.info("mesh %s: process %d of %d, %d local device(s) of %d", runtime.mesh_id, runtime.process_index,
                 runtime.process_count, len(runtime.local_devices), len(runtime.devices))

    reaper = asyncio.create_task(_close_unattached(sessions, config.attach_timeout_s)) if config.attach_timeout_s else None
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
        except NotImplementedError:  # Windows: Ctrl-C still ends asyncio.run
            pass
    watcher = asyncio.create_task(_watch_parent(config.parent_pid, stop)) if config.parent_pid else None
    waiter = asyncio.create_task(server.wait_for_termination())
    stopper = asyncio.create_task(stop.wait())
    await asyncio.wait({waiter, stopper}, return_when=asyncio.FIRST_COMPLETED)
    log.info("stopping")
    _exit_after(SHUTDOWN_LIMIT_S)
    try:
        await asyncio.wait_for(server.stop(grace=1.0), SHUTDOWN_LIMIT_S - 1.0)
    except asyncio.TimeoutError:
        log.warning("calls did not end within the shutdown's grace: stopping without them")
    stopper.cancel()
    for task in (reaper, watcher):
        if task:
            task.cancel()
    sessions.close_all()
    if gate.overdue:
        log.warning("%d run(s) past their deadline are still running: the process exits without them", gate.overdue)
    gate.shutdown()


def _exit_after(seconds: float) -> None:
    """Ends the process if the shutdown takes longer than `seconds` (a blocked event loop)."""
    def hard_exit() -> None:
        log.error("the shutdown took more than %g s: exiting now", seconds)
        logging.shutdown()
        sys.stderr.flush()
        os._exit(1)
    timer = threading.Timer(seconds, hard_exit)
    timer.daemon = True
    timer.start()
