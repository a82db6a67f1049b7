"""The caller's calendar feed (API), and the feed itself (public: the URL is the key)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request, Response

from salestrack.auth.context import Actor
from salestrack.auth.deps import actor_with
from salestrack.auth.roles import Permission
from salestrack.calendar import service
from salestrack.calendar.feed import render_feed
from salestrack.calendar.schemas import FeedCreated, FeedStatus
from salestrack.http.deps import SessionDep, SettingsDep
from salestrack.http.routing import api_router

router = api_router(prefix="/api/v1/me/calendar-feed", tags=["calendar"])
# Not in the OpenAPI document: a calendar client's URL, not an API operation.
feed_router = APIRouter(include_in_schema=False)
# Every role reads the journey; notifications and the calendar are about it.
Me = Annotated[Actor, actor_with(Permission.journey_read)]
FEED_ROUTE = "calendar_feed"


@router.get("", response_model=FeedStatus)
def feed_status(session: SessionDep, actor: Me) -> Any:
    """Whether you have a calendar feed, and since when (the URL is never shown again)."""
    feed = service.current_feed(session, actor=actor)
    return {
        "active": feed is not None,
        "created_at": feed.created_at if feed else None,
        "rotated_at": feed.rotated_at if feed else None,
    }


@router.post("", response_model=FeedCreated, status_code=201)
def rotate_feed(request: Request, session: SessionDep, settings: SettingsDep, actor: Me) -> Any:
    """Make your private calendar URL, or replace it: the previous URL answers 404 from now
    on. The answer is the only time the URL is shown."""
    feed, token = service.rotate(session, actor=actor, settings=settings)
    return {
        "url": feed_url(request, token),
        "created_at": feed.created_at,
        "rotated_at": feed.rotated_at,
    }


def feed_url(request: Request, token: str) -> str:
    return str(request.url_for(FEED_ROUTE, token=token))


@feed_router.get("/calendar/{token}.ics", name=FEED_ROUTE)
def calendar_feed(
    request: Request, session: SessionDep, settings: SettingsDep, token: str
) -> Response:
    """The feed of the token's user; 404 for an unknown, replaced or deactivated one."""
    return render_feed(session, settings, token=token, base_url=str(request.base_url))
