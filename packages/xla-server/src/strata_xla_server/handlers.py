"""Turns XlaService's methods into gRPC method handlers, from the service descriptor.

Requests arrive as raw bytes and are parsed here rather than by grpc, so that a truncated
or hostile message becomes INVALID_ARGUMENT naming the message type (grpc's own
deserializer failure would be a bare INTERNAL). Every ServiceError becomes its status;
anything unexpected becomes INTERNAL with the exception named, and the server goes on. Each
call counts against its client's calls in flight (CallLimits) while it runs.
"""
from __future__ import annotations

import logging

import grpc
from google.protobuf.message import DecodeError

from contextlib import contextmanager

from .errors import ServiceError, invalid
from .limits import CallLimits
from .protocol import SERVICE_NAME, pb

log = logging.getLogger("strata_xla_server")


def _parse(cls, raw: bytes):
    try:
        return cls.FromString(raw)
    except DecodeError as e:
        raise invalid(f"the request is not a valid {cls.DESCRIPTOR.full_name} message ({e}); "
                      f"send a message serialized from proto/strata_xla.proto") from None


async def _abort(context, error: Exception, method: str):
    if isinstance(error, ServiceError):
        await context.abort(error.code, error.message)
    log.exception("%s failed unexpectedly", method)
    await context.abort(grpc.StatusCode.INTERNAL, f"internal error in {method}: {type(error).__name__}: {error}")


@contextmanager
def _counted(limits: CallLimits | None, context, method: str):
    peer = context.peer() if limits is not None else ""
    entered = limits is not None and limits.enter(peer, method)
    try:
        yield
    finally:
        if entered:
            limits.leave(peer)


def build_generic_handler(service, limits: CallLimits | None = None) -> grpc.GenericRpcHandler:
    descriptor = pb.DESCRIPTOR.services_by_name["XlaService"]
    handlers = {}
    for method in descriptor.methods:
        impl = getattr(service, method.name)
        req_cls = getattr(pb, method.input_type.name)
        resp_cls = getattr(pb, method.output_type.name)
        handlers[method.name] = _method_handler(method, impl, req_cls, resp_cls, limits)
    return grpc.method_handlers_generic_handler(SERVICE_NAME, handlers)


def _method_handler(method, impl, req_cls, resp_cls, limits):
    name = method.name
    serialize = resp_cls.SerializeToString
    passthrough = (grpc.aio.AbortError,)

    async def parsed(raw_iterator):
        async for raw in raw_iterator:
            yield _parse(req_cls, raw)

    if not method.client_streaming and not method.server_streaming:
        async def unary_unary(raw, context):
            try:
                with _counted(limits, context, name):
                    return await impl(_parse(req_cls, raw), context)
            except passthrough:
                raise
            except Exception as e:
                await _abort(context, e, name)
        return grpc.unary_unary_rpc_method_handler(unary_unary, response_serializer=serialize)

    if not method.client_streaming:
        async def unary_stream(raw, context):
            try:
                with _counted(limits, context, name):
                    async for reply in impl(_parse(req_cls, raw), context):
                        yield reply
            except passthrough:
                raise
            except Exception as e:
                await _abort(context, e, name)
        return grpc.unary_stream_rpc_method_handler(unary_stream, response_serializer=serialize)

    if not method.server_streaming:
        async def stream_unary(raw_iterator, context):
            try:
                with _counted(limits, context, name):
                    return await impl(parsed(raw_iterator), context)
            except passthrough:
                raise
            except Exception as e:
                await _abort(context, e, name)
        return grpc.stream_unary_rpc_method_handler(stream_unary, response_serializer=serialize)

    async def stream_stream(raw_iterator, context):
        try:
            with _counted(limits, context, name):
                async for reply in impl(parsed(raw_iterator), context):
                    yield reply
        except passthrough:
            raise
        except Exception as e:
            await _abort(context, e, name)
    return grpc.stream_stream_rpc_method_handler(stream_stream, response_serializer=serialize)
