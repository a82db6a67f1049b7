"""Request body size limit, enforced before the body is parsed.

One path may take a larger body: the web import's upload (``upload_path``), up to the
import's file limit plus room for the form around it; past that, the browser gets a short
HTML page saying so rather than problem+json.
"""

from __future__ import annotations

from html import escape

from starlette.exceptions import HTTPException
from starlette.responses import HTMLResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from salestrack.core.errors import problem_response

UPLOAD_FORM_ROOM = 65_536  # the multipart form's other fields and boundaries


class BodySizeLimit:
    """413 for a body larger than ``max_bytes`` (declared or streamed)."""

    def __init__(
        self,
        app: ASGIApp,
        max_bytes: int,
        upload_path: str | None = None,
        upload_max_bytes: int = 0,
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.upload_path = upload_path
        self.upload_max_bytes = upload_max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers", []))
        declared = headers.get(b"content-length")
        if declared is None and b"transfer-encoding" not in headers:
            await self.app(scope, receive, send)  # no body at all (most reads): nothing to count
            return
        limit = self._limit(scope)
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await self._refuse(scope, receive, send)
            return
        received = 0
        response_started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _TooLarge(limit)
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

    def _limit(self, scope: Scope) -> int:
        if self.upload_path is not None and scope.get("path") == self.upload_path:
            return self.upload_max_bytes + UPLOAD_FORM_ROOM
        return self.max_bytes

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.upload_path is not None and scope.get("path") == self.upload_path:
            size = self.upload_max_bytes
            limit = f"{size / 1_048_576:.1f} MB" if size >= 1_048_576 else f"{size / 1024:.1f} KB"
            back = self.upload_path.rsplit("/", 1)[0] or "/"
            page = HTMLResponse(
                "<!doctype html><title>File too large</title><h1>File too large</h1>"
                f"<p>The file is larger than the import limit ({escape(limit)}). Split it "
                f'into smaller files and <a href="{escape(back)}">try again</a>.</p>',
                status_code=413,
            )
            await page(scope, receive, send)
            return
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
