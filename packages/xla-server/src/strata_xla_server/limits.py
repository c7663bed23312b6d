"""Per-client limits on calls in flight, so one client cannot lock the others out.

A client is one connection, named by its peer address (`ipv4:127.0.0.1:50312`): every
channel of a process is a connection of its own, and loopback clients share one IP address,
so the peer with its port is what tells them apart. Each call but Health counts while it is
in flight (an idle Upload stream or an Attach stream included); a client at its limit gets
RESOURCE_EXHAUSTED for its next call while other clients and Health keep working. The total
over all clients is capped too, below grpc's own concurrent-call cap, which would refuse
Health as well.
"""
from __future__ import annotations

import threading
from collections import Counter

from .errors import exhausted

EXEMPT_METHODS = frozenset({"Health"})


class CallLimits:
    def __init__(self, per_client: int, total: int):
        self.per_client = per_client
        self.total = total
        self._in_flight: Counter[str] = Counter()
        self._count = 0
        self._lock = threading.Lock()

    def enter(self, client: str, method: str) -> bool:
        """Counts a call that starts; False for exempt methods (nothing to leave)."""
        if method in EXEMPT_METHODS:
            return False
        with self._lock:
            held = self._in_flight[client]
            if held >= self.per_client:
                raise exhausted(
                    f"client {client} already has {held} calls in flight (the server allows "
                    f"{self.per_client} per client, --max-calls-per-client); finish or cancel "
                    f"idle streams before starting more"
                )
            if self._count >= self.total:
                raise exhausted(
                    f"the server already has {self._count} calls in flight from all clients "
                    f"(--max-calls {self.total}); retry {method} shortly"
                )
            self._in_flight[client] = held + 1
            self._count += 1
        return True

    def leave(self, client: str) -> None:
        with self._lock:
            self._count -= 1
            self._in_flight[client] -= 1
            if self._in_flight[client] <= 0:
                del self._in_flight[client]

    def in_flight(self, client: str) -> int:
        with self._lock:
            return self._in_flight.get(client, 0)
