"""Request-scoped dependencies shared by every router: settings and the unit of work."""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Callable, Iterable
from typing import Annotated, Any, TypeVar

import anyio
from anyio.lowlevel import RunVar
from fastapi import Depends, Request, Response
from sqlalchemy.orm import Session

from salestrack.core import hooks
from salestrack.core.config import Settings
from salestrack.http import idempotency as keys


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


# Scope key under which an outer layer (idempotent POSTs) lends the request its session.
SHARED_SESSION = "salestrack.db_session"
# Session info key of a unit of work this dependency opened: "open", then "ended" once
# committed (by the handler's own thread, see ``end_in_handler_thread``).
UNIT_OF_WORK = "salestrack.request_unit_of_work"


async def get_session(request: Request) -> AsyncIterator[Session]:
    """One transaction per request: committed before the response is sent, or rolled back.

    When the idempotency layer already opened the request's session, that layer owns the
    transaction: it commits the writes together with the stored response.

    Async on purpose: making a session does no I/O, so it happens on the event loop, and
    the commit (or rollback) and the close share one trip to the thread pool. A sync
    generator would cost a trip on the way in and another on the way out.
    """
    shared: Session | None = request.scope.get(SHARED_SESSION)
    if shared is not None:
        yield shared
        return
    session: Session = request.app.state.session_factory()
    session.info[UNIT_OF_WORK] = "open"
    settings: Settings = request.app.state.settings
    try:
        yield session
    except BaseException:
        if session.info.get(UNIT_OF_WORK) == "open":
            await finish_in_thread(settings, _end, session, commit=False)
        raise
    if session.info.get(UNIT_OF_WORK) == "open":
        await finish_in_thread(settings, _end, session, commit=True)


def end_in_handler_thread(values: Iterable[Any], answer: Response) -> None:
    """Commit the request's unit of work in the thread that ran its handler.

    A sync handler's answer is already built in that thread; committing there too saves
    the request a second trip to a thread pool, and a writer holding row locks (a payment
    holds its tenant's ledger counter) never waits for another thread, or the event loop,
    before it commits. A request with an Idempotency-Key commits its writes together with
    the answer a retry will get (``idempotency.commit_with_answer``). If the commit fails,
    the error propagates like any other (problem+json) and the session is rolled back.
    """
    for value in values:
        if not isinstance(value, Session):
            continue
        if value.info.get(UNIT_OF_WORK) == "open":
            value.info[UNIT_OF_WORK] = "ended"
            _end(value, commit=True)
            continue
        claim = value.info.get(keys.CLAIM)
        if isinstance(claim, keys.Claim) and not claim.stored and 200 <= answer.status_code < 300:
            media = answer.headers.get("content-type")
            keys.commit_with_answer(
                value,
                claim,
                status_code=answer.status_code,
                content_type=media,
                body=bytes(answer.body),
            )


T = TypeVar("T")
_finishing: RunVar[anyio.CapacityLimiter] = RunVar("salestrack_finishing")


async def finish_in_thread(settings: Settings, fn: Callable[..., T], *args: Any, **kw: Any) -> T:
    """Run the end of a unit of work (commit, rollback, close) in a thread of its own pool.

    Request code runs in the default thread pool. While a request waits there on a row
    lock, the transaction holding that lock must still be able to commit: if commits queued
    for the same threads, a pool full of waiters would starve the very commit they wait for
    (until the statement timeout fired). So the ends of units of work have their own
    limiter, as large as the connection pool, so every open transaction can always finish.
    Shielded: a client that disconnects must not leave a connection checked out.
    """
    try:
        limiter = _finishing.get()
    except LookupError:
        limiter = anyio.CapacityLimiter(settings.db_pool_size + settings.db_max_overflow)
        _finishing.set(limiter)
    call = functools.partial(fn, *args, **kw)
    with anyio.CancelScope(shield=True):
        result = await anyio.to_thread.run_sync(call, limiter=limiter)
    return result


def _end(session: Session, *, commit: bool) -> None:
    try:
        if commit:
            hooks.closing_checks(session)  # e.g. the user check, for a handler that never
            # touched the database
            session.commit()
        else:
            session.rollback()
    finally:
        session.close()


SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
