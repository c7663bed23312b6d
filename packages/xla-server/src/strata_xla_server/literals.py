"""Arguments an ExecuteRequest carries by value (its `literals`), checked against the program.

A literal fills one argument of @main with a small host value (a learning rate, a bias
correction, a small batch) so that a training step needs no Upload call for it. It becomes a
device buffer for the one run and is gone afterwards: nobody holds it, so the program may
consume it.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .errors import invalid
from .specs import Spec, spec_from_proto

MAX_LITERAL_BYTES = 1 << 20   # the protocol's promise; larger values go through Upload


@dataclass(frozen=True)
class Literal:
    index: int
    spec: Spec
    host: np.ndarray


def parse_literals(literals, in_specs: tuple[Spec, ...], num_handles: int, program: str,
                   processes: int = 1, process_index: int = 0) -> tuple[Literal, ...]:
    """The request's literals as host arrays, each matching the argument it fills; the
    handles and literals together must fill every argument exactly once. In a mesh of
    `processes`, a SPLIT_DIM0 literal carries this process's rows only."""
    if len(literals) + num_handles != len(in_specs):
        raise invalid(
            f"program {program} takes {len(in_specs)} argument(s), received {num_handles} handle(s) and "
            f"{len(literals)} literal(s); send one handle or one literal per argument"
        )
    parsed = []
    seen: set[int] = set()
    for n, literal in enumerate(literals):
        index = literal.index
        what = f"literal {n} (argument {index})"
        if not 0 <= index < len(in_specs):
            raise invalid(f"literal {n}: index {index} is not an argument of program {program}, which takes "
                          f"{len(in_specs)}; number arguments from 0")
        if index in seen:
            raise invalid(f"{what}: argument {index} is filled by two literals; send one value per argument")
        seen.add(index)
        if not literal.HasField("spec"):
            raise invalid(f"{what} carries no spec; send its dtype and shape")
        spec = spec_from_proto(literal.spec, what)
        want = in_specs[index]
        if spec.dtype != want.dtype or spec.shape != want.shape:
            raise invalid(f"{what}: the program expects {want.text()}, the literal is {spec.text()}")
        if spec.placement != want.placement:
            raise invalid(f"{what}: the program was compiled with it {want.placement.upper()}, the literal says "
                          f"{spec.placement.upper()}; send the placement it was compiled with")
        nbytes = spec.local_nbytes(processes)
        if nbytes > MAX_LITERAL_BYTES:
            raise invalid(f"{what}: {spec.text()} is {nbytes} bytes, over the {MAX_LITERAL_BYTES} bytes a "
                          f"literal may have; upload it as a buffer and pass its handle")
        if len(literal.data) != nbytes:
            part = "" if processes == 1 else f" ({spec.local_rows_text(processes, process_index)})"
            raise invalid(f"{what}: {spec.text()}{part} needs {nbytes} bytes of data, received {len(literal.data)}")
        shape = spec.local_shape(processes)
        if spec.dtype.name == "BOOL":
            host = np.frombuffer(literal.data, np.uint8).reshape(shape) != 0   # any non-zero byte is true
        else:
            # A copy: the device buffer must not share memory with the request's bytes.
            host = np.frombuffer(literal.data, spec.dtype.numpy).reshape(shape).copy()
        parsed.append(Literal(index, spec, host))
    return tuple(parsed)
