"""A user's own notifications: list, unread count, mark read. Nobody reads another's.

Every statement is scoped by tenant and by the acting user, so another user's (or another
tenant's) notification id is 404, exactly like a missing one.
"""

from __future__ import annotations

import uuid

from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import Session

from salestrack.auth.context import Actor
from salestrack.core.db import utcnow
from salestrack.core.errors import NotFound
from salestrack.core.pagination import paginate
from salestrack.notifications.messages import Shown, shown
from salestrack.notifications.models import Notification

# The bell counts up to this many (and says "99+" beyond): a count is one small index scan.
COUNT_CAP = 100


def _mine(actor: Actor) -> Select[tuple[Notification]]:
    if actor.user_id is None:
        raise NotFound("notifications belong to a user")
    return select(Notification).where(
        Notification.tenant_id == actor.tenant_id, Notification.user_id == actor.user_id
    )


def list_mine(
    session: Session, *, actor: Actor, unread_only: bool, limit: int, cursor: str | None
) -> tuple[list[Shown], str | None]:
    """The actor's notifications, newest first."""
    stmt = _mine(actor)
    if unread_only:
        stmt = stmt.where(Notification.read_at.is_(None))
    rows, next_cursor = paginate(session, stmt, Notification, limit=limit, cursor=cursor)
    return [shown(row, actor) for row in rows], next_cursor


def unread_count(session: Session, *, actor: Actor, cap: int | None = COUNT_CAP) -> int:
    """How many are unread, counted up to ``cap`` (None: all of them)."""
    if actor.user_id is None:
        return 0
    unread = _mine(actor).where(Notification.read_at.is_(None)).with_only_columns(Notification.id)
    if cap is not None:
        unread = unread.limit(cap)
    return int(session.scalar(select(func.count()).select_from(unread.subquery())) or 0)


def mark_read(session: Session, *, actor: Actor, notification_id: uuid.UUID) -> Shown:
    """Mark one read (reading it again keeps the first time)."""
    row = session.scalars(
        _mine(actor).where(Notification.id == notification_id).with_for_update()
    ).one_or_none()
    if row is None:
        raise NotFound(f"notification {notification_id} not found")
    if row.read_at is None:
        row.read_at = utcnow()
        session.flush()
    return shown(row, actor)


def mark_all_read(session: Session, *, actor: Actor) -> int:
    """Mark every unread one read; how many were."""
    if actor.user_id is None:
        return 0
    result = session.execute(
        update(Notification)
        .where(
            Notification.tenant_id == actor.tenant_id,
            Notification.user_id == actor.user_id,
            Notification.read_at.is_(None),
        )
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)
