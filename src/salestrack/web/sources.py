"""Lead source pages: a list by type and channel, and create/edit forms on the API's service."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from salestrack.auth.roles import Permission
from salestrack.core.errors import Unprocessable
from salestrack.core.pagination import paginate
from salestrack.http.deps import SessionDep
from salestrack.leads import service
from salestrack.leads.models import Channel, LeadSource, SourceType
from salestrack.leads.schemas import LeadSourceCreate, LeadSourceUpdate
from salestrack.web.choices import load_choices
from salestrack.web.deps import WebUser, user_with
from salestrack.web.forms import Blank
from salestrack.web.record_forms import RecordForms, add_form_routes
from salestrack.web.render import query_string, render

router = APIRouter(prefix="/sources", include_in_schema=False)
Reader = Annotated[WebUser, user_with(Permission.sources_read)]
PAGE_SIZE = 25


def _enums(_session: Any, _user: WebUser) -> dict[str, Any]:
    return {"types": list(SourceType), "channels": list(Channel)}


def _parse(values: dict[str, str], errors: dict[str, str]) -> dict[str, Any]:
    """Column filters from the query; a bad one is reported and ignored."""
    parsers: dict[str, Any] = {
        "source_type": SourceType,
        "channel": Channel,
        "campaign_id": uuid.UUID,
    }
    parsed: dict[str, Any] = {}
    for name, parse in parsers.items():
        if values[name]:
            try:
                parsed[name] = parse(values[name])
            except ValueError:
                errors[name] = "Not a valid choice; ignored."
    return parsed


@router.get("")
def source_list(request: Request, session: SessionDep, user: Reader) -> Response:
    """Lead sources newest first, filtered by type, channel and campaign."""
    params = request.query_params
    values = {k: params.get(k, "").strip() for k in ("source_type", "channel", "campaign_id")}
    errors: dict[str, str] = {}
    stmt = service.SOURCES.listing(tenant_id=user.actor.tenant_id)
    for name, value in _parse(values, errors).items():
        stmt = stmt.where(getattr(LeadSource, name) == value)
    cursor = params.get("cursor") or None
    try:
        rows, next_cursor = paginate(session, stmt, LeadSource, limit=PAGE_SIZE, cursor=cursor)
    except Unprocessable:
        cursor = None
        rows, next_cursor = paginate(session, stmt, LeadSource, limit=PAGE_SIZE, cursor=None)
    return render(
        request,
        "sources/list.html",
        {
            "rows": rows,
            "values": values,
            "errors": errors,
            "filtered": any(values.values()),
            "next_link": query_string({**values, "cursor": next_cursor}) if next_cursor else None,
            "first_link": (query_string(values) or "?") if cursor else None,
            "choices": load_choices(session, tenant_id=user.actor.tenant_id),
            "done": params.get("done"),
            **_enums(session, user),
        },
    )


add_form_routes(
    router,
    RecordForms(
        kind=service.SOURCES,
        create_schema=LeadSourceCreate,
        update_schema=LeadSourceUpdate,
        create_blanks={
            "source_type": Blank.REQUIRED,
            "subsource_name": Blank.OMIT,
            "channel": Blank.REQUIRED,
            "campaign_id": None,
            "description": Blank.OMIT,
        },
        update_blanks={
            "source_type": Blank.REQUIRED,
            "subsource_name": "",
            "channel": Blank.REQUIRED,
            "campaign_id": None,
            "description": "",
        },
        template="sources/form.html",
        list_url="/sources",
        write=Permission.sources_write,
        pick_lists=_enums,
    ),
)
