"""--parent-pid: a server whose parent is killed outright stops instead of lingering."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time

from conftest import PACKAGE


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (exited, not yet reaped by init) counts as gone.
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


def test_stops_when_its_parent_is_gone(tmp_path):
    # The parent starts the server with its own pid, prints the server's pid once it serves,
    # and is then killed with SIGKILL: nothing of it runs to stop the server.
    parent = textwrap.dedent(f"""
        import os, subprocess, sys, time
        port_file = {str(tmp_path / "port")!r}
        server = subprocess.Popen(
            [sys.executable, "-m", "strata_xla_server", "--port", "0", "--port-file", port_file,
             "--parent-pid", str(os.getpid())],
            stdout=subprocess.DEVNULL, stderr=open({str(tmp_path / "server.log")!r}, "wb"))
        while not os.path.exists(port_file):
            if server.poll() is not None:
                sys.exit("the server exited with " + str(server.returncode))
            time.sleep(0.05)
        print(server.pid, flush=True)
        time.sleep(600)
    """)
    env = dict(os.environ, PYTHONPATH=str(PACKAGE / "src"), JAX_PLATFORMS="cpu")
    proc = subprocess.Popen([sys.executable, "-c", parent], stdout=subprocess.PIPE, text=True, env=env)
    try:
        line = proc.stdout.readline()
        assert line.strip().isdigit(), f"no server pid from the parent: {line!r}"
        server_pid = int(line)
        assert _alive(server_pid)
        proc.kill()
        proc.wait(timeout=10)
        deadline = time.monotonic() + 15
        while _alive(server_pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        log = (tmp_path / "server.log").read_text(errors="replace")
        assert not _alive(server_pid), f"the server outlived its parent:\n{log}"
        assert "is gone: stopping" in log
    finally:
        proc.kill()


def test_rejects_a_bad_parent_pid():
    env = dict(os.environ, PYTHONPATH=str(PACKAGE / "src"))
    result = subprocess.run([sys.executable, "-m", "strata_xla_server", "--parent-pid", "0"],
                            capture_output=True, text=True, timeout=60, env=env)
    assert result.returncode == 2
    assert "--parent-pid 0 is not a process id" in result.stderr
