"""What a user's calendar holds, read from the journey: three kinds of entry.

- **Follow-ups**: the open follow-ups of the live leads the user owns, all-day on their
  due day (the follow-ups page's list, ``journey.followups``, for one owner).
- **Site visits**: ``site_visit`` and ``revisit`` milestones the user makes (``visited_by``)
  or, naming nobody, on a lead the user owns; at their local time for
  ``duration_minutes`` (an hour when not given), all-day when they have no time.
- **Meetings**: ``meeting_scheduled`` engagements still ``scheduled``, on leads the user
  owns, at their moment for ``duration_seconds`` (an hour when not given).

Visits and meetings reach back ``HISTORY_DAYS`` (what happened recently stays on the
calendar; older ones drop off) and forward without limit; deleted ones and those of
deleted leads are not there.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from salestrack.auth import clock
from salestrack.core.db import utcnow
from salestrack.journey.models import (
    EngagementStatus,
    EngagementType,
    LeadEngagement,
    LeadMilestone,
    MilestoneType,
)
from salestrack.leads.models import Lead

HISTORY_DAYS = 30
DEFAULT_LENGTH = timedelta(hours=1)
VISITS = (MilestoneType.site_visit.value, MilestoneType.revisit.value)


@dataclass(frozen=True)
class Entry:
    """One calendar event: all-day (``day``) or timed (``start``/``end``, UTC)."""

    uid: str
    kind: str
    title: str
    lead_id: uuid.UUID
    lead_code: str
    lead_name: str
    details: str
    modified: datetime
    day: date | None = None
    start: datetime | None = None
    end: datetime | None = None
    location: str | None = None


def follow_ups(session: Session, *, tenant_id: uuid.UUID, user_id: uuid.UUID) -> list[Entry]:
    stmt = (
        select(LeadMilestone, Lead)
        .join(
            Lead, and_(Lead.tenant_id == LeadMilestone.tenant_id, Lead.id == LeadMilestone.lead_id)
        )
        .where(
            LeadMilestone.tenant_id == tenant_id,
            LeadMilestone.deleted_at.is_(None),
            LeadMilestone.follow_up_required.is_(True),
            LeadMilestone.follow_up_closed_at.is_(None),
            LeadMilestone.follow_up_date.is_not(None),
            Lead.deleted_at.is_(None),
            Lead.assigned_to == user_id,
        )
        .order_by(LeadMilestone.follow_up_date, LeadMilestone.id)
    )
    found = []
    for milestone, lead in session.execute(stmt).all():
        after = str(milestone.milestone_type).replace("_", " ")
        details = f"Follow-up after the {after} of {milestone.milestone_date.isoformat()}."
        found.append(
            Entry(
                uid=f"follow-up-{milestone.id}@salestrack",
                kind="follow_up",
                title=f"Follow up: {lead.name} ({lead.lead_code})",
                lead_id=lead.id,
                lead_code=lead.lead_code,
                lead_name=lead.name,
                details=_with_notes(details, milestone.notes),
                modified=milestone.updated_at,
                day=milestone.follow_up_date,
            )
        )
    return found


def site_visits(
    session: Session, *, tenant_id: uuid.UUID, user_id: uuid.UUID, zone: ZoneInfo
) -> list[Entry]:
    since = clock.today(zone) - timedelta(days=HISTORY_DAYS)
    mine = or_(
        LeadMilestone.visited_by == user_id,
        and_(LeadMilestone.visited_by.is_(None), Lead.assigned_to == user_id),
    )
    stmt = (
        select(LeadMilestone, Lead)
        .join(
            Lead, and_(Lead.tenant_id == LeadMilestone.tenant_id, Lead.id == LeadMilestone.lead_id)
        )
        .where(
            LeadMilestone.tenant_id == tenant_id,
            LeadMilestone.deleted_at.is_(None),
            LeadMilestone.milestone_type.in_(VISITS),
            LeadMilestone.milestone_date >= since,
            Lead.deleted_at.is_(None),
            mine,
        )
        .order_by(LeadMilestone.milestone_date, LeadMilestone.sort_time, LeadMilestone.id)
    )
    found = []
    for visit, lead in session.execute(stmt).all():
        label = "Site visit" if visit.milestone_type == MilestoneType.site_visit else "Revisit"
        entry = Entry(
            uid=f"visit-{visit.id}@salestrack",
            kind="site_visit",
            title=f"{label}: {lead.name} ({lead.lead_code})",
            lead_id=lead.id,
            lead_code=lead.lead_code,
            lead_name=lead.name,
            details=_with_notes(f"{label} with {lead.name}.", visit.notes),
            modified=visit.updated_at,
            location=visit.location_name or None,
        )
        found.append(_timed_visit(entry, visit, zone))
    return found


def _timed_visit(entry: Entry, visit: LeadMilestone, zone: ZoneInfo) -> Entry:
    if visit.milestone_time is None:
        return replace(entry, day=visit.milestone_date)
    local = datetime.combine(visit.milestone_date, visit.milestone_time, tzinfo=zone)
    start = local.astimezone(UTC)
    minutes = visit.duration_minutes
    length = timedelta(minutes=minutes) if minutes else DEFAULT_LENGTH
    return replace(entry, start=start, end=start + length)


def meetings(session: Session, *, tenant_id: uuid.UUID, user_id: uuid.UUID) -> list[Entry]:
    since = utcnow() - timedelta(days=HISTORY_DAYS)
    stmt = (
        select(LeadEngagement, Lead)
        .join(
            Lead,
            and_(Lead.tenant_id == LeadEngagement.tenant_id, Lead.id == LeadEngagement.lead_id),
        )
        .where(
            LeadEngagement.tenant_id == tenant_id,
            LeadEngagement.deleted_at.is_(None),
            LeadEngagement.engagement_type == EngagementType.meeting_scheduled.value,
            LeadEngagement.status == EngagementStatus.scheduled.value,
            LeadEngagement.engagement_date >= since,
            Lead.deleted_at.is_(None),
            Lead.assigned_to == user_id,
        )
        .order_by(LeadEngagement.engagement_date, LeadEngagement.id)
    )
    found = []
    for meeting, lead in session.execute(stmt).all():
        channel = str(meeting.engagement_channel).replace("_", " ")
        subject = f" — {meeting.subject}" if meeting.subject else ""
        seconds = meeting.duration_seconds
        length = timedelta(seconds=seconds) if seconds else DEFAULT_LENGTH
        found.append(
            Entry(
                uid=f"meeting-{meeting.id}@salestrack",
                kind="meeting",
                title=f"Meeting ({channel}): {lead.name} ({lead.lead_code}){subject}",
                lead_id=lead.id,
                lead_code=lead.lead_code,
                lead_name=lead.name,
                details=_with_notes(f"Meeting with {lead.name} ({channel}).", meeting.notes),
                modified=meeting.updated_at,
                start=meeting.engagement_date,
                end=meeting.engagement_date + length,
            )
        )
    return found


def for_user(
    session: Session, *, tenant_id: uuid.UUID, user_id: uuid.UUID, zone: ZoneInfo
) -> list[Entry]:
    """Every entry of the user's calendar."""
    return [
        *follow_ups(session, tenant_id=tenant_id, user_id=user_id),
        *site_visits(session, tenant_id=tenant_id, user_id=user_id, zone=zone),
        *meetings(session, tenant_id=tenant_id, user_id=user_id),
    ]


def _with_notes(text: str, notes: str) -> str:
    return f"{text}\n\n{notes.strip()}" if notes and notes.strip() else text
