"""Strata's XLA server: compiles StableHLO modules with PJRT (through jaxlib) and runs them
on device-resident buffers for the TypeScript TPU strategy, over gRPC (proto/strata_xla.proto).

Start it with `python -m strata_xla_server --help`.
"""
__version__ = "0.1.0"
