"""Checks of a Compile request against its program: the module's signature, the specs of an
already compiled program, and whether one run fits the session's memory quota."""
from __future__ import annotations

from .errors import exhausted, invalid
from .pjrt import ModuleError, Signature
from .programs import Program
from .sessions import Session


def check_fits(session: Session, program: Program) -> None:
    """A program whose run alone needs more than the session's quota can never run there."""
    need = program.compiled.memory
    if session.quota and need.run > session.quota:
        raise exhausted(
            f"program {program.hash[:12]} needs {need.run} bytes on the devices to run (arguments "
            f"{need.arguments}, outputs {need.outputs}, intermediates {need.temp}, over "
            f"{program.num_devices} device(s)), more than the {session.quota}-byte quota of session "
            f"{session.id}; open the session with a larger memory_quota_bytes, or split the work into "
            f"smaller programs"
        )


def check_signature(signature: Signature, in_specs, out_specs, n: int) -> None:
    """The request's specs must be @main's signature; mhlo.num_partitions, when the module
    has it, must be n (XLA is told n either way)."""
    for kind, types, specs in (("input", signature.inputs, in_specs), ("output", signature.outputs, out_specs)):
        if len(types) != len(specs):
            raise ModuleError(f"@main has {len(types)} {kind}(s) but the request lists {len(specs)} {kind} spec(s)")
        for i, (t, s) in enumerate(zip(types, specs)):
            if t.element != s.dtype.mlir or t.shape != s.shape:
                raise ModuleError(f"{kind} {i}: @main says {t.text()}, the request says {s.text()}")
    if signature.num_partitions is not None and signature.num_partitions != n:
        raise ModuleError(f"the module says mhlo.num_partitions = {signature.num_partitions} but the request compiles it for num_devices {n}")


def check_same_specs(program: Program, in_specs, out_specs) -> None:
    for kind, had, got in (("input", program.in_specs, in_specs), ("output", program.out_specs, out_specs)):
        if len(had) != len(got):
            raise invalid(f"program {program.hash[:12]} was compiled with {len(had)} {kind}(s), this request lists {len(got)}")
        for i, (a, b) in enumerate(zip(had, got)):
            if a.dtype != b.dtype or a.shape != b.shape:
                raise invalid(f"program {program.hash[:12]}: {kind} {i}: @main says {a.text()}, the request says {b.text()}")
            if a != b:
                raise invalid(f"program {program.hash[:12]}: {kind} {i} was compiled as {a.text()} {a.placement.upper()}, this request says {b.text()} {b.placement.upper()}")
