"""Who watches a stream, and whether they still may.

A stream outlives the request that opened it, so the checks every request makes (the user
is active, in the session epoch their cookie or token was issued in, with the same role)
are made again while it is open: when the user's row changes (a logout, deactivation,
password or role change is announced like any other change) and every
``live_recheck_seconds`` as a backstop. A failed check ends the stream.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from salestrack.auth import service as auth
from salestrack.auth.roles import Role
from salestrack.core.tenancy import set_tenant
from salestrack.http.deps import request_session, run_db

T = TypeVar("T")


@dataclass(frozen=True)
class Viewer:
    """The user behind a stream, as the cookie or token that opened it says."""

    tenant_id: uuid.UUID
    user_id: uuid.UUID
    role: Role
    session_epoch: int
    expires_at: float  # the cookie's or token's end (seconds since the epoch)

    @property
    def expired(self) -> bool:
        return time.time() >= self.expires_at


ROLE_CHANGED = "your role has changed: sign in again"


def standing(
    session: Session, *, tenant_id: uuid.UUID, user_id: uuid.UUID, session_epoch: int
) -> Role | str:
    """The user's role now, or why they may not watch (read in ``session``)."""
    set_tenant(session, tenant_id)
    tenant = auth.get_tenant(session, tenant_id=tenant_id)
    user = auth.get_active_user(session, tenant_id=tenant_id, user_id=user_id)
    if tenant is None or user is None:
        return "user is no longer active"
    if user.session_epoch != session_epoch:
        return "this session has ended (signed out or password changed): sign in again"
    return Role(user.role)


def problem_with(session: Session, viewer: Viewer) -> str | None:
    """Why ``viewer`` may no longer watch (None: they still may)."""
    found = standing(
        session,
        tenant_id=viewer.tenant_id,
        user_id=viewer.user_id,
        session_epoch=viewer.session_epoch,
    )
    if not isinstance(found, Role):
        return found
    return None if found == viewer.role else ROLE_CHANGED


async def run(state: Any, read: Callable[..., T], /, **kwargs: Any) -> T:
    """``read(session, **kwargs)`` in a short unit of work of its own (a stream holds no
    connection between checks): on the event loop with the async driver on PostgreSQL, in
    a thread on SQLite."""
    session = await request_session(state, on_loop=True)
    try:
        return await run_db(session, _read_only, session, read, kwargs)
    finally:
        await run_db(session, session.close)


def _read_only(session: Session, read: Callable[..., T], kwargs: dict[str, Any]) -> T:
    try:
        return read(session, **kwargs)
    finally:
        session.rollback()


async def check(state: Any, viewer: Viewer) -> str | None:
    """``problem_with`` for an open stream."""
    return await run(state, problem_with, viewer=viewer)
