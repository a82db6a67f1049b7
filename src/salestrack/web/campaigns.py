"""Campaign pages: a searchable list, and create/edit forms on the API's campaign service."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from salestrack.auth.roles import Permission
from salestrack.core import crud
from salestrack.core.errors import Unprocessable
from salestrack.core.pagination import paginate
from salestrack.http.deps import SessionDep
from salestrack.leads import service
from salestrack.leads.models import Campaign, CampaignStatus, CampaignType
from salestrack.leads.schemas import CampaignCreate, CampaignUpdate
from salestrack.web.choices import load_choices
from salestrack.web.deps import WebUser, user_with
from salestrack.web.forms import Blank
from salestrack.web.record_forms import RecordForms, add_form_routes
from salestrack.web.render import query_string, render

router = APIRouter(prefix="/campaigns", include_in_schema=False)
Reader = Annotated[WebUser, user_with(Permission.campaigns_read)]
PAGE_SIZE = 25


def _enums(_session: Any, _user: WebUser) -> dict[str, Any]:
    return {"types": list(CampaignType), "statuses": list(CampaignStatus)}


@router.get("")
def campaign_list(request: Request, session: SessionDep, user: Reader) -> Response:
    """Campaigns newest first; search by name or code, filter by status and type."""
    params = request.query_params
    values = {k: params.get(k, "").strip() for k in ("q", "status", "campaign_type")}
    errors: dict[str, str] = {}
    stmt = service.CAMPAIGNS.listing(tenant_id=user.actor.tenant_id)
    for name, column, enum in (
        ("status", Campaign.status, CampaignStatus),
        ("campaign_type", Campaign.campaign_type, CampaignType),
    ):
        if values[name]:
            if values[name] in enum.__members__.values():
                stmt = stmt.where(column == values[name])
            else:
                errors[name] = "Not a valid choice; ignored."
    if values["q"]:
        stmt = stmt.where(
            crud.text_search(values["q"][:200], Campaign.campaign_name, Campaign.campaign_code)
        )
    cursor = params.get("cursor") or None
    try:
        rows, next_cursor = paginate(session, stmt, Campaign, limit=PAGE_SIZE, cursor=cursor)
    except Unprocessable:
        cursor = None
        rows, next_cursor = paginate(session, stmt, Campaign, limit=PAGE_SIZE, cursor=None)
    return render(
        request,
        "campaigns/list.html",
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
