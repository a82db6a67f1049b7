"""The ``Idempotency-Key`` layer for every POST under ``/api/v1/sales/``.

It is ASGI middleware so it covers every sales router (those of other domains too)
without each one opting in. It opens the request's database session itself and hands it
to the ``SessionDep`` dependency (``deps.SHARED_SESSION``), so claiming the key, the
handler's writes and the stored response are one transaction, committed before the
client sees the response. Only successful (2xx) responses are stored: an error changed
nothing (its transaction is rolled back) and a retry runs again.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from salestrack.auth.security import read_token
from salestrack.core.errors import problem_response
from salestrack.core.tenancy import set_tenant
from salestrack.http import idempotency as keys
from salestrack.http.deps import SHARED_SESSION, finish_in_thread

SALES_PREFIX = "/api/v1/sales/"
HEADER = "idempotency-key"
KEY_PATTERN = re.compile(r"^[\x21-\x7e]{1,255}$")


class IdempotencyMiddleware:
    def __init__(self, app: ASGIApp, *, prefix: str = SALES_PREFIX) -> None:
        self.app = app
        self.prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not (
            scope["type"] == "http"
            and scope["method"] == "POST"
            and scope["path"].startswith(self.prefix)
        ):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        key = headers.get(HEADER)
        if key is None:
            await self.app(scope, receive, send)
            return
        if not KEY_PATTERN.match(key):
            await _problem(422, "Idempotency-Key must be 1-255 visible ASCII characters", scope)(
                scope, receive, send
            )
            return
        tenant_id = _tenant_of(scope, headers)
        if tenant_id is None:  # no valid token: the handler answers 401/403, nothing is written
            await self.app(scope, receive, send)
            return
        body = await _read_body(receive)
        fingerprint = keys.fingerprint(
            scope["method"], scope["path"], scope.get("query_string", b"").decode(), body
        )
        session: Session = scope["app"].state.session_factory()
        set_tenant(session, tenant_id)  # before the key row is touched: row-level security
        try:
            await self._handle(scope, receive, send, session, tenant_id, key, fingerprint, body)
        finally:
            await finish_in_thread(scope["app"].state.settings, session.close)

    async def _handle(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        session: Session,
        tenant_id: uuid.UUID,
        key: str,
        fingerprint: str,
        body: bytes,
    ) -> None:
        settings = scope["app"].state.settings
        try:
            stored = await run_in_threadpool(
                keys.claim,
                session,
                tenant_id=tenant_id,
                key=key,
                fingerprint=fingerprint,
                method=scope["method"],
                path=scope["path"],
            )
        except keys.StillRunning:
            await finish_in_thread(settings, session.rollback)
            detail = "a request with this Idempotency-Key is still being processed; retry later"
            await _problem(409, detail, scope, retry_after="1")(scope, receive, send)
            return
        except keys.KeyReused as exc:
            await finish_in_thread(settings, session.rollback)
            detail = f"this Idempotency-Key was used for a different request ({exc})"
            await _problem(422, detail, scope)(scope, receive, send)
            return
        if stored is not None:
            await finish_in_thread(settings, session.rollback)
            await _replay(stored, send)
            return

        scope[SHARED_SESSION] = session
        captured: list[Message] = []

        unread = [body]

        async def replay_receive() -> Message:
            if unread:
                return {"type": "http.request", "body": unread.pop(), "more_body": False}
            return await receive()

        async def capture(message: Message) -> None:
            captured.append(message)

        try:
            await self.app(scope, replay_receive, capture)
        except BaseException:
            await finish_in_thread(settings, session.rollback)
            raise
        status = next(m["status"] for m in captured if m["type"] == "http.response.start")
        if 200 <= status < 300:
            start = next(m for m in captured if m["type"] == "http.response.start")
            content_type = Headers(raw=start.get("headers", [])).get("content-type")
            response_body = b"".join(
                m.get("body", b"") for m in captured if m["type"] == "http.response.body"
            )
            await finish_in_thread(
                settings,
                _commit_with_response,
                session,
                tenant_id,
                key,
                status,
                content_type,
                response_body,
            )
        else:
            await finish_in_thread(settings, session.rollback)
        for message in captured:
            await send(message)


def _commit_with_response(
    session: Session,
    tenant_id: uuid.UUID,
    key: str,
    status: int,
    content_type: str | None,
    body: bytes,
) -> None:
    try:
        keys.complete(
            session,
            tenant_id=tenant_id,
            key=key,
            status_code=status,
            content_type=content_type,
            body=body,
        )
        session.commit()
    except BaseException:
        session.rollback()
        raise


def _tenant_of(scope: Scope, headers: Headers) -> uuid.UUID | None:
    scheme, _, token = (headers.get("authorization") or "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        return None
    claims = read_token(scope["app"].state.settings, token.strip())
    return claims.tenant_id if claims else None


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _problem(status: int, detail: str, scope: Scope, retry_after: str | None = None) -> Any:
    title = {409: "Conflict", 422: "Unprocessable content"}[status]
    headers = {"Retry-After": retry_after} if retry_after else None
    return problem_response(status, title, detail, instance=scope["path"], headers=headers)


async def _replay(stored: keys.StoredResponse, send: Send) -> None:
    body = stored.body.encode()
    headers = [
        (b"content-type", (stored.content_type or "application/json").encode()),
        (b"content-length", str(len(body)).encode()),
        (b"idempotent-replayed", b"true"),
    ]
    await send({"type": "http.response.start", "status": stored.status_code, "headers": headers})
    await send({"type": "http.response.body", "body": body})
