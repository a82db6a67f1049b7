"""Lead source pages: a list by type and channel, and create/edit forms on the API's service."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from salestrack.auth.roles import Permission
from salestrack.http.deps import SessionDep
from salestrack.leads import selectors, service
from salestrack.leads.models import Channel, SourceType
from salestrack.leads.schemas import LeadSourceCreate, LeadSourceUpdate
from salestrack.leads.selectors import SourceFilters
from salestrack.web.kit.deps import WebUser, user_with
from salestrack.web.kit.forms import Blank
from salestrack.web.kit.paging import ListFilters
from salestrack.web.kit.record_forms import RecordForms, add_form_routes, list_records

router = APIRouter(prefix="/sources", include_in_schema=False)
Reader = Annotated[WebUser, user_with(Permission.sources_read)]


def _enums(_session: Any, _user: WebUser) -> dict[str, Any]:
    return {"types": list(SourceType), "channels": list(Channel)}


# The list's filters in link order, each with how its text is read.
FILTERS = ListFilters(
    SourceFilters,
    {
        "source_type": SourceType,
        "channel": Channel,
        "campaign_id": uuid.UUID,
    },
)


FORMS = RecordForms(
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
    list_template="sources/list.html",
    list_url="/sources",
    write=Permission.sources_write,
    pick_lists=_enums,
)


@router.get("")
def source_list(request: Request, session: SessionDep, user: Reader) -> Response:
    """Lead sources newest first, filtered by type, channel and campaign."""
    return list_records(request, session, user, FORMS, selectors.source_page, FILTERS)


add_form_routes(router, FORMS)
