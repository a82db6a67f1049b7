"""Recording engagements (calls, emails, meetings...) and the responses that come later.

Rules (422 otherwise): the channel must fit the type (``rules.CHANNELS_FOR_TYPE``, the
422 names the channels that fit); a ``response_date`` needs ``response_received`` and
may not be before the engagement. A completed engagement on a ``new`` lead moves it to
``contacted`` (also when a scheduled one is later marked completed) and closes the lead's
open follow-ups (see ``followups``). Deleting is a soft delete and moves no status back.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Select
from sqlalchemy.orm import Session

from salestrack.auth import clock
from salestrack.auth.context import Actor
from salestrack.core import crud
from salestrack.core.errors import Unprocessable
from salestrack.core.schema_base import zoned
from salestrack.journey import followups, rules, status
from salestrack.journey.models import (
    EngagementChannel,
    EngagementStatus,
    EngagementType,
    FollowUpClosure,
    LeadEngagement,
    StatusCause,
)
from salestrack.journey.paging import ascending_page
from salestrack.journey.schemas import EngagementCreate, EngagementUpdate
from salestrack.leads import service as leads
from salestrack.leads.models import Lead, LeadStatus

ENTITY = "engagement"
ORDER = (LeadEngagement.engagement_date, LeadEngagement.created_at, LeadEngagement.id)


def _check(values: dict[str, Any]) -> None:
    rules.check_channel(
        EngagementType(values["engagement_type"]), EngagementChannel(values["engagement_channel"])
    )
    response_date = values.get("response_date")
    if response_date is not None:
        if not values.get("response_received"):
            raise Unprocessable(
                "response_date is given but response_received is false", field="response_date"
            )
        if response_date < values["engagement_date"]:
            raise Unprocessable(
                "response_date may not be before engagement_date", field="response_date"
            )


def _completed(session: Session, *, actor: Actor, lead: Lead, row: LeadEngagement) -> None:
    """What a completed engagement does to its lead: first touch, and follow-ups closed.
    An inbound enquiry does neither: nobody from the sales floor has acted yet."""
    if row.engagement_type == EngagementType.enquiry_received:
        return
    after = rules.status_after_engagement(LeadStatus(lead.status), completed=True)
    status.move(
        session,
        actor=actor,
        lead=lead,
        to_status=after,
        cause=StatusCause.engagement,
        cause_id=row.id,
    )
    zone = clock.tenant_zone(session, actor.tenant_id)
    followups.close_by_event(
        session,
        actor=actor,
        lead_id=lead.id,
        on=clock.local_day(row.engagement_date, zone),
        how=FollowUpClosure.engagement,
        event_id=row.id,
    )


def record_engagement(session: Session, *, actor: Actor, data: EngagementCreate) -> LeadEngagement:
    """Record a touchpoint on a lead of the actor's tenant (404 otherwise)."""
    values = zoned(data.model_dump(), clock.tenant_zone(session, actor.tenant_id))
    _check(values)
    lead = leads.get_lead(
        session, actor=actor, lead_id=data.lead_id, for_update=True, keys_stay=True
    )
    row = crud.add(session, actor=actor, row=LeadEngagement(**values), entity=ENTITY)
    if row.status == EngagementStatus.completed:
        _completed(session, actor=actor, lead=lead, row=row)
    return row


def get_engagement(
    session: Session, *, actor: Actor, engagement_id: uuid.UUID, for_update: bool = False
) -> LeadEngagement:
    return crud.get_live(
        session,
        LeadEngagement,
        tenant_id=actor.tenant_id,
        row_id=engagement_id,
        label=ENTITY,
        for_update=for_update,
    )


def update_engagement(
    session: Session, *, actor: Actor, engagement_id: uuid.UUID, data: EngagementUpdate
) -> LeadEngagement:
    """Change an engagement (record its response, mark it completed...)."""
    found = get_engagement(session, actor=actor, engagement_id=engagement_id)
    # Lock the lead before the engagement: the same order every journey write takes.
    lead = leads.get_lead(
        session, actor=actor, lead_id=found.lead_id, for_update=True, keys_stay=True
    )
    row = get_engagement(session, actor=actor, engagement_id=engagement_id, for_update=True)
    values = zoned(data.changes(), clock.tenant_zone(session, actor.tenant_id))
    merged = {
        name: values.get(name, getattr(row, name))
        for name in (
            "engagement_type",
            "engagement_channel",
            "engagement_date",
            "response_received",
            "response_date",
        )
    }
    _check(merged)
    was_completed = row.status == EngagementStatus.completed
    crud.change(session, actor=actor, row=row, values=values, entity=ENTITY)
    if not was_completed and row.status == EngagementStatus.completed:
        _completed(session, actor=actor, lead=lead, row=row)
    return row


def delete_engagement(session: Session, *, actor: Actor, engagement_id: uuid.UUID) -> None:
    row = get_engagement(session, actor=actor, engagement_id=engagement_id, for_update=True)
    crud.soft_delete(session, actor=actor, row=row, entity=ENTITY)


def lead_engagements(*, tenant_id: uuid.UUID, lead_id: uuid.UUID) -> Select[tuple[LeadEngagement]]:
    return crud.scoped(LeadEngagement, tenant_id).where(LeadEngagement.lead_id == lead_id)


def list_engagements(
    session: Session, *, actor: Actor, lead_id: uuid.UUID, limit: int, cursor: str | None
) -> tuple[list[LeadEngagement], str | None]:
    """The lead's engagements, oldest first (404 for a lead not in the tenant)."""
    leads.read_lead(session, actor=actor, lead_id=lead_id)
    stmt = lead_engagements(tenant_id=actor.tenant_id, lead_id=lead_id)
    rows, next_cursor = ascending_page(session, stmt, ORDER, limit=limit, cursor=cursor)
    return [r[0] for r in rows], next_cursor
