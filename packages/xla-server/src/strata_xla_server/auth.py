"""Bearer-token check on every call (when the server has a token).

The metadata value is compared in constant time (hmac.compare_digest) so the token cannot
be guessed byte by byte from response times. A refused call never reaches the service and
its request is never parsed.
"""
from __future__ import annotations

import hmac

import grpc

DENIED = ("missing or wrong token: send the metadata `authorization: Bearer <token>` "
          "with the token the server was started with (--token / --token-file)")


class TokenInterceptor(grpc.aio.ServerInterceptor):
    def __init__(self, token: str):
        self._expected = f"Bearer {token}".encode()

    async def intercept_service(self, continuation, details):
        handler = await continuation(details)
        if handler is None:
            return None  # unknown method: grpc answers UNIMPLEMENTED
        got = b""
        for key, value in details.invocation_metadata or ():
            if key == "authorization":
                got = value.encode() if isinstance(value, str) else bytes(value)
        if hmac.compare_digest(got, self._expected):
            return handler
        return _denied(handler)


async def _deny_unary(request, context):
    await context.abort(grpc.StatusCode.UNAUTHENTICATED, DENIED)


async def _deny_stream(request, context):
    await context.abort(grpc.StatusCode.UNAUTHENTICATED, DENIED)
    yield  # pragma: no cover  (makes this an async generator for streaming replies)


def _denied(handler):
    # No request_deserializer: the unauthenticated request stays unparsed bytes.
    if handler.unary_unary:
        return grpc.unary_unary_rpc_method_handler(_deny_unary)
    if handler.unary_stream:
        return grpc.unary_stream_rpc_method_handler(_deny_stream)
    if handler.stream_unary:
        return grpc.stream_unary_rpc_method_handler(_deny_unary)
    return grpc.stream_stream_rpc_method_handler(_deny_stream)
