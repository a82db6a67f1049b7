"""The caller's own notifications (any role): list, unread count, mark read."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import Query

from salestrack.auth.context import Actor
from salestrack.auth.deps import actor_with
from salestrack.auth.roles import Permission
from salestrack.core.pagination import CursorParam, LimitParam, Page
from salestrack.http.deps import SessionDep
from salestrack.http.routing import api_router
from salestrack.notifications import service
from salestrack.notifications.schemas import MarkedRead, NotificationPublic, UnreadCount

router = api_router(prefix="/api/v1/me/notifications", tags=["notifications"])
# Every role reads the journey; notifications and the calendar are about it.
Me = Annotated[Actor, actor_with(Permission.journey_read)]
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"description": "No notification of yours has this id"}
}


@router.get("", response_model=Page[NotificationPublic])
def list_notifications(
    session: SessionDep,
    actor: Me,
    unread: Annotated[bool, Query(description="only those not yet read")] = False,
    limit: LimitParam = 50,
    cursor: CursorParam = None,
) -> Any:
    """Your notifications, newest first."""
    items, next_cursor = service.list_mine(
        session, actor=actor, unread_only=unread, limit=limit, cursor=cursor
    )
    return {"items": items, "next_cursor": next_cursor}


@router.get("/unread-count", response_model=UnreadCount)
def unread_count(session: SessionDep, actor: Me) -> Any:
    """How many of your notifications are unread (what the bell shows)."""
    return {"unread": service.unread_count(session, actor=actor, cap=None)}


@router.post("/read-all", response_model=MarkedRead)
def mark_all_read(session: SessionDep, actor: Me) -> Any:
    """Mark all your notifications read."""
    return {"marked": service.mark_all_read(session, actor=actor)}


@router.post("/{notification_id}/read", response_model=NotificationPublic, responses=NOT_FOUND)
def mark_read(session: SessionDep, actor: Me, notification_id: uuid.UUID) -> Any:
    """Mark one of your notifications read (again: no change)."""
    return service.mark_read(session, actor=actor, notification_id=notification_id)
