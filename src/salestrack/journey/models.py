"""Milestones, engagements and the status history of a lead."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    Index,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from salestrack.core.db import (
    Audited,
    Base,
    TenantKeyed,
    UTCDateTime,
    tenant_fk,
    tenant_pk,
    tenant_root_fk,
    utcnow,
)


class MilestoneType(StrEnum):
    lead_generated = "lead_generated"
    contacted = "contacted"
    site_visit = "site_visit"
    revisit = "revisit"
    demo = "demo"
    proposal = "proposal"
    negotiation = "negotiation"
    booking = "booking"
    cancellation = "cancellation"
    reengaged = "reengaged"


class Outcome(StrEnum):
    positive = "positive"
    neutral = "neutral"
    negative = "negative"


class EngagementType(StrEnum):
    email_sent = "email_sent"
    call_made = "call_made"
    message_sent = "message_sent"
    meeting_scheduled = "meeting_scheduled"
    proposal_sent = "proposal_sent"
    quote_sent = "quote_sent"
    # The buyer enquired again (a capture or form that matched this lead): inbound, so it
    # neither counts as the rep's first contact nor closes follow-ups.
    enquiry_received = "enquiry_received"


class EngagementChannel(StrEnum):
    email = "email"
    phone = "phone"
    sms = "sms"
    whatsapp = "whatsapp"
    in_person = "in_person"
    video = "video"


class EngagementStatus(StrEnum):
    scheduled = "scheduled"
    completed = "completed"
    cancelled = "cancelled"


class StatusCause(StrEnum):
    """Why a lead's status changed: its creation, a milestone, an engagement, or a PATCH."""

    created = "created"
    milestone = "milestone"
    engagement = "engagement"
    manual = "manual"


class FollowUpClosure(StrEnum):
    """How an open follow-up was closed."""

    done = "done"
    milestone = "milestone"
    engagement = "engagement"


class LeadMilestone(TenantKeyed, Audited, Base):
    __tablename__ = "lead_milestones"
    __table_args__ = (
        tenant_pk(),
        tenant_root_fk(),
        tenant_fk("lead_id", "leads"),
        tenant_fk("visited_by", "users"),
        Index(
            "ix_lead_milestones_lead_order",
            "tenant_id",
            "lead_id",
            "milestone_date",
            "sort_time",
            "created_at",
        ),
        Index("ix_lead_milestones_follow_up", "tenant_id", "follow_up_date"),
    )

    lead_id: Mapped[uuid.UUID] = mapped_column(nullable=False)
    milestone_type: Mapped[MilestoneType] = mapped_column(String(20), nullable=False)
    milestone_date: Mapped[date] = mapped_column(Date, nullable=False)
    milestone_time: Mapped[time | None] = mapped_column(Time)
    # ``milestone_time`` or midnight: a non-null key for ordering and cursors.
    sort_time: Mapped[time] = mapped_column(Time, nullable=False)
    status_before: Mapped[str | None] = mapped_column(String(20))
    status_after: Mapped[str] = mapped_column(String(20), nullable=False)
    location_name: Mapped[str | None] = mapped_column(String(200))
    location_latitude: Mapped[float | None] = mapped_column(Float)
    location_longitude: Mapped[float | None] = mapped_column(Float)
    visited_by: Mapped[uuid.UUID | None] = mapped_column()
    duration_minutes: Mapped[int | None] = mapped_column(Integer)
    outcome: Mapped[Outcome | None] = mapped_column(String(10))
    follow_up_required: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    follow_up_date: Mapped[date | None] = mapped_column(Date)
    # A local time of day in the tenant's zone: a timed follow-up gets an alert before it.
    follow_up_time: Mapped[time | None] = mapped_column(Time)
    follow_up_closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    follow_up_closed_by: Mapped[FollowUpClosure | None] = mapped_column(String(20))
    follow_up_closed_by_id: Mapped[uuid.UUID | None] = mapped_column()
    notes: Mapped[str] = mapped_column(Text, nullable=False, default="")
    # ``metadata`` is reserved on declarative classes; the column keeps the API's name.
    meta: Mapped[dict[str, Any]] = mapped_column("metadata", JSON, nullable=False, default=dict)


class LeadEngagement(TenantKeyed, Audited, Base):
    __tablename__ = "lead_engagements"
    __table_args__ = (
        tenant_pk(),
        tenant_root_fk(),
        tenant_fk("lead_id", "leads"),
        Index(
            "ix_lead_engagements_lead_order",
            "tenant_id",
            "lead_id",
            "engagement_date",
            "created_at",
        ),
    )

    lead_id: Mapped[uuid.UUID] = mapped_column(nullable=False)
    engagement_type: Mapped[EngagementType] = mapped_column(String(20), nullable=False)
    engagement_channel: Mapped[EngagementChannel] = mapped_column(String(20), nullable=False)
    engagement_date: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    subject: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    notes: Mapped[str] = mapped_column(Text, nullable=False, default="")
    status: Mapped[EngagementStatus] = mapped_column(String(20), nullable=False)
    response_received: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    response_date: Mapped[datetime | None] = mapped_column(UTCDateTime())
    response_notes: Mapped[str] = mapped_column(Text, nullable=False, default="")
    duration_seconds: Mapped[int | None] = mapped_column(Integer)


class LeadStatusHistory(TenantKeyed, Base):
    """Append-only: entry ``n`` goes from entry ``n-1``'s status to the next one.

    ``seq`` is numbered per lead under the lead's row lock, and unique, so two writers
    can never both append entry ``n``.
    """

    __tablename__ = "lead_status_history"
    __table_args__ = (
        tenant_pk(),
        tenant_root_fk(),
        tenant_fk("lead_id", "leads"),
        UniqueConstraint("tenant_id", "lead_id", "seq"),
    )

    lead_id: Mapped[uuid.UUID] = mapped_column(nullable=False)
    seq: Mapped[int] = mapped_column(Integer, nullable=False)
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20), nullable=False)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    cause: Mapped[StatusCause] = mapped_column(String(20), nullable=False)
    cause_id: Mapped[uuid.UUID | None] = mapped_column()
    actor_id: Mapped[uuid.UUID | None] = mapped_column()
