"""Milestones & Tracking: one lead's page, its journey forms, and finding a lead to open.

Reads and writes go through ``salestrack.journey.service`` and ``salestrack.leads.service``,
exactly as the API's routes do. Recording needs ``journey:write`` (a viewer is shown no
form, and a forced post is refused with 403). This router is mounted after the lead
list's (``/leads/new`` is not a lead id) and declares ``/open`` and ``/suggest`` before
``/{lead_id}``.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel
from sqlalchemy.orm import Session
from starlette.responses import JSONResponse, Response

from salestrack.auth.roles import Permission
from salestrack.core.errors import NotFound
from salestrack.core.schema_base import SearchText
from salestrack.http.deps import SessionDep
from salestrack.journey import service as journey
from salestrack.leads import selectors as lead_reads
from salestrack.leads import service as leads
from salestrack.leads.models import Lead
from salestrack.web.journey.forms import (
    ENGAGEMENT_FIELDS,
    MILESTONE_FIELDS,
    RESPONSE_FIELDS,
    engagement_form,
    milestone_form,
    response_form,
)
from salestrack.web.journey.lead_view import FormState, lead_page_context
from salestrack.web.kit.choices import page_id
from salestrack.web.kit.deps import FormDep, WebUser, user_with
from salestrack.web.kit.forms import FormResult, submit
from salestrack.web.kit.render import SECURITY_HEADERS, query_string, redirect, render

router = APIRouter(prefix="/leads", include_in_schema=False)
Reader = Annotated[WebUser, user_with(Permission.leads_read)]
Recorder = Annotated[WebUser, user_with(Permission.journey_write)]
Search = Annotated[SearchText, Query()]
SUGGESTIONS = 10
ModelT = TypeVar("ModelT", bound=BaseModel)


def _matches(session: Session, user: WebUser, text: str, limit: int) -> list[Lead]:
    """Leads whose code is ``text`` first, then those whose name, company or code contain it."""
    return lead_reads.find_leads(session, tenant_id=user.actor.tenant_id, text=text, limit=limit)


@router.get("/suggest")
def suggest(session: SessionDep, user: Reader, q: Search = "") -> Response:
    """Up to ten leads for the picker's suggestions (same origin, JSON)."""
    text = q.strip()
    items = [
        {"id": str(lead.id), "code": lead.lead_code, "name": lead.name, "status": lead.status}
        for lead in (_matches(session, user, text, SUGGESTIONS) if text else [])
    ]
    return JSONResponse({"items": items}, headers=SECURITY_HEADERS)


@router.get("/open")
def open_lead(request: Request, session: SessionDep, user: Reader, lead: Search = "") -> Response:
    """The picker's target: a code or a single match opens the lead, else the filtered list."""
    text = lead.strip()
    if not text:
        return redirect(request, "/leads")
    found = _matches(session, user, text, 2)
    exact = found and found[0].lead_code.lower() == text.lower()
    if exact or len(found) == 1:
        return redirect(request, f"/leads/{found[0].id}")
    return redirect(request, f"/leads{query_string({'q': text})}")


def _page(
    request: Request,
    session: Session,
    user: WebUser,
    lead_id: uuid.UUID,
    *,
    tab: str,
    forms: dict[str, FormState] | None = None,
    done: str | None = None,
) -> Response:
    context = lead_page_context(
        session, user=user, lead_id=lead_id, tab=tab, done=done, forms=forms
    )
    return render(request, "leads/detail.html", context, status=422 if forms else 200)


@router.get("/{lead_id}")
def lead_detail(request: Request, session: SessionDep, user: Reader, lead_id: str) -> Response:
    """The lead with its journey (another tenant's lead is simply not found)."""
    params = request.query_params
    return _page(
        request,
        session,
        user,
        page_id(lead_id),
        tab=params.get("tab", "milestones"),
        done=params.get("done"),
    )


def _record(
    request: Request,
    session: Session,
    user: WebUser,
    lead_id: uuid.UUID,
    result: FormResult[ModelT],
    action: Callable[[ModelT], Any],
    fields: Collection[str],
    *,
    form: str,
    tab: str,
    done: str,
    target: uuid.UUID | None = None,
) -> Response:
    """Save one journey form: back to the lead's ``tab`` saying ``done``, or, when the form or
    the service refuses it, the lead's page with ``form`` showing what was typed and why."""
    if submit(session, result, action, fields) is not None:
        return redirect(request, f"/leads/{lead_id}?tab={tab}&done={done}#journey")
    forms = {form: FormState(result.values, result.errors, target)}
    return _page(request, session, user, lead_id, tab=tab, forms=forms)


@router.post("/{lead_id}/milestones")
def add_milestone(
    request: Request, session: SessionDep, user: Recorder, lead_id: str, form: FormDep
) -> Response:
    """Record a milestone; the lead's status moves by the journey's rules."""
    lead = leads.get_lead(session, actor=user.actor, lead_id=page_id(lead_id))
    return _record(
        request,
        session,
        user,
        lead.id,
        milestone_form(form, lead_id=lead.id, fmt=user.fmt),
        lambda data: journey.record_milestone(session, actor=user.actor, data=data),
        MILESTONE_FIELDS,
        form="milestone",
        tab="milestones",
        done="milestone",
    )


@router.post("/{lead_id}/engagements")
def add_engagement(
    request: Request, session: SessionDep, user: Recorder, lead_id: str, form: FormDep
) -> Response:
    """Log an engagement (the channel must fit its type)."""
    lead = leads.get_lead(session, actor=user.actor, lead_id=page_id(lead_id))
    return _record(
        request,
        session,
        user,
        lead.id,
        engagement_form(form, lead_id=lead.id, fmt=user.fmt),
        lambda data: journey.record_engagement(session, actor=user.actor, data=data),
        {**ENGAGEMENT_FIELDS, "duration_minutes": None},
        form="engagement",
        tab="engagement",
        done="engagement",
    )


@router.post("/{lead_id}/engagements/{engagement_id}/response")
def record_response(
    request: Request,
    session: SessionDep,
    user: Recorder,
    lead_id: str,
    engagement_id: str,
    form: FormDep,
) -> Response:
    """Record the response to an engagement that came after it was logged."""
    lead = leads.get_lead(session, actor=user.actor, lead_id=page_id(lead_id))
    row = journey.get_engagement(session, actor=user.actor, engagement_id=page_id(engagement_id))
    if row.lead_id != lead.id:
        raise NotFound("no such engagement on this lead")
    return _record(
        request,
        session,
        user,
        lead.id,
        response_form(form, fmt=user.fmt),
        lambda data: journey.update_engagement(
            session, actor=user.actor, engagement_id=row.id, data=data
        ),
        RESPONSE_FIELDS,
        form="response",
        tab="engagement",
        done="response",
        target=row.id,
    )
