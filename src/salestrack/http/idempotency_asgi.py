"""The ``Idempotency-Key`` layer for every POST under ``/api/v1/sales/``.

Two halves, so that a key is answered only to a caller who could make the request now:

- This ASGI middleware covers every sales router without each one opting in. For a POST
  with a key and a valid bearer token it reads the body, fingerprints the request, opens
  the request's database session, lends it to the ``SessionDep`` dependency
  (``deps.SHARED_SESSION``) and notes the key in the scope (``PendingKey``). It does not
  read the key store.
- ``claim_key`` claims the key for the caller (tenant and user: keys are per caller, so
  another user's identical key is simply another key). The route's permission dependency
  (``auth.deps.require``) calls it once the request has passed every check a fresh one
  gets: token, ``X-Tenant-ID``, permission, and the user still active with the token's
  role (the check that begins the claim's transaction). A caller who fails a check gets
  the fresh request's 401 or 403 and the key store is not touched.

Then, as before: the first request with the key runs its handler, and the middleware
stores a 2xx answer on the key's row and commits it together with the handler's writes,
before the client sees a byte (any other answer rolls everything back: the key is not
kept). A repeat raises ``Replayed`` from ``claim_key``: the handler does not run, the
middleware rolls back and sends the stored answer with ``Idempotent-Replayed: true``. The
same key with another request is 422 and a repeat while the first still runs is 409,
raised as problem errors like any other refusal.
"""

from __future__ import annotations

import functools
import logging
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Connection, event
from sqlalchemy.orm import Session, sessionmaker
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from salestrack.core import opening
from salestrack.core.errors import (
    DATABASE_UNAVAILABLE,
    Conflict,
    Unprocessable,
    database_unavailable_detail,
    problem_response,
)
from salestrack.core.tenancy import set_tenant
from salestrack.http import idempotency as keys
from salestrack.http.deps import SHARED_SESSION, finish, request_session, run_db

SALES_PREFIX = "/api/v1/sales/"
HEADER = "idempotency-key"
KEY_PATTERN = re.compile(r"[\x21-\x7e]{1,255}")  # the whole key (fullmatch): no trailing newline
# Scope key under which the middleware leaves the request's key for ``claim_key``.
PENDING_KEY = "salestrack.idempotency_key"

log = logging.getLogger("salestrack.http.idempotency")

TenantOfToken = Callable[[Any, str], uuid.UUID | None]
"""``(settings, bearer token) -> tenant id``, or None for a token that is not valid."""


@dataclass
class PendingKey:
    """The Idempotency-Key of a request on its way to its handler."""

    key: str
    fingerprint: str
    method: str
    path: str
    owner: tuple[uuid.UUID, uuid.UUID] | None = None
    """(tenant, user) once this request claimed the key as the first to send it."""


class Replayed(Exception):
    """The caller's key already has an answer: send it, do not run the handler."""

    def __init__(self, stored: keys.StoredResponse) -> None:
        super().__init__("idempotent replay")
        self.stored = stored


async def claim_key(
    scope: Scope,
    *,
    tenant_id: uuid.UUID,
    user_id: uuid.UUID,
    guard: tuple[ColumnElement[bool], dict[str, Any]] | None = None,
) -> None:
    """Claim the request's Idempotency-Key, if it has one, for the caller.

    Call it only once the request has passed every check a fresh request gets. The claim
    is the first statement of the request's transaction after the user check
    (``auth.verification``), made as that transaction begins in the handler's own thread
    (``install``): no extra trip to a thread, and on SQLite the write lock the claim takes
    is never held while the request waits for a thread. A repeat raises ``Replayed``
    before the handler's first statement runs; the key on another request is 422, and 409
    while the first request with the key still runs.
    """
    pending = scope.get(PENDING_KEY)
    if not isinstance(pending, PendingKey) or pending.owner is not None:
        return  # no key, or already claimed (a route with two permission checks)
    session: Session = scope[SHARED_SESSION]
    if TO_CLAIM in session.info:
        return
    session.info[TO_CLAIM] = (pending, tenant_id, user_id)
    if session.in_transaction():  # already begun (a dependency queried): claim now
        await run_db(session, lambda: _claim(session, session.connection(), None))
        return
    # Where the transaction opens with a script of ours (``core.opening``), the claim is
    # part of it: one round trip for the claim's three statements and the opening's own.
    # ``guard``: the caller's own check (the user still active with the token's role), which
    # the same script makes: the claim inserts only if it holds, so a refused caller never
    # touches, or waits for, the key (the check's own refusal is what they get).
    condition, values = guard if guard is not None else (None, {})
    parameters = {**keys.claim_parameters(**_claimed(pending, tenant_id, user_id)), **values}
    statements = keys.claim_statements(condition)
    companion = opening.Companion(statements, parameters, row_of=1, refusal=_refusal)
    opening.add_companion(session, CLAIM_COMPANION, companion)


TO_CLAIM = "salestrack.idempotency_to_claim"
CLAIM_COMPANION = "idempotency_claim"


def _claim_as_transaction_begins(session: Session, transaction: Any, connection: Any) -> None:
    if TO_CLAIM in session.info:
        opening.drop_companion(session, CLAIM_COMPANION)  # claimed once, in this transaction
        read, row = opening.opened_row(connection, transaction, CLAIM_COMPANION)
        _claim(session, connection, (row is not None) if read else None)


def _claim(session: Session, connection: Connection, inserted: bool | None) -> None:
    """Claim the key, or take the claim's outcome from the opening script (``inserted``)."""
    pending, tenant_id, user_id = session.info.pop(TO_CLAIM)
    try:
        if inserted is None:
            stored = keys.claim(connection, **_claimed(pending, tenant_id, user_id))
        elif inserted:
            stored = None
        else:
            stored = keys.stored_answer(
                connection,
                tenant_id=tenant_id,
                user_id=user_id,
                key=pending.key,
                fingerprint=pending.fingerprint,
            )
    except keys.StillRunning:
        raise _still_running() from None
    except keys.KeyReused:
        raise Unprocessable("this Idempotency-Key was used for a different request") from None
    if stored is not None:
        raise Replayed(stored)
    pending.owner = (tenant_id, user_id)
    session.info[keys.CLAIM] = keys.Claim(tenant_id, user_id, pending.key)


def _claimed(pending: PendingKey, tenant_id: uuid.UUID, user_id: uuid.UUID) -> dict[str, Any]:
    """What a claim of ``pending`` for the caller writes on the key's row."""
    return {
        "tenant_id": tenant_id,
        "user_id": user_id,
        "key": pending.key,
        "fingerprint": pending.fingerprint,
        "method": pending.method,
        "path": pending.path,
    }


def _still_running() -> Conflict:
    return Conflict(
        "a request with this Idempotency-Key is still being processed; retry later",
        headers={"Retry-After": "1"},
    )


def _refusal(exc: Exception) -> Exception | None:
    """The opening script's error as the claim's refusal: its lock wait ran out (409)."""
    return _still_running() if keys.is_lock_wait_refusal(exc) else None


def install(factory: sessionmaker[Session]) -> None:
    """Claim a request's key as its transaction begins, on that transaction's connection
    (after the tenant setting and the user check, which the wiring installs first)."""
    event.listen(factory, "after_begin", _claim_as_transaction_begins)


def bearer_token(headers: Headers) -> str | None:
    """The bearer token of ``Authorization``, if any."""
    scheme, _, token = (headers.get("authorization") or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


class IdempotencyMiddleware:
    """Idempotent POSTs; ``tenant_of`` reads a bearer token (auth hands it in: the HTTP kit
    does not know how tokens are made). ``credential`` finds the token in the headers (by
    default the bearer token; the capture routes also take ``X-API-Key``)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        tenant_of: TenantOfToken,
        prefix: str = SALES_PREFIX,
        credential: Callable[[Headers], str | None] | None = None,
    ) -> None:
        self.app = app
        self.prefix = prefix
        self.tenant_of = tenant_of
        self.credential = credential or bearer_token

    def _tenant_of(self, scope: Scope, headers: Headers) -> uuid.UUID | None:
        token = self.credential(headers)
        if not token:
            return None
        return self.tenant_of(scope["app"].state.settings, token)

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
        if not KEY_PATTERN.fullmatch(key):
            await _problem(422, "Idempotency-Key must be 1-255 visible ASCII characters", scope)(
                scope, receive, send
            )
            return
        tenant_id = self._tenant_of(scope, headers)
        if tenant_id is None:  # no valid token: the handler answers 401/403, nothing is written
            await self.app(scope, receive, send)
            return
        body = await _read_body(receive)
        pending = PendingKey(
            key=key,
            fingerprint=keys.fingerprint(
                scope["method"], scope["path"], scope.get("query_string", b"").decode(), body
            ),
            method=scope["method"],
            path=scope["path"],
        )
        session = await request_session(scope["app"].state, on_loop=True)  # API routes only
        set_tenant(session, tenant_id)  # before anything is queried: row-level security
        started = False

        async def watched_send(message: Message) -> None:
            nonlocal started
            started = True
            await send(message)

        try:
            await self._handle(scope, receive, watched_send, session, pending, body)
        except DATABASE_UNAVAILABLE as exc:
            # The database failed in this layer's own work (the claim, when the transaction
            # first begins here, or storing the answer): outside the app's error handlers,
            # so answered here like theirs, 503 with Retry-After, never a 500.
            if started:
                raise
            log.warning("database unavailable in the Idempotency-Key layer: %s", exc)
            await finish(session, scope["app"].state.settings, _quiet_rollback, session)
            await _unavailable(exc, scope)(scope, receive, send)
        finally:
            await finish(session, scope["app"].state.settings, session.close)

    async def _handle(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        session: Session,
        pending: PendingKey,
        body: bytes,
    ) -> None:
        settings = scope["app"].state.settings
        scope[SHARED_SESSION] = session
        scope[PENDING_KEY] = pending
        try:
            captured = await self._run_captured(scope, receive, session, body)
        except Replayed as replay:  # every check passed; the handler did not run
            await _replay(replay.stored, send)
            return
        status, content_type, response_body = _captured_answer(captured)
        claim = session.info.get(keys.CLAIM)
        if 200 <= status < 300 and isinstance(claim, keys.Claim):
            if not claim.stored:  # the handler's thread did not commit it (see deps)
                await finish(
                    session,
                    settings,
                    functools.partial(
                        keys.commit_with_answer,
                        session,
                        claim,
                        status_code=status,
                        content_type=content_type,
                        body=response_body,
                    ),
                )
        else:
            await finish(session, settings, session.rollback)
            if 200 <= status < 300:
                # A route that never claimed the key (it does not check a permission with
                # auth.deps.require): its writes are undone rather than left unprotected.
                log.error(
                    "%s %s answered an Idempotency-Key request without claiming the key",
                    scope["method"],
                    scope["path"],
                )
                answer = _problem(500, "the server failed; the error was logged", scope)
                await answer(scope, receive, send)
                return
        for message in captured:
            await send(message)

    async def _run_captured(
        self, scope: Scope, receive: Receive, session: Session, body: bytes
    ) -> list[Message]:
        """Run the request on the body already read, keeping its answer back until the
        stored response commits with the writes."""
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
            await finish(session, scope["app"].state.settings, session.rollback)
            raise
        return captured


def _captured_answer(captured: list[Message]) -> tuple[int, str | None, bytes]:
    """Status, content type and body of a captured answer."""
    start = next(m for m in captured if m["type"] == "http.response.start")
    content_type = Headers(raw=start.get("headers", [])).get("content-type")
    body = b"".join(m.get("body", b"") for m in captured if m["type"] == "http.response.body")
    return start["status"], content_type, body


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


def _quiet_rollback(session: Session) -> None:
    """Roll back after a database failure; the connection may be gone (close discards it)."""
    try:
        session.rollback()
    except DATABASE_UNAVAILABLE:
        log.info("rollback after a database failure failed too", exc_info=True)


def _unavailable(exc: Exception, scope: Scope) -> Any:
    return problem_response(
        503,
        "Service unavailable",
        database_unavailable_detail(exc),
        instance=scope["path"],
        headers={"Retry-After": "1"},
    )


def _problem(status: int, detail: str, scope: Scope) -> Any:
    title = {422: "Unprocessable content", 500: "Internal server error"}[status]
    return problem_response(status, title, detail, instance=scope["path"])


async def _replay(stored: keys.StoredResponse, send: Send) -> None:
    body = stored.body.encode()
    headers = [
        (b"content-type", (stored.content_type or "application/json").encode()),
        (b"content-length", str(len(body)).encode()),
        (b"idempotent-replayed", b"true"),
    ]
    await send({"type": "http.response.start", "status": stored.status_code, "headers": headers})
    await send({"type": "http.response.body", "body": body})
