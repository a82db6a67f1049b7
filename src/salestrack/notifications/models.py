"""One row per thing a user is told about, written in the transaction of its cause."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Date, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from salestrack.core.db import (
    Base,
    TenantKeyed,
    UTCDateTime,
    tenant_fk,
    tenant_pk,
    tenant_root_fk,
    utcnow,
)


class NotificationKind(StrEnum):
    follow_up_due = "follow_up_due"
    lead_assigned = "lead_assigned"
    booking_created = "booking_created"
    payment_received = "payment_received"


class Notification(TenantKeyed, Base):
    """A message to ``user_id`` about ``subject_id`` (a follow-up milestone, a lead, a
    booking or a ledger entry).

    ``data`` holds the names the message is written with (codes, the lead's name), never an
    amount: the amount is ``amount``, shown only to readers whose role may see money, so a
    role changed later still sees only what it may. ``subject_date`` is the due day of a
    follow-up: with the unique key it makes "follow-up due" once per follow-up, due day and
    owner, however many workers look (NULL for the other kinds, which are never unique).
    """

    __tablename__ = "notifications"
    __table_args__ = (
        tenant_pk(),
        tenant_root_fk(),
        tenant_fk("user_id", "users"),
        tenant_fk("lead_id", "leads"),
        UniqueConstraint("tenant_id", "kind", "subject_id", "subject_date", "user_id"),
        Index("ix_notifications_user_created", "tenant_id", "user_id", "created_at", "id"),
        Index("ix_notifications_user_unread", "tenant_id", "user_id", "read_at"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(nullable=False)
    kind: Mapped[NotificationKind] = mapped_column(String(30), nullable=False)
    subject_id: Mapped[uuid.UUID] = mapped_column(nullable=False)
    subject_date: Mapped[date | None] = mapped_column(Date())
    lead_id: Mapped[uuid.UUID | None] = mapped_column()
    actor_id: Mapped[uuid.UUID | None] = mapped_column()
    amount: Mapped[Decimal | None] = mapped_column()
    data: Mapped[dict[str, Any]] = mapped_column(JSON(), nullable=False, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
