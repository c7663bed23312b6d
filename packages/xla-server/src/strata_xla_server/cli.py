"""Command line of `python -m strata_xla_server`: flags, safety checks, start."""
from __future__ import annotations

import argparse
import asyncio
import faulthandler
import logging
import os
import sys
from pathlib import Path
from typing import NoReturn

from .addresses import is_loopback, split_host_port
from .mesh import DEFAULT_HEARTBEAT_TIMEOUT_S, MeshConfig
from .server import ServerConfig


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m strata_xla_server",
        description="Strata's XLA server: compiles StableHLO with PJRT and runs it on device-resident buffers over gRPC.",
    )
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1; any other needs a token)")
    p.add_argument("--port", type=int, default=8470, help="port (default 8470; 0 picks a free one, see --port-file)")
    p.add_argument("--port-file", type=Path, help="write the port here once the server is serving")
    auth = p.add_mutually_exclusive_group()
    auth.add_argument("--token", help="require `authorization: Bearer TOKEN` on every call (visible in ps: prefer --token-file)")
    auth.add_argument("--token-file", type=Path, help="read the token from this file")
    p.add_argument("--tls-cert", type=Path, help="server certificate chain (PEM); enables TLS with --tls-key")
    p.add_argument("--tls-key", type=Path, help="server private key (PEM)")
    p.add_argument("--memory-quota-bytes", type=int, default=None,
                   help="default and largest quota of a session, in bytes on the devices (default: half the "
                        "devices' memory, host RAM on CPU; 0: no limit)")
    p.add_argument("--max-message-bytes", type=int, default=64 << 20,
                   help="largest gRPC message received or sent (default 64 MiB)")
    p.add_argument("--workers", type=int, default=4, help="threads for compiles, transfers and runs (default 4)")
    p.add_argument("--max-sessions", type=int, default=64, help="sessions open at once (default 64)")
    p.add_argument("--cache-size", type=int, default=256, help="compiled programs kept (default 256)")
    p.add_argument("--attach-timeout-s", type=float, default=30.0,
                   help="close a session whose client has not opened its Attach stream by then (default 30; 0: never)")
    p.add_argument("--default-deadline-s", type=float, default=600.0,
                   help="deadline of calls that carry none, and the longest a call may wait for its work (default 600)")
    p.add_argument("--max-overdue-runs", type=int, default=None,
                   help="runs past their deadline that may still be running before new work is refused "
                        "(default: --workers)")
    p.add_argument("--max-overdue-runs-per-client", type=int, default=1,
                   help="the same, per client connection (default 1)")
    p.add_argument("--max-calls-per-client", type=int, default=128,
                   help="calls in flight per client connection, streams included, Health excluded (default 128)")
    p.add_argument("--max-unattached-per-client", type=int, default=16,
                   help="sessions a client connection has opened and not attached (default 16)")
    p.add_argument("--max-buffers-per-session", type=int, default=16384,
                   help="buffers a session may hold (default 16384)")
    p.add_argument("--max-programs-per-session", type=int, default=1024,
                   help="compiled programs a session may keep (default 1024)")
    mesh = p.add_argument_group(
        "several servers as one device mesh (jax.distributed)",
        "Start one server per host (or process) with the same coordinator address and number of "
        "processes, each with its own process id; process 0 runs the coordinator.")
    mesh.add_argument("--coordinator-address", metavar="HOST:PORT",
                      help="address of the coordinator service, which process 0 runs (a free port on its host)")
    mesh.add_argument("--num-processes", type=int, metavar="P", help="servers in the mesh")
    mesh.add_argument("--process-id", type=int, metavar="I", help="this server's process, 0..P-1")
    mesh.add_argument("--distributed-auto", action="store_true",
                      help="join the mesh the environment describes (a TPU pod slice, SLURM, ...) instead of the three flags above")
    mesh.add_argument("--heartbeat-timeout-s", type=int, default=None, metavar="S",
                      help=f"a member whose peer stopped answering for S seconds stops, rather than wait "
                           f"forever in a collective (default {DEFAULT_HEARTBEAT_TIMEOUT_S})")
    p.add_argument("--log-level", default="INFO", help="DEBUG, INFO, WARNING (default INFO)")
    p.add_argument("--parent-pid", type=int,
                   help="stop when this process (the one that started the server) is gone")
    return p


def _mesh_from_args(parser: argparse.ArgumentParser, args) -> MeshConfig | None:
    """The mesh flags as a MeshConfig (None: a single server); exits naming the fix when they are wrong."""
    explicit = {"--coordinator-address": args.coordinator_address, "--num-processes": args.num_processes,
                "--process-id": args.process_id}
    given = [name for name, value in explicit.items() if value is not None]
    if args.distributed_auto and given:
        parser.error(f"--distributed-auto takes the mesh from the environment; leave out {', '.join(given)}, "
                     f"or leave out --distributed-auto and pass all three")
    if given and len(given) < 3:
        missing = [name for name in explicit if name not in given]
        parser.error(f"{', '.join(given)} without {', '.join(missing)}: a mesh needs --coordinator-address, "
                     f"--num-processes and --process-id together (or --distributed-auto on a TPU pod or cluster)")
    heartbeat = args.heartbeat_timeout_s
    if heartbeat is not None and not (given or args.distributed_auto):
        parser.error(f"--heartbeat-timeout-s {heartbeat} applies to a mesh only; add --coordinator-address, "
                     f"--num-processes and --process-id (or --distributed-auto), or leave it out")
    if heartbeat is None:
        heartbeat = DEFAULT_HEARTBEAT_TIMEOUT_S
    if heartbeat < 1:
        parser.error(f"--heartbeat-timeout-s {heartbeat} must be at least 1 second")
    if args.distributed_auto:
        return MeshConfig(auto=True, heartbeat_timeout_s=heartbeat)
    if not given:
        return None
    if split_host_port(args.coordinator_address) is None:
        parser.error(f"--coordinator-address {args.coordinator_address!r} is not HOST:PORT (port 1..65535); "
                     f"pass process 0's host and a free port on it, e.g. 10.0.0.1:8476")
    if args.num_processes < 1:
        parser.error(f"--num-processes {args.num_processes} must be at least 1")
    if not 0 <= args.process_id < args.num_processes:
        parser.error(f"--process-id {args.process_id} is out of range for --num-processes {args.num_processes}; "
                     f"number the servers 0..{args.num_processes - 1}")
    return MeshConfig(args.coordinator_address, args.num_processes, args.process_id, heartbeat_timeout_s=heartbeat)


def config_from_args(argv: list[str]) -> ServerConfig:
    """Parses and checks the flags; exits with a message naming the fix when they are unsafe or wrong."""
    parser = _parser()
    args = parser.parse_args(argv)
    token = args.token
    if args.token_file:
        try:
            token = args.token_file.read_text().strip()
        except OSError as e:
            parser.error(f"--token-file {args.token_file}: {e.strerror}")
        if not token:
            parser.error(f"--token-file {args.token_file} is empty; put the token in it")
    if token is not None and not token:
        parser.error("--token is empty; pass a token or leave the flag out")
    # Beyond loopback the token is the only gate: it must not be guessable.
    if token and len(token) < 16 and not is_loopback(args.host):
        parser.error(f"the token has {len(token)} characters; use at least 16 on {args.host} (e.g. `openssl rand -hex 32`)")
    if not is_loopback(args.host) and not token:
        parser.error(
            f"refusing to listen on {args.host} without a token: anyone who can reach it could run "
            f"programs on the devices and read their buffers. Pass --token-file PATH (and TLS with "
            f"--tls-cert/--tls-key), or bind --host 127.0.0.1 and reach it through an SSH tunnel"
        )
    if bool(args.tls_cert) != bool(args.tls_key):
        parser.error("--tls-cert and --tls-key go together; pass both PEM files")
    cert = key = None
    if args.tls_cert:
        try:
            cert, key = args.tls_cert.read_bytes(), args.tls_key.read_bytes()
        except OSError as e:
            parser.error(f"cannot read TLS file {e.filename}: {e.strerror}")
    if not 0 <= args.port <= 65535:
        parser.error(f"--port {args.port} is not a port number (0..65535)")
    if args.parent_pid is not None and args.parent_pid <= 0:
        parser.error(f"--parent-pid {args.parent_pid} is not a process id")
    if args.attach_timeout_s < 0:
        parser.error(f"--attach-timeout-s {args.attach_timeout_s} is negative; 0 turns the timeout off")
    if not args.default_deadline_s > 0:
        parser.error(f"--default-deadline-s {args.default_deadline_s} must be a positive number of seconds")
    if args.max_overdue_runs is None:
        args.max_overdue_runs = args.workers
    for name in ("memory_quota_bytes", "max_message_bytes", "workers", "max_sessions", "cache_size",
                 "max_overdue_runs", "max_overdue_runs_per_client", "max_calls_per_client",
                 "max_unattached_per_client", "max_buffers_per_session", "max_programs_per_session"):
        value = getattr(args, name)
        if value is not None and value < (0 if name == "memory_quota_bytes" else 1):
            parser.error(f"--{name.replace('_', '-')} {value} is out of range")
    mesh = _mesh_from_args(parser, args)
    # Our lines at --log-level; other libraries' (jax probing for a TPU, ...) at WARNING.
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING,
                        format="%(asctime)s strata-xla %(levelname)s %(message)s")
    try:
        logging.getLogger("strata_xla_server").setLevel(args.log_level.upper())
    except ValueError:
        parser.error(f"--log-level {args.log_level} is not one of DEBUG, INFO, WARNING, ERROR")
    if token and not cert and not is_loopback(args.host):
        logging.getLogger("strata_xla_server").warning(
            "the token travels in clear text without TLS; pass --tls-cert/--tls-key on untrusted networks")
    return ServerConfig(
        host=args.host, port=args.port, port_file=args.port_file, token=token,
        tls_cert=cert, tls_key=key, memory_quota_bytes=args.memory_quota_bytes,
        max_message_bytes=args.max_message_bytes, workers=args.workers,
        max_sessions=args.max_sessions, cache_size=args.cache_size, attach_timeout_s=args.attach_timeout_s,
        parent_pid=args.parent_pid, default_deadline_s=args.default_deadline_s,
        max_overdue_runs=args.max_overdue_runs, max_overdue_runs_per_client=args.max_overdue_runs_per_client,
        max_calls_per_client=args.max_calls_per_client, max_unattached_per_client=args.max_unattached_per_client,
        max_buffers_per_session=args.max_buffers_per_session, max_programs_per_session=args.max_programs_per_session,
        mesh=mesh,
    )


def main(argv: list[str] | None = None) -> NoReturn:
    # A crash in native code (XLA, grpc) leaves the Python stacks of every thread in the log.
    faulthandler.enable(file=sys.stderr, all_threads=True)
    config = config_from_args(sys.argv[1:] if argv is None else argv)
    from .server import serve
    try:
        asyncio.run(serve(config))
    except KeyboardInterrupt:
        pass
    # Exit without joining the worker threads: a run that never ends would hold the
    # interpreter's exit forever (PJRT cannot cancel it).
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)
