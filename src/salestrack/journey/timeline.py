"""A lead's timeline: milestones and engagements merged in time order, with its numbers.

- ``engagement_points``: touchpoints, i.e. milestones other than ``lead_generated`` plus
  completed engagements (scheduled and cancelled ones have not touched anyone yet).
- ``conversion_time_days``: days from ``lead_generated`` to the first ``booking``
  milestone; null before a booking.
- ``conversion_value``: asked of the ``CONVERSION_VALUE`` hook point (below); null when none
  answers, and withheld (``conversion_value_hidden``) from roles that may not read money,
  as are the money keys of milestones' metadata (a proposal's or a booking's amount).

Reading a timeline costs a fixed number of queries whatever its length: the lead, the
tenant's zone, all milestones, all engagements, then one call per registered provider.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, time
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from salestrack.auth import clock
from salestrack.auth.context import Actor
from salestrack.auth.roles import Permission
from salestrack.core import reads
from salestrack.core.hooks import HookPoint
from salestrack.journey.engagements import ORDER as ENGAGEMENT_ORDER
from salestrack.journey.milestones import ORDER as MILESTONE_ORDER
from salestrack.journey.models import EngagementStatus, LeadEngagement, LeadMilestone, MilestoneType
from salestrack.journey.report_schemas import TimelineEvent, TimelinePublic
from salestrack.journey.schemas import EngagementPublic, milestone_for
from salestrack.leads import service as leads

ConversionValueProvider = Callable[[Session, uuid.UUID, uuid.UUID], Decimal | None]
"""``(session, tenant_id, lead_id) -> amount or None``, called inside the reading request."""

CONVERSION_VALUE: HookPoint[ConversionValueProvider] = HookPoint("journey.conversion_value")
"""The money domain answers here (the booking amount of the lead), installed by the wiring.
The first provider that returns a value wins; with none, the value is null. A provider must
run a constant number of queries."""

MAX_EVENTS = 2000  # per kind; a real lead has tens (the timeline says when it is cut)


def _events_of_lead(model: Any, order: tuple[Any, ...]) -> reads.Prepared:
    """A lead's live milestones or engagements in order, one more than a timeline shows."""
    stmt = select(*reads.entity_columns(model)).where(
        model.tenant_id == bindparam("tenant_id"),
        model.lead_id == bindparam("lead_id"),
        model.deleted_at.is_(None),
    )
    return reads.Prepared(stmt.order_by(*order).limit(MAX_EVENTS + 1))


# Read as column rows (``core.reads``): a timeline only shows them.
_MILESTONES = _events_of_lead(LeadMilestone, MILESTONE_ORDER)
_ENGAGEMENTS = _events_of_lead(LeadEngagement, ENGAGEMENT_ORDER)


def _conversion_value(session: Session, actor: Actor, lead_id: uuid.UUID) -> Decimal | None:
    for provider in CONVERSION_VALUE.handlers(session):
        value = provider(session, actor.tenant_id, lead_id)
        if value is not None:
            return value
    return None


def _milestone_event(row: Any, can_see_money: bool) -> tuple[tuple[Any, ...], TimelineEvent]:
    """``row``: a milestone's columns with attribute access (``reads.as_objects``)."""
    event = TimelineEvent(
        kind="milestone",
        id=row.id,
        event_type=str(row.milestone_type),
        event_date=row.milestone_date,
        event_time=row.milestone_time,
        milestone=milestone_for(row, can_see_money=can_see_money),
    )
    return (row.milestone_date, row.sort_time, row.created_at), event


def _engagement_event(row: Any, zone: Any) -> tuple[tuple[Any, ...], TimelineEvent]:
    local = clock.local(row.engagement_date, zone)
    at: time = local.time().replace(tzinfo=None)
    event = TimelineEvent(
        kind="engagement",
        id=row.id,
        event_type=str(row.engagement_type),
        event_date=local.date(),
        event_time=at,
        engagement=EngagementPublic.model_validate(row),
    )
    return (local.date(), at, row.created_at), event


def _conversion_days(milestones: list[Any], lead_date: date) -> int | None:
    bookings: list[date] = [
        m.milestone_date for m in milestones if m.milestone_type == MilestoneType.booking
    ]
    if not bookings:
        return None
    generated = [
        m.milestone_date for m in milestones if m.milestone_type == MilestoneType.lead_generated
    ]
    return (min(bookings) - (generated[0] if generated else lead_date)).days


def lead_timeline(session: Session, *, actor: Actor, lead_id: uuid.UUID) -> TimelinePublic:
    """The lead's whole journey in order (404 for a lead not in the actor's tenant)."""
    lead = leads.read_lead(session, actor=actor, lead_id=lead_id)
    zone = clock.tenant_zone(session, actor.tenant_id)
    params = {"tenant_id": actor.tenant_id, "lead_id": lead_id}
    milestones: list[Any] = reads.as_objects(_MILESTONES.rows(session, params))
    engagements: list[Any] = reads.as_objects(_ENGAGEMENTS.rows(session, params))
    truncated = len(milestones) > MAX_EVENTS or len(engagements) > MAX_EVENTS
    milestones, engagements = milestones[:MAX_EVENTS], engagements[:MAX_EVENTS]
    can_see_money = actor.can(Permission.money_read)
    keyed = [_milestone_event(m, can_see_money) for m in milestones]
    keyed += [_engagement_event(e, zone) for e in engagements]
    # At the same moment a milestone comes before an engagement, then order of entry.
    keyed.sort(key=lambda pair: (*pair[0][:2], pair[1].kind != "milestone", pair[0][2]))
    points = sum(1 for m in milestones if m.milestone_type != MilestoneType.lead_generated)
    points += sum(1 for e in engagements if e.status == EngagementStatus.completed)
    return TimelinePublic(
        lead_id=lead.id,
        lead_code=lead.lead_code,
        lead_name=lead.name,
        status=str(lead.status),
        events=[event for _key, event in keyed],
        truncated=truncated,
        conversion_time_days=_conversion_days(milestones, lead.lead_date),
        engagement_points=points,
        conversion_value=_conversion_value(session, actor, lead.id) if can_see_money else None,
        conversion_value_hidden=not can_see_money,
    )
