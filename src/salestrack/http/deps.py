"""Request-scoped dependencies shared by every router: settings and the unit of work."""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Callable, Iterable
from typing import Annotated, Any, TypeVar

import anyio
from anyio.lowlevel import RunVar
from fastapi import Depends, Request, Response
from sqlalchemy.orm import Session
from sqlalchemy.util import greenlet_spawn

from salestrack.core import hooks
from salestrack.core.config import Settings
from salestrack.core.db import runs_on_loop
from salestrack.http import idempotency as keys


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


# Scope key under which an outer layer (idempotent POSTs) lends the request its session.
SHARED_SESSION = "salestrack.db_session"
# Session info key of a unit of work this dependency opened: "open", then "ended" once
# committed (by the handler's own thread, see ``end_in_handler_thread``).
UNIT_OF_WORK = "salestrack.request_unit_of_work"
# Scope key set by the API's route class: this request's handler may run on the event loop.
ON_LOOP = "salestrack.on_loop"


async def get_session(request: Request) -> AsyncIterator[Session]:
    """One transaction per request: committed before the response is sent, or rolled back.

    When the idempotency layer already opened the request's session, that layer owns the
    transaction: it commits the writes together with the stored response.

    An API route (``routing.HandlerThreadRoute``) on PostgreSQL gets a session on the
    async driver, and its handler runs in a greenlet on the event loop (``run_db``); other
    routes, and every route on SQLite, get a session whose handler runs in a thread.

    Async on purpose: making a session does no I/O, so it happens on the event loop, and
    the commit (or rollback) and the close share one trip (see ``finish``).
    """
    shared: Session | None = request.scope.get(SHARED_SESSION)
    if shared is not None:
        yield shared
        return
    session = await request_session(request.app.state, on_loop=bool(request.scope.get(ON_LOOP)))
    session.info[UNIT_OF_WORK] = "open"
    settings: Settings = request.app.state.settings
    try:
        yield session
    except BaseException:
        if session.info.get(UNIT_OF_WORK) == "open":
            await finish(session, settings, _end, session, commit=False)
        raise
    if session.info.get(UNIT_OF_WORK) == "open":
        await finish(session, settings, _end, session, commit=True)


async def request_session(state: Any, *, on_loop: bool) -> Session:
    """A new session of the app's: on the running loop's async-driver engine when
    ``on_loop`` and the app has such engines (PostgreSQL), else on the thread-run engine."""
    session: Session
    if on_loop and state.loop_engines is not None:
        engine = await state.loop_engines.current()
        session = state.loop_session_factory(bind=engine.sync_engine)
    else:
        session = state.session_factory()
    return session


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


async def run_db(session: Session, fn: Callable[..., T], /, *args: Any, **kw: Any) -> T:
    """Run sync code that uses ``session``: in a greenlet on the event loop when the
    session is on the async driver (``core.db.runs_on_loop``), else in a thread."""
    call = functools.partial(fn, *args, **kw)
    if runs_on_loop(session):
        return await greenlet_spawn(call)
    return await anyio.to_thread.run_sync(call)


async def finish(
    session: Session, settings: Settings, fn: Callable[..., T], /, *args: Any, **kw: Any
) -> T:
    """Run the end of ``session``'s unit of work (commit, rollback, close), shielded: a
    client that disconnects must not leave a connection checked out.

    On the event loop that is one more greenlet. In threads it is a thread of its own
    pool: request code runs in the default thread pool, and while a request waits there on
    a row lock, the transaction holding that lock must still be able to commit. If commits
    queued for the same threads, a pool full of waiters would starve the very commit they
    wait for (until the statement timeout fired). So the ends of units of work have their
    own limiter, as large as the connection pool, so every open transaction can finish.
    """
    call = functools.partial(fn, *args, **kw)
    with anyio.CancelScope(shield=True):
        if runs_on_loop(session):
            result = await greenlet_spawn(call)
        else:
            result = await anyio.to_thread.run_sync(call, limiter=_finishing_limiter(settings))
    return result


def _finishing_limiter(settings: Settings) -> anyio.CapacityLimiter:
    try:
        return _finishing.get()
    except LookupError:
        limiter = anyio.CapacityLimiter(settings.db_pool_size + settings.db_max_overflow)
        _finishing.set(limiter)
        return limiter


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
