"""Joining a multi-process device mesh (jax.distributed) before the backend exists.

Several servers started with the same coordinator address act as one device mesh: each is
one process of jax's multi-process runtime, sees the devices of every process, and compiles
every program over the global mesh; XLA runs the collectives between the processes (gloo on
CPU, NCCL on GPU, ICI on TPU). `jax.distributed.initialize` must run before anything creates
the backend (pjrt.Runtime does), so the server calls `join_mesh` first.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

from .addresses import is_loopback, split_host_port

log = logging.getLogger("strata_xla_server")

# Longer than the client's 10 s silence check, so that a hung member is the one the client names.
DEFAULT_HEARTBEAT_TIMEOUT_S = 20


@dataclass(frozen=True)
class MeshConfig:
    """How this server joins a mesh: an explicit coordinator, or the cluster's own detection."""
    coordinator_address: str | None = None   # HOST:PORT of process 0's coordinator service
    num_processes: int | None = None
    process_id: int | None = None
    auto: bool = False                       # jax.distributed.initialize() with no arguments
    heartbeat_timeout_s: int = DEFAULT_HEARTBEAT_TIMEOUT_S


def join_mesh(config: MeshConfig) -> str:
    """Initializes jax's multi-process runtime; returns the mesh id that every member reports.

    Blocks until every process has joined (or jax's initialization timeout passes). A process
    whose peer stops sending heartbeats for `heartbeat_timeout_s` is ended by jax's runtime,
    so no member waits forever in a collective whose peer is gone.
    """
    import jax

    # The CPU backend's collectives between processes; the other platforms bring their own.
    jax.config.update("jax_cpu_collectives_implementation", "gloo")
    timeouts = dict(heartbeat_timeout_seconds=config.heartbeat_timeout_s)
    if config.auto:
        log.info("joining the mesh the cluster describes (jax.distributed cluster detection)")
        jax.distributed.initialize(**timeouts)
        from .pjrt import distributed_coordinator_address
        coordinator = distributed_coordinator_address() or "auto"
    else:
        coordinator = config.coordinator_address
        host, port = split_host_port(coordinator)
        # A coordinator on loopback listens there only; otherwise on every interface, as jax does.
        bind = {"coordinator_bind_address": coordinator} if is_loopback(host) else {}
        log.info("joining the mesh of coordinator %s as process %d of %d", coordinator,
                 config.process_id, config.num_processes)
        jax.distributed.initialize(
            coordinator_address=coordinator, num_processes=config.num_processes,
            process_id=config.process_id, **bind, **timeouts,
        )
    return f"{coordinator}/{jax.process_count()}"
