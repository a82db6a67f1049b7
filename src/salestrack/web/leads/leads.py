"""Lead pages: the filtered list with pipeline counts, create, edit and delete.

One lead's page (with its journey) is in ``web.journey.lead_page``.

Every read and write goes through ``salestrack.leads.service``, exactly as the API does.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from salestrack.auth.roles import Permission
from salestrack.core.schema_base import parse_day
from salestrack.http.deps import SessionDep
from salestrack.leads import selectors, service
from salestrack.leads.models import Lead, LeadStatus
from salestrack.leads.schemas import LeadCreate, LeadUpdate
from salestrack.web.kit.choices import Choices, load_choices, page_id
from salestrack.web.kit.deps import FormDep, WebUser, user_with
from salestrack.web.kit.forms import Blank, submit_form
from salestrack.web.kit.paging import ListFilters, filtered_page, search_text
from salestrack.web.kit.render import query_string, redirect, render

router = APIRouter(prefix="/leads", include_in_schema=False)
Reader = Annotated[WebUser, user_with(Permission.leads_read)]
Writer = Annotated[WebUser, user_with(Permission.leads_write)]
# The list's filters in link order, each with how its text is read.
FILTERS = ListFilters(
    selectors.LeadFilters,
    {
        "q": search_text,
        "status": LeadStatus,
        "source_id": uuid.UUID,
        "campaign_id": uuid.UUID,
        "assigned_to": uuid.UUID,
        "lead_date_from": parse_day,
        "lead_date_to": parse_day,
    },
)
AMOUNTS = frozenset({"expected_value"})


@router.get("")
def lead_list(request: Request, session: SessionDep, user: Reader) -> Response:
    """Leads newest first, filtered and searched, a page at a time."""
    filters, values, errors = FILTERS.read(request.query_params)
    tenant_id = user.actor.tenant_id
    page = filtered_page(request, session, tenant_id, selectors.lead_page, filters)
    counts = selectors.lead_status_counts(session, tenant_id=tenant_id, filters=filters)
    without_status = {k: v for k, v in values.items() if k != "status"}
    return render(
        request,
        "leads/list.html",
        {
            "leads": page.rows,
            **page.filter_context(values, errors),
            "counts": counts,
            "total": sum(counts.values()),
            "status_link": lambda s: query_string({**without_status, "status": s}),
            "choices": load_choices(session, tenant_id=tenant_id),
            "statuses": list(LeadStatus),
            "done": request.query_params.get("done"),
        },
    )


def _create_blanks(user: WebUser) -> dict[str, Any]:
    return {
        "lead_code": Blank.OMIT,
        "name": Blank.REQUIRED,
        "company": Blank.OMIT,
        "email": None,
        "phone": None,
        "status": Blank.OMIT,
        "source_id": None,
        "campaign_id": None,
        "assigned_to": None,
        "expected_value": None,
        "lead_date": user.fmt.today(),
        "notes": Blank.OMIT,
    }


UPDATE_BLANKS: dict[str, Any] = {
    "name": Blank.REQUIRED,
    "company": "",
    "email": None,
    "phone": None,
    "status": Blank.REQUIRED,
    "source_id": None,
    "campaign_id": None,
    "assigned_to": None,
    "expected_value": None,
    "lead_date": Blank.REQUIRED,
    "notes": "",
}


def _form_page(
    request: Request,
    *,
    choices: Choices,
    values: Mapping[str, str],
    errors: Mapping[str, str] | None = None,
    lead: Lead | None = None,
) -> Response:
    return render(
        request,
        "leads/form.html",
        {
            "lead": lead,
            "values": values,
            "errors": errors or {},
            "choices": choices,
            "statuses": list(LeadStatus),
        },
        status=422 if errors else 200,
    )


@router.get("/new")
def new_lead(request: Request, session: SessionDep, user: Writer) -> Response:
    """An empty lead form, dated today in the tenant's time zone."""
    values = {"status": LeadStatus.new.value, "lead_date": user.fmt.today().isoformat()}
    choices = load_choices(session, tenant_id=user.actor.tenant_id)
    return _form_page(request, choices=choices, values=values)


@router.post("/new")
def create_lead(request: Request, session: SessionDep, user: Writer, form: FormDep) -> Response:
    """Create the lead, or show the form again with what was typed and what is wrong."""
    blanks = _create_blanks(user)
    result, lead = submit_form(
        session,
        LeadCreate,
        form,
        lambda data: service.create_lead(session, actor=user.actor, data=data),
        blanks=blanks,
        fmt=user.fmt,
        amounts=AMOUNTS,
    )
    if lead is None:
        choices = load_choices(session, tenant_id=user.actor.tenant_id)
        return _form_page(request, choices=choices, values=result.values, errors=result.errors)
    return redirect(request, f"/leads/{lead.id}?done=created")


def _edit_values(lead: Lead, user: WebUser) -> dict[str, str]:
    values = {name: getattr(lead, name) for name in UPDATE_BLANKS}
    text = {k: "" if v is None else str(getattr(v, "value", v)) for k, v in values.items()}
    if lead.expected_value is not None:
        text["expected_value"] = user.fmt.number(lead.expected_value)
    return text


@router.get("/{lead_id}/edit")
def edit_lead(request: Request, session: SessionDep, user: Writer, lead_id: str) -> Response:
    """The lead's form, filled in."""
    lead = service.get_lead(session, actor=user.actor, lead_id=page_id(lead_id))
    choices = load_choices(session, tenant_id=user.actor.tenant_id)
    return _form_page(request, choices=choices, values=_edit_values(lead, user), lead=lead)


@router.post("/{lead_id}/edit")
def update_lead(
    request: Request, session: SessionDep, user: Writer, lead_id: str, form: FormDep
) -> Response:
    """Save the changes, or show the form again with what was typed and what is wrong."""
    lead = service.get_lead(session, actor=user.actor, lead_id=page_id(lead_id))
    result, saved = submit_form(
        session,
        LeadUpdate,
        form,
        lambda data: service.update_lead(session, actor=user.actor, lead_id=lead.id, data=data),
        blanks=UPDATE_BLANKS,
        fmt=user.fmt,
        amounts=AMOUNTS,
    )
    if saved is None:
        choices = load_choices(session, tenant_id=user.actor.tenant_id)
        return _form_page(
            request, choices=choices, values=result.values, errors=result.errors, lead=lead
        )
    return redirect(request, f"/leads/{lead.id}?done=updated")


@router.post("/{lead_id}/delete")
def delete_lead(
    request: Request, session: SessionDep, user: Writer, lead_id: str, _form: FormDep
) -> Response:
    """Soft-delete the lead (it vanishes from lists and reports) and return to the list."""
    service.delete_lead(session, actor=user.actor, lead_id=page_id(lead_id))
    return redirect(request, "/leads?done=deleted")
