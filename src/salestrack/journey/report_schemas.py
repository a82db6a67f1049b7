"""Response shapes of the journey's read models: follow-ups, the timeline, engagement stats."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel

from salestrack.core.schema_base import OutputModel
from salestrack.journey.models import MilestoneType
from salestrack.journey.schemas import EngagementPublic, MilestonePublic, TimeOfDay


class FollowUpPublic(OutputModel):
    milestone_id: uuid.UUID
    milestone_type: MilestoneType
    milestone_date: date
    follow_up_date: date
    follow_up_time: TimeOfDay | None
    overdue: bool
    days_overdue: int
    notes: str
    lead_id: uuid.UUID
    lead_code: str
    lead_name: str
    assigned_to: uuid.UUID | None


class FollowUpPage(BaseModel):
    items: list[FollowUpPublic]
    next_cursor: str | None


class TimelineEvent(BaseModel):
    """One step of the journey; ``event_date``/``event_time`` are in the tenant's zone."""

    kind: Literal["milestone", "engagement"]
    id: uuid.UUID
    event_type: str
    event_date: date
    event_time: TimeOfDay | None
    milestone: MilestonePublic | None = None
    engagement: EngagementPublic | None = None


class TimelinePublic(BaseModel):
    lead_id: uuid.UUID
    lead_code: str
    lead_name: str
    status: str
    events: list[TimelineEvent]
    truncated: bool
    conversion_time_days: int | None
    engagement_points: int
    conversion_value: Decimal | None
    conversion_value_hidden: bool


class EngagementStatsPublic(BaseModel):
    lead_id: uuid.UUID
    total_engagements: int
    by_type: dict[str, int]
    by_channel: dict[str, int]
    by_status: dict[str, int]
    responses_received: int
    response_rate: Decimal | None
    total_call_duration_seconds: int
    average_call_duration_seconds: Decimal | None
    last_engagement_date: datetime | None
    last_touch_date: date | None
    days_since_last_touch: int | None
