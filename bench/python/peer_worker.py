"""The bench's Python peers: one model spec (the same JSON the tfjs strategies build from)
trained in PyTorch eager, in PyTorch Lightning, or as one jax.jit step. The bench starts one
process per row with this script; it speaks the line protocol of bench/src/worker/protocol.ts
(peer_protocol.py), builds the model from the configuration's spec (models.py), and times each
step until the loss is on the host (float(loss)), as in the tfjs rows.
"""
from __future__ import annotations

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from peer_protocol import read_config, send  # noqa: E402


def main() -> None:
    started = time.perf_counter()
    config = read_config()
    target = config["target"]
    known = ("pytorch", "lightning", "jax")
    if target not in known:
        send({"type": "error", "message": f"unknown peer {target!r}; known: {', '.join(known)}"})
        sys.exit(2)
    try:
        # The framework modules import torch or jax when run: a missing one is the row's 'unavailable'.
        if target == "jax":
            from jax_peer import run_jax as run
        else:
            from torch_peers import run_lightning, run_pytorch

            run = run_pytorch if target == "pytorch" else run_lightning
        run(config, started)
    except ImportError as e:
        send({"type": "unavailable", "reason": f"{target}: {e}", "remedy": "let the bench set up its Python environment (delete .venv-bench to rebuild it)"})
    except Exception as e:  # noqa: BLE001 - reported as the row's error
        send({"type": "error", "message": f"{type(e).__name__}: {e}"})
        raise


if __name__ == "__main__":
    main()
