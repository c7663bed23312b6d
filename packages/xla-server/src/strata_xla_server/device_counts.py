"""How many devices a session may compute on, on one server or a mesh of several."""
from __future__ import annotations

from .errors import invalid


def check_num_devices(n: int, sent: int, most: int, processes: int, devices: int) -> None:
    """A session computes on k devices of each process of the mesh (k of one on a single server).

    `sent` is the number the request gave (0 means all, resolved to `n`); `most` the devices a
    session may use; `devices` all the mesh's devices.
    """
    if processes == 1:
        if not 1 <= n <= most:
            raise invalid(f"num_devices {sent} is not between 1 and the {most} devices of this server (see ListDevices)")
        return
    if not (1 <= n <= most and n % processes == 0):
        raise invalid(
            f"num_devices {sent} does not fit this mesh of {processes} processes and {devices} "
            f"devices: use a multiple of {processes} (the same number of devices on each process) from {processes} to {most}"
        )
