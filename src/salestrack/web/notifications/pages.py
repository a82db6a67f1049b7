"""The notifications page (the bell's target) and the calendar feed page, for every role.

Both work on the same services as the API (``notifications.service``,
``calendar.service``); their buttons are CSRF-checked form posts that work without
JavaScript.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from salestrack.calendar import service as calendar
from salestrack.calendar.routes import feed_url
from salestrack.http.deps import SessionDep, SettingsDep
from salestrack.notifications import service as notifications
from salestrack.web.kit.choices import page_id
from salestrack.web.kit.deps import FormDep, WebUser, current_user
from salestrack.web.kit.paging import list_page
from salestrack.web.kit.render import query_string, redirect, render

router = APIRouter(include_in_schema=False)
Me = Annotated[WebUser, Depends(current_user)]
PAGE_SIZE = 50
SHOWS = {"all": "All", "unread": "Unread"}


def _show(request: Request) -> str:
    show = request.query_params.get("show") or "all"
    return show if show in SHOWS else "all"


@router.get("/notifications")
def notification_list(request: Request, session: SessionDep, user: Me) -> Response:
    """Your notifications, newest first, unread ones marked; "all" or "unread"."""
    show = _show(request)
    values = {"show": show} if show != "all" else {}
    page = list_page(
        request,
        lambda cursor: notifications.list_mine(
            session,
            actor=user.actor,
            unread_only=show == "unread",
            limit=PAGE_SIZE,
            cursor=cursor,
        ),
    )
    return render(
        request,
        "notifications/list.html",
        {
            "items": page.rows,
            "show": show,
            "shows": list(SHOWS.items()),
            "stale": page.stale,
            "back": request.url.path + query_string(values),
            "done": request.query_params.get("done"),
            **page.links(values),
        },
    )


def _back(target: str | None, done: str) -> str:
    """Back to the list the button was on (this site's notifications page only)."""
    if not target or not target.startswith("/notifications"):
        target = "/notifications"
    joiner = "&" if "?" in target else "?"
    return f"{target}{joiner}done={done}"


@router.post("/notifications/read-all")
def mark_all_read(request: Request, session: SessionDep, user: Me, form: FormDep) -> Response:
    notifications.mark_all_read(session, actor=user.actor)
    return redirect(request, _back(form.get("back"), "all-read"))


@router.post("/notifications/{notification_id}/read")
def mark_read(
    request: Request, session: SessionDep, user: Me, notification_id: str, form: FormDep
) -> Response:
    """Mark one read; another user's id is the same 404 page as a missing one."""
    notifications.mark_read(session, actor=user.actor, notification_id=page_id(notification_id))
    return redirect(request, _back(form.get("back"), "read"))


@router.get("/me/calendar")
def calendar_page(request: Request, session: SessionDep, user: Me) -> Response:
    """Whether you have a calendar feed, and the button that makes or replaces it."""
    feed = calendar.current_feed(session, actor=user.actor)
    return render(request, "calendar/feed.html", {"feed": feed, "url": None})


@router.post("/me/calendar")
def rotate_calendar(
    request: Request, session: SessionDep, settings: SettingsDep, user: Me, form: FormDep
) -> Response:
    """Make or replace your feed; the page shows the new URL this once (no redirect: the
    URL must not travel in a link or the session)."""
    del form  # checked for its CSRF token; nothing else is posted
    feed, token = calendar.rotate(session, actor=user.actor, settings=settings)
    return render(request, "calendar/feed.html", {"feed": feed, "url": feed_url(request, token)})
