"""Compiles and runs StableHLO text modules with jax's own PJRT client (XLA:CPU).

The lowering tests of @strata/xla use it to check emitted modules against tfjs's
CPU results before (and besides) the XLA server. One JSON request per stdin line:
  {"text": "...", "inputs": [{"dtype": "float32", "shape": [2], "b64": "<little-endian bytes>"}]}
one JSON reply per line: {"outputs": [{"dtype": ..., "shape": ..., "b64": ...}]} or {"error": "..."}.
Bools travel as one byte per element.
"""
import base64
import json
import sys

import numpy as np
import jax
from jax._src import xla_bridge
from jax._src.lib import xla_client

DTYPES = {"float32": np.float32, "int32": np.int32, "bool": np.uint8}


def run(request):
    backend = xla_bridge.get_backend("cpu")
    devices = backend.local_devices()[:1]
    exe = backend.compile_and_load(request["text"], xla_client.DeviceList(tuple(devices)), xla_client.CompileOptions())
    args = []
    for spec in request["inputs"]:
        value = np.frombuffer(base64.b64decode(spec["b64"]), dtype=DTYPES[spec["dtype"]]).reshape(spec["shape"])
        if spec["dtype"] == "bool":
            value = value.astype(np.bool_)
        args.append(jax.device_put(value, devices[0]))
    results = exe.execute_sharded(args).disassemble_into_single_device_arrays()
    outputs = []
    for arrays in results:
        a = np.asarray(arrays[0])
        kind = "bool" if a.dtype == np.bool_ else "int32" if a.dtype.kind in "iu" else "float32"
        raw = a.astype({"bool": np.uint8, "int32": np.int32, "float32": np.float32}[kind]).tobytes()
        outputs.append({"dtype": kind, "shape": list(a.shape), "b64": base64.b64encode(raw).decode()})
    return {"outputs": outputs}


def main():
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            reply = run(json.loads(line))
        except Exception as error:  # reported to the test, which fails with it
            reply = {"error": f"{type(error).__name__}: {error}"}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
