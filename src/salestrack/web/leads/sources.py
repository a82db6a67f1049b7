"""Lead source pages: a list by type and channel, and create/edit forms on the API's service."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from salestrack.auth.roles import Permission
from salestrack.http.deps import SessionDep
from salestrack.leads import selectors, service
from salestrack.leads.models import Channel, SourceType
from salestrack.leads.schemas import LeadSourceCreate, LeadSourceUpdate
from salestrack.leads.selectors import SourceFilters
from salestrack.web.kit.choices import load_choices
from salestrack.web.kit.deps import WebUser, user_with
from salestrack.web.kit.forms import Blank
from salestrack.web.kit.paging import list_page
from salestrack.web.kit.record_forms import RecordForms, add_form_routes
from salestrack.web.kit.render import render

router = APIRouter(prefix="/sources", include_in_schema=False)
Reader = Annotated[WebUser, user_with(Permission.sources_read)]
PAGE_SIZE = 25


def _enums(_session: Any, _user: WebUser) -> dict[str, Any]:
    return {"types": list(SourceType), "channels": list(Channel)}


def _filters(params: Mapping[str, str]) -> tuple[SourceFilters, dict[str, str], dict[str, str]]:
    """Type, channel and campaign from the query string; a bad one is reported and ignored."""
    values = {k: params.get(k, "").strip() for k in ("source_type", "channel", "campaign_id")}
    parsers: dict[str, Any] = {
        "source_type": SourceType,
        "channel": Channel,
        "campaign_id": uuid.UUID,
    }
    parsed: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name, parse in parsers.items():
        if values[name]:
            try:
                parsed[name] = parse(values[name])
            except ValueError:
                errors[name] = "Not a valid choice; ignored."
    return SourceFilters(**parsed), values, errors


@router.get("")
def source_list(request: Request, session: SessionDep, user: Reader) -> Response:
    """Lead sources newest first, filtered by type, channel and campaign."""
    filters, values, errors = _filters(request.query_params)
    tenant_id = user.actor.tenant_id
    page = list_page(
        request,
        lambda cursor: selectors.source_page(
            session, tenant_id=tenant_id, filters=filters, limit=PAGE_SIZE, cursor=cursor
        ),
    )
    return render(
        request,
        "sources/list.html",
        {
            "rows": page.rows,
            "values": values,
            "errors": errors,
            "filtered": any(values.values()),
            **page.links(values),
            "choices": load_choices(session, tenant_id=tenant_id),
            "done": request.query_params.get("done"),
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
