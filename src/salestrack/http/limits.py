"""Request body size limit, enforced before the body is parsed."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from salestrack.core.errors import problem_response


class BodySizeLimit:
    """413 for a body larger than ``max_bytes`` (declared or streamed)."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers", []))
        declared = headers.get(b"content-length")
        if declared is None and b"transfer-encoding" not in headers:
            await self.app(scope, receive, send)  # no body at all (most reads): nothing to count
            return
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        received = 0
        response_started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise _TooLarge(self.max_bytes)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal response_started
            response_started = response_started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _TooLarge:
            if not response_started:
                await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = problem_response(413, "Payload too large", _too_large(self.max_bytes))
        await response(scope, receive, send)


def _too_large(max_bytes: int) -> str:
    return f"request body is larger than {max_bytes} bytes"


class _TooLarge(HTTPException):
    """Raised while a body without a declared length (chunked) streams past the limit.

    An ``HTTPException`` on purpose: FastAPI's body reader passes those on unchanged, while
    any other error while reading becomes its "error parsing the body" (422 here). So the
    app's handler answers 413 problem+json; a reader outside FastAPI lets it reach
    ``BodySizeLimit``, which answers the same.
    """

    def __init__(self, max_bytes: int) -> None:
        super().__init__(413, _too_large(max_bytes))
