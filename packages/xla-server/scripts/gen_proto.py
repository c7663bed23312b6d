#!/usr/bin/env python3
"""Regenerates the Python gRPC stubs from proto/strata_xla.proto.

The .proto is the single source of the protocol. The generated files are committed (under
src/strata_xla_server/protocol/) so that the server needs no code generator at run time and
installs as a plain package; tests/test_protocol.py fails when they drift from the .proto.

    .venv/bin/python packages/xla-server/scripts/gen_proto.py            # rewrite the stubs
    .venv/bin/python packages/xla-server/scripts/gen_proto.py --out DIR  # write elsewhere
"""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

PACKAGE_ROOT = Path(__file__).resolve().parent.parent
PROTO = PACKAGE_ROOT / "proto" / "strata_xla.proto"
DEFAULT_OUT = PACKAGE_ROOT / "src" / "strata_xla_server" / "protocol"
GENERATED = ("strata_xla_pb2.py", "strata_xla_pb2.pyi", "strata_xla_pb2_grpc.py")


def generate(out: Path) -> list[Path]:
    from grpc_tools import protoc  # grpcio-tools: only needed to regenerate

    out.mkdir(parents=True, exist_ok=True)
    rc = protoc.main([
        "grpc_tools.protoc",
        f"-I{PROTO.parent}",
        f"--python_out={out}",
        f"--pyi_out={out}",
        f"--grpc_python_out={out}",
        str(PROTO),
    ])
    if rc != 0:
        raise SystemExit(f"protoc failed with exit code {rc} on {PROTO}")
    # protoc writes `import strata_xla_pb2`, which only works with the folder on sys.path;
    # a relative import lets the stubs live inside our package.
    grpc_file = out / "strata_xla_pb2_grpc.py"
    text = grpc_file.read_text()
    text = re.sub(r"^import strata_xla_pb2 as", "from . import strata_xla_pb2 as", text, flags=re.M)
    grpc_file.write_text(text)
    return [out / name for name in GENERATED]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    for path in generate(args.out):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
