"""Milestones & Tracking: one lead's page, its journey forms, and finding a lead to open.

Reads and writes go through ``salestrack.journey.service`` and ``salestrack.leads.service``,
exactly as the API's routes do. Recording needs ``journey:write`` (a viewer is shown no
form, and a forced post is refused with 403). This router is mounted after the lead
list's (``/leads/new`` is not a lead id) and declares ``/open`` and ``/suggest`` before
``/{lead_id}``.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from sqlalchemy import func
from sqlalchemy.orm import Session
from starlette.responses import JSONResponse, Response

from salestrack.auth.roles import Permission
from salestrack.core import crud
from salestrack.core.errors import NotFound
from salestrack.http.deps import SessionDep
from salestrack.journey import service as journey
from salestrack.leads import service as leads
from salestrack.leads.models import Lead
from salestrack.web.choices import page_id
from salestrack.web.deps import FormDep, WebUser, user_with
from salestrack.web.forms import FormResult, attempt
from salestrack.web.journey_forms import (
    ENGAGEMENT_FIELDS,
    MILESTONE_FIELDS,
    RESPONSE_FIELDS,
    engagement_form,
    milestone_form,
    response_form,
)
from salestrack.web.journey_view import FormState, lead_page_context
from salestrack.web.render import SECURITY_HEADERS, query_string, redirect, render

router = APIRouter(prefix="/leads", include_in_schema=False)
Reader = Annotated[WebUser, user_with(Permission.leads_read)]
Recorder = Annotated[WebUser, user_with(Permission.journey_write)]
SearchText = Annotated[str, Query(max_length=200)]
SUGGESTIONS = 10


def _matches(session: Session, user: WebUser, text: str, limit: int) -> list[Lead]:
    """Leads whose code is ``text`` first, then those whose name, company or code contain it."""
    tenant_id = user.actor.tenant_id
    exact = session.scalars(
        crud.scoped(Lead, tenant_id).where(func.lower(Lead.lead_code) == text.lower()).limit(1)
    ).all()
    stmt = leads.filtered_leads(tenant_id=tenant_id, filters=leads.LeadFilters(q=text))
    found = session.scalars(stmt.order_by(Lead.name, Lead.lead_code).limit(limit)).all()
    seen = {lead.id for lead in exact}
    return [*exact, *(lead for lead in found if lead.id not in seen)][:limit]


@router.get("/suggest")
def suggest(session: SessionDep, user: Reader, q: SearchText = "") -> Response:
    """Up to ten leads for the picker's suggestions (same origin, JSON)."""
    text = q.strip()
    items = [
        {"id": str(lead.id), "code": lead.lead_code, "name": lead.name, "status": lead.status}
        for lead in (_matches(session, user, text, SUGGESTIONS) if text else [])
    ]
    return JSONResponse({"items": items}, headers=SECURITY_HEADERS)


@router.get("/open")
def open_lead(
    request: Request, session: SessionDep, user: Reader, lead: SearchText = ""
) -> Response:
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


def _saved(request: Request, lead_id: uuid.UUID, tab: str, done: str) -> Response:
    return redirect(request, f"/leads/{lead_id}?tab={tab}&done={done}#journey")


def _refused(result: FormResult[Any], target: uuid.UUID | None = None) -> FormState:
    return FormState(result.values, result.errors, target)


@router.post("/{lead_id}/milestones")
def add_milestone(
    request: Request, session: SessionDep, user: Recorder, lead_id: str, form: FormDep
) -> Response:
    """Record a milestone; the lead's status moves by the journey's rules."""
    lead = leads.get_lead(session, actor=user.actor, lead_id=page_id(lead_id))
    result = milestone_form(form, lead_id=lead.id, fmt=user.fmt)
    if result.model is not None:
        data = result.model
        saved = attempt(
            session,
            lambda: journey.record_milestone(session, actor=user.actor, data=data),
            result,
            MILESTONE_FIELDS,
        )
        if saved is not None:
            return _saved(request, lead.id, "milestones", "milestone")
    forms = {"milestone": _refused(result)}
    return _page(request, session, user, lead.id, tab="milestones", forms=forms)


@router.post("/{lead_id}/engagements")
def add_engagement(
    request: Request, session: SessionDep, user: Recorder, lead_id: str, form: FormDep
) -> Response:
    """Log an engagement (the channel must fit its type)."""
    lead = leads.get_lead(session, actor=user.actor, lead_id=page_id(lead_id))
    result = engagement_form(form, lead_id=lead.id, fmt=user.fmt)
    if result.model is not None:
        data = result.model
        saved = attempt(
            session,
            lambda: journey.record_engagement(session, actor=user.actor, data=data),
            result,
            {**ENGAGEMENT_FIELDS, "duration_minutes": None},
        )
        if saved is not None:
            return _saved(request, lead.id, "engagement", "engagement")
    forms = {"engagement": _refused(result)}
    return _page(request, session, user, lead.id, tab="engagement", forms=forms)


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
    result = response_form(form, fmt=user.fmt)
    if result.model is not None:
        data = result.model
        saved = attempt(
            session,
            lambda: journey.update_engagement(
                session, actor=user.actor, engagement_id=row.id, data=data
            ),
            result,
            RESPONSE_FIELDS,
        )
        if saved is not None:
            return _saved(request, lead.id, "engagement", "response")
    forms = {"response": _refused(result, row.id)}
    return _page(request, session, user, lead.id, tab="engagement", forms=forms)
