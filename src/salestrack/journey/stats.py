"""Engagement statistics of one lead.

- counts by type, channel and status over the lead's live engagements (every type and
  channel is listed, zeros included);
- ``response_rate``: percent (2 decimals) of *completed* engagements that got a response;
  null with no completed engagement;
- call duration: total and average ``duration_seconds`` of completed ``call_made``
  engagements that have one (average null without any);
- ``last_engagement_date``: the latest completed engagement;
- ``days_since_last_touch``: days (tenant's zone) since the latest completed engagement
  or milestone other than ``lead_generated``, ignoring anything dated in the future;
  null when the lead was never touched.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from sqlalchemy import func
from sqlalchemy.orm import Session

from salestrack.auth import clock
from salestrack.auth.context import Actor
from salestrack.journey.engagements import lead_engagements
from salestrack.journey.milestones import lead_milestones
from salestrack.journey.models import (
    EngagementChannel,
    EngagementStatus,
    EngagementType,
    LeadMilestone,
    MilestoneType,
)
from salestrack.journey.report_schemas import EngagementStatsPublic
from salestrack.leads import service as leads

HUNDRED = Decimal(100)
CENT = Decimal("0.01")


def engagement_stats(
    session: Session, *, actor: Actor, lead_id: uuid.UUID
) -> EngagementStatsPublic:
    """The numbers above for one lead (404 for a lead not in the actor's tenant)."""
    leads.read_lead(session, actor=actor, lead_id=lead_id)
    zone = clock.tenant_zone(session, actor.tenant_id)
    today = clock.today(zone)
    rows = list(session.scalars(lead_engagements(tenant_id=actor.tenant_id, lead_id=lead_id)))
    by_type = {t.value: 0 for t in EngagementType}
    by_channel = {c.value: 0 for c in EngagementChannel}
    by_status = {s.value: 0 for s in EngagementStatus}
    for row in rows:
        by_type[str(row.engagement_type)] += 1
        by_channel[str(row.engagement_channel)] += 1
        by_status[str(row.status)] += 1
    completed = [r for r in rows if r.status == EngagementStatus.completed]
    answered = sum(1 for r in completed if r.response_received)
    calls = [
        r.duration_seconds
        for r in completed
        if r.engagement_type == EngagementType.call_made and r.duration_seconds is not None
    ]
    last_engagement = max((r.engagement_date for r in completed), default=None)
    milestone_day = session.scalar(
        lead_milestones(tenant_id=actor.tenant_id, lead_id=lead_id)
        .where(
            LeadMilestone.milestone_type != MilestoneType.lead_generated,
            LeadMilestone.milestone_date <= today,
        )
        .with_only_columns(func.max(LeadMilestone.milestone_date))
    )
    touch_days = [clock.local_day(r.engagement_date, zone) for r in completed]
    touch_days = [d for d in (*touch_days, milestone_day) if d is not None and d <= today]
    last_touch = max(touch_days, default=None)
    return EngagementStatsPublic(
        lead_id=lead_id,
        total_engagements=len(rows),
        by_type=by_type,
        by_channel=by_channel,
        by_status=by_status,
        responses_received=sum(1 for r in rows if r.response_received),
        response_rate=((HUNDRED * answered / len(completed)).quantize(CENT) if completed else None),
        total_call_duration_seconds=sum(calls),
        average_call_duration_seconds=(
            (Decimal(sum(calls)) / len(calls)).quantize(CENT) if calls else None
        ),
        last_engagement_date=last_engagement,
        last_touch_date=last_touch,
        days_since_last_touch=(today - last_touch).days if last_touch else None,
    )
