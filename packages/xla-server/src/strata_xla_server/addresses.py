"""Host addresses in flags: HOST:PORT parts, and whether a host is loopback (the token rules and the coordinator's bind depend on it)."""
from __future__ import annotations

import ipaddress


def split_host_port(address: str) -> tuple[str, int] | None:
    """HOST:PORT (or [IPv6]:PORT) as its parts; None when it is not of that form."""
    host, sep, port = address.rpartition(":")
    if not sep or not host or not port.isdigit() or not 1 <= int(port) <= 65535:
        return None
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    return host, int(port)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
