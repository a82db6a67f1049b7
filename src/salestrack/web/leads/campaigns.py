"""Campaign pages: a searchable list, and create/edit forms on the API's campaign service."""

from __future__ import annotations

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
from salestrack.web.kit.deps import WebUser, user_with
from salestrack.web.kit.forms import Blank
from salestrack.web.kit.paging import ListFilters, search_text
from salestrack.web.kit.record_forms import RecordForms, add_form_routes, list_records

router = APIRouter(prefix="/campaigns", include_in_schema=False)
Reader = Annotated[WebUser, user_with(Permission.campaigns_read)]


def _enums(_session: Any, _user: WebUser) -> dict[str, Any]:
    return {"types": list(CampaignType), "statuses": list(CampaignStatus)}


# The list's filters in link order, each with how its text is read.
FILTERS = ListFilters(
    CampaignFilters,
    {
        "q": search_text,
        "status": CampaignStatus,
        "campaign_type": CampaignType,
    },
)


FORMS = RecordForms(
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
    list_template="campaigns/list.html",
    list_url="/campaigns",
    write=Permission.campaigns_write,
    initial={"status": CampaignStatus.active.value},
    amounts=frozenset({"budget", "expected_roi"}),
    pick_lists=_enums,
)


@router.get("")
def campaign_list(request: Request, session: SessionDep, user: Reader) -> Response:
    """Campaigns newest first; search by name or code, filter by status and type."""
    return list_records(request, session, user, FORMS, selectors.campaign_page, FILTERS)


add_form_routes(router, FORMS)
