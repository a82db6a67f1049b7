"""HTTP routes: lead capture by integration key, attribution and assignment rules, the
duplicate policy, likely duplicates and merging, a lead's touches (thin: services decide)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import Depends, Response

from salestrack.auth.context import Actor
from salestrack.auth.deps import actor_with
from salestrack.auth.key_deps import KeyActor, require_key
from salestrack.auth.keys import KeyScope
from salestrack.auth.roles import Permission
from salestrack.http.deps import SessionDep
from salestrack.http.routing import api_router
from salestrack.intake import attribution, capture, duplicates, merge, touches
from salestrack.intake.assignment import ASSIGNMENT_RULES
from salestrack.intake.attribution import ATTRIBUTION_RULES
from salestrack.intake.models import AssignmentRule
from salestrack.intake.schemas import (
    AssignmentRuleCreate,
    AssignmentRulePublic,
    AssignmentRuleUpdate,
    AttributionRuleCreate,
    AttributionRulePublic,
    AttributionRuleUpdate,
    CaptureIn,
    CaptureOut,
    CaptureSettings,
    DuplicatePair,
    MergeIn,
    TouchPublic,
)
from salestrack.leads import service as leads
from salestrack.leads.record_routes import add_record_routes
from salestrack.leads.schemas import LeadPublic

capture_router = api_router(prefix="/api/v1/capture", tags=["capture"])
attribution_router = api_router(prefix="/api/v1/sales/attribution-rules", tags=["capture"])
assignment_router = api_router(prefix="/api/v1/sales/assignment-rules", tags=["capture"])
intake_router = api_router(prefix="/api/v1/sales", tags=["capture"])

Capturer = Annotated[KeyActor, Depends(require_key(KeyScope.capture))]
KeyReader = Annotated[KeyActor, Depends(require_key(KeyScope.read))]


@capture_router.post(
    "/leads",
    response_model=CaptureOut,
    status_code=201,
    responses={200: {"model": CaptureOut, "description": "A re-enquiry on an open lead"}},
)
def capture_lead(
    session: SessionDep, key: Capturer, body: CaptureIn, response: Response
) -> CaptureOut:
    """Take a lead in with a ``capture`` key: 201 with a new lead, or 200 when the buyer
    already has an open lead and the enquiry was recorded on it (the tenant's policy
    ``merge``; ``reject`` answers 409)."""
    lead, outcome = capture.capture(
        session, actor=key.actor, data=body, channel="api", key_id=key.key_id
    )
    if outcome == "re_enquiry":
        response.status_code = 200
    return CaptureOut(
        lead_id=lead.id,
        lead_code=lead.lead_code,
        outcome=outcome,
        source_id=lead.source_id,
        campaign_id=lead.campaign_id,
        assigned_to=lead.assigned_to,
    )


@capture_router.get("/leads/{lead_id}", response_model=LeadPublic)
def read_lead(session: SessionDep, key: KeyReader, lead_id: uuid.UUID) -> Any:
    """A lead of the key's tenant, with a ``read`` key."""
    return leads.get_lead(session, actor=key.actor, lead_id=lead_id)


@intake_router.get("/leads/{lead_id}/touches", response_model=list[TouchPublic])
def lead_touches(
    session: SessionDep,
    actor: Annotated[Actor, actor_with(Permission.leads_read)],
    lead_id: uuid.UUID,
) -> Any:
    """Every enquiry of a lead, first touch first."""
    leads.read_lead(session, actor=actor, lead_id=lead_id)
    return touches.touches_of(session, tenant_id=actor.tenant_id, lead_id=lead_id)


@intake_router.get("/capture-settings", response_model=CaptureSettings)
def get_capture_settings(
    session: SessionDep, actor: Annotated[Actor, actor_with(Permission.users_manage)]
) -> CaptureSettings:
    """The tenant's duplicate policy (admins)."""
    return CaptureSettings(duplicate_policy=touches.policy(session, actor.tenant_id))


@intake_router.put("/capture-settings", response_model=CaptureSettings)
def put_capture_settings(
    session: SessionDep,
    actor: Annotated[Actor, actor_with(Permission.users_manage)],
    body: CaptureSettings,
) -> CaptureSettings:
    """Set what a lead matching an open one by phone or e-mail does: merge, create, reject."""
    touches.set_policy(session, actor=actor, value=body.duplicate_policy)
    return body


@intake_router.get("/duplicates", response_model=list[DuplicatePair])
def list_duplicates(
    session: SessionDep, actor: Annotated[Actor, actor_with(Permission.leads_read)]
) -> Any:
    """Pairs of live leads that look like one buyer (same phone, e-mail or name)."""
    return duplicates.likely_duplicates(session, tenant_id=actor.tenant_id)


@intake_router.post(
    "/duplicates/merge",
    response_model=LeadPublic,
    responses={404: {"description": "No such live lead in this tenant"}},
)
def merge_leads(
    session: SessionDep,
    actor: Annotated[Actor, actor_with(Permission.leads_write)],
    body: MergeIn,
) -> Any:
    """Merge ``duplicate_id`` into ``survivor_id``; the survivor is answered."""
    return merge.merge_leads(
        session, actor=actor, survivor_id=body.survivor_id, duplicate_id=body.duplicate_id
    )


@attribution_router.get("", response_model=list[AttributionRulePublic])
def list_attribution_rules(
    session: SessionDep, actor: Annotated[Actor, actor_with(Permission.campaigns_read)]
) -> Any:
    """The tenant's attribution rules in the order they are tried."""
    return attribution.list_rules(session, tenant_id=actor.tenant_id)


@assignment_router.get("", response_model=list[AssignmentRulePublic])
def list_assignment_rules(
    session: SessionDep, actor: Annotated[Actor, actor_with(Permission.campaigns_read)]
) -> Any:
    """The tenant's assignment rules in the order they are tried."""
    stmt = ASSIGNMENT_RULES.listing(tenant_id=actor.tenant_id).order_by(
        AssignmentRule.priority, AssignmentRule.created_at, AssignmentRule.id
    )
    return list(session.scalars(stmt))


add_record_routes(
    attribution_router,
    kind=ATTRIBUTION_RULES,
    create_schema=AttributionRuleCreate,
    update_schema=AttributionRuleUpdate,
    public_schema=AttributionRulePublic,
    read=Permission.campaigns_read,
    write=Permission.campaigns_write,
)
add_record_routes(
    assignment_router,
    kind=ASSIGNMENT_RULES,
    create_schema=AssignmentRuleCreate,
    update_schema=AssignmentRuleUpdate,
    public_schema=AssignmentRulePublic,
    read=Permission.campaigns_read,
    write=Permission.campaigns_write,
)

ROUTERS = [capture_router, intake_router, attribution_router, assignment_router]
