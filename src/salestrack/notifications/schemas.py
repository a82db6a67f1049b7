"""Notification answers."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from pydantic import Field

from salestrack.core.schema_base import OutputModel
from salestrack.notifications.models import NotificationKind


class NotificationPublic(OutputModel):
    id: uuid.UUID
    kind: NotificationKind
    message: str = Field(description="what happened, in words (never an amount)")
    lead_id: uuid.UUID | None
    link: str | None = Field(description="the lead's page on this site")
    due_date: date | None = Field(description="a follow-up's due day (follow_up_due only)")
    amount: Decimal | None = Field(
        description="the booking's or payment's amount; null when withheld (amount_hidden)"
    )
    amount_hidden: bool = Field(description="there is an amount your role may not see")
    read: bool
    read_at: datetime | None
    created_at: datetime


class UnreadCount(OutputModel):
    unread: int


class MarkedRead(OutputModel):
    marked: int = Field(description="how many were unread until now")
