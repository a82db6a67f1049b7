"""Campaign pages: a searchable list, and create/edit forms on the API's campaign service."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from salestrack.auth.roles import Permission
from salestrack.http.deps import SessionDep
from salestrack.leads import selectors, service
from salestrack.leads.models import CampaignStatus, CampaignType
from salestrack.leads.schemas import CampaignCreate, CampaignUpdate
from salestrack.leads.selectors import CampaignFilters
from salestrack.web.kit.choices import load_choices
from salestrack.web.kit.deps import WebUser, user_with
from salestrack.web.kit.forms import Blank
from salestrack.web.kit.paging import list_page
from salestrack.web.kit.record_forms import RecordForms, add_form_routes
from salestrack.web.kit.render import render

router = APIRouter(prefix="/campaigns", include_in_schema=False)
Reader = Annotated[WebUser, user_with(Permission.campaigns_read)]
PAGE_SIZE = 25


def _enums(_session: Any, _user: WebUser) -> dict[str, Any]:
    return {"types": list(CampaignType), "statuses": list(CampaignStatus)}


def _filters(params: Mapping[str, str]) -> tuple[CampaignFilters, dict[str, str], dict[str, str]]:
    """Search, status and type from the query string; an unknown choice is reported, ignored."""
    values = {k: params.get(k, "").strip() for k in ("q", "status", "campaign_type")}
    errors: dict[str, str] = {}
    parsed: dict[str, Any] = {}
    for name, enum in (("status", CampaignStatus), ("campaign_type", CampaignType)):
        if values[name]:
            try:
                parsed[name] = enum(values[name])
            except ValueError:
                errors[name] = "Not a valid choice; ignored."
    return CampaignFilters(**parsed, q=values["q"][:200] or None), values, errors


@router.get("")
def campaign_list(request: Request, session: SessionDep, user: Reader) -> Response:
    """Campaigns newest first; search by name or code, filter by status and type."""
    filters, values, errors = _filters(request.query_params)
    tenant_id = user.actor.tenant_id
    page = list_page(
        request,
        lambda cursor: selectors.campaign_page(
            session, tenant_id=tenant_id, filters=filters, limit=PAGE_SIZE, cursor=cursor
        ),
    )
    return render(
        request,
        "campaigns/list.html",
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
        kind=service.CAMPAIGNS,
        create_schema=CampaignCreate,
        update_schema=CampaignUpdate,
        create_blanks={
            "campaign_code": Blank.OMIT,
            "campaign_name": Blank.REQUIRED,
            "campaign_type": Blank.REQUIRED,
            "status": Blank.OMIT,
            "start_date": None,
            "end_date": None,
            "budget": Blank.OMIT,
            "expected_roi": None,
            "assigned_to": None,
            "description": Blank.OMIT,
        },
        update_blanks={
            "campaign_name": Blank.REQUIRED,
            "campaign_type": Blank.REQUIRED,
            "status": Blank.REQUIRED,
            "start_date": None,
            "end_date": None,
            "budget": Decimal("0"),
            "expected_roi": None,
            "assigned_to": None,
            "description": "",
        },
        template="campaigns/form.html",
        list_url="/campaigns",
        write=Permission.campaigns_write,
        initial={"status": CampaignStatus.active.value},
        amounts=frozenset({"budget", "expected_roi"}),
        pick_lists=_enums,
    ),
)
