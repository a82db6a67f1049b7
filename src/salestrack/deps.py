"""Request-scoped dependencies shared by every router: settings and the unit of work."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

import anyio
from fastapi import Depends, Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from salestrack.config import Settings


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


# Scope key under which an outer layer (idempotent POSTs) lends the request its session.
SHARED_SESSION = "salestrack.db_session"


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
    try:
        yield session
    except BaseException:
        await _finish(session, commit=False)
        raise
    await _finish(session, commit=True)


async def _finish(session: Session, *, commit: bool) -> None:
    # Shielded: a client that disconnects must not leave the connection checked out.
    with anyio.CancelScope(shield=True):
        await run_in_threadpool(_end, session, commit=commit)


def _end(session: Session, *, commit: bool) -> None:
    try:
        if commit:
            session.commit()
        else:
            session.rollback()
    finally:
        session.close()


SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
