"""Bearer-token check on every call (when the server has a token).

The metadata value is compared in constant time (hmac.compare_digest) so the token cannot
be guessed byte by byte from response times. A refused call never reaches the service and
its request is never read: it is answered by a streaming handler that ends the call before
asking for a message, so an unauthenticated client cannot make the server buffer a large
body (the message size limit is only for authenticated calls).
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
        return _DENIED_HANDLER


async def _deny(request_iterator, context):
    # Never iterates the requests: grpc reads a message only when the handler asks for one.
    await context.abort(grpc.StatusCode.UNAUTHENTICATED, DENIED)
    yield  # pragma: no cover  (makes this an async generator for streaming replies)


# A request-streaming handler whatever the method: a unary handler would make grpc receive
# the whole request before the handler runs. No deserializer: nothing is parsed either.
_DENIED_HANDLER = grpc.stream_stream_rpc_method_handler(_deny)
