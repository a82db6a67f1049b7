"""Follow-ups: the open ones for me or my team, oldest due first, overdue flagged, one-click done.

Sales reps land here (``nav.start_page``) and see their own leads' follow-ups by default;
everyone else starts with the whole team's (the tenant's). The list and "done" go through
``salestrack.journey.service`` (``open_follow_ups``, ``mark_done``) like the API.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Annotated, Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from fastapi import APIRouter, Request
from starlette.responses import Response

from salestrack.auth.roles import Permission, Role
from salestrack.core.errors import Unprocessable
from salestrack.http.deps import SessionDep
from salestrack.journey import service as journey
from salestrack.web.choices import load_choices, page_id
from salestrack.web.deps import FormDep, WebUser, user_with
from salestrack.web.render import query_string, redirect, render

router = APIRouter(prefix="/follow-ups", include_in_schema=False)
Reader = Annotated[WebUser, user_with(Permission.journey_read)]
Recorder = Annotated[WebUser, user_with(Permission.journey_write)]
PAGE_SIZE = 50
WHEN = {
    "all": "All open",
    "today": "Due today or overdue",
    "week": "Due in the next 7 days or overdue",
    "overdue": "Overdue only",
}
MINE, TEAM = "me", "team"


def _filters(user: WebUser, params: Any) -> tuple[dict[str, str], dict[str, Any], dict[str, str]]:
    """The filters as typed, as the service takes them, and any that had to be ignored."""
    default_who = MINE if user.role is Role.sales_rep else TEAM
    values = {"who": params.get("who") or default_who, "when": params.get("when") or "all"}
    errors: dict[str, str] = {}
    assigned_to: uuid.UUID | None = None
    if values["who"] == MINE:
        assigned_to = user.actor.user_id
    elif values["who"] != TEAM:
        try:
            assigned_to = uuid.UUID(values["who"])
        except ValueError:
            errors["who"] = "Not a valid choice; showing the team's."
            values["who"] = TEAM
    if values["when"] not in WHEN:
        errors["when"] = "Not a valid choice; showing all open."
        values["when"] = "all"
    today = user.fmt.today()
    due_before = {"today": today + timedelta(days=1), "week": today + timedelta(days=8)}
    query = {
        "assigned_to": assigned_to,
        "due_before": due_before.get(values["when"]),
        "overdue_only": values["when"] == "overdue",
    }
    return values, query, errors


@router.get("")
def follow_up_list(request: Request, session: SessionDep, user: Reader) -> Response:
    """Open follow-ups, oldest due first; overdue ones say by how many days."""
    values, query, errors = _filters(user, request.query_params)
    cursor = request.query_params.get("cursor") or None
    try:
        items, next_cursor = journey.open_follow_ups(
            session, actor=user.actor, limit=PAGE_SIZE, cursor=cursor, **query
        )
    except Unprocessable:
        cursor = None
        items, next_cursor = journey.open_follow_ups(
            session, actor=user.actor, limit=PAGE_SIZE, cursor=None, **query
        )
    here = request.url.path + query_string(values)
    return render(
        request,
        "follow_ups/list.html",
        {
            "items": items,
            "values": values,
            "errors": errors,
            "when_options": list(WHEN.items()),
            "choices": load_choices(session, tenant_id=user.actor.tenant_id),
            "next_link": query_string({**values, "cursor": next_cursor}) if next_cursor else None,
            "first_link": query_string(values) if cursor else None,
            "back": here,
            "done": request.query_params.get("done"),
            "can_record": user.can(Permission.journey_write),
        },
    )


def _back_with_done(target: str | None) -> str:
    """Back where the button was (a path on this site only), saying it worked."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        target = "/follow-ups"
    parts = urlsplit(target)
    params = [(k, v) for k, v in parse_qsl(parts.query) if k not in ("done", "cursor")]
    params.append(("done", "follow-up"))
    return f"{parts.path}?{urlencode(params)}"


@router.post("/{milestone_id}/done")
def mark_done(
    request: Request, session: SessionDep, user: Recorder, milestone_id: str, form: FormDep
) -> Response:
    """Close one follow-up (a CSRF-checked form post); closing it twice changes nothing."""
    journey.mark_done(session, actor=user.actor, milestone_id=page_id(milestone_id))
    return redirect(request, _back_with_done(form.get("back")))
