"""The generated protobuf and gRPC stubs of proto/strata_xla.proto.

Do not edit the strata_xla_pb2* files: run scripts/gen_proto.py after changing the .proto.
"""
from . import strata_xla_pb2 as pb
from . import strata_xla_pb2_grpc as pb_grpc

SERVICE_NAME = "strata.xla.v1.XlaService"

__all__ = ["pb", "pb_grpc", "SERVICE_NAME"]
