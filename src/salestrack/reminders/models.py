"""One reminder to one user for one slot: the worker's job and the send record at once.

The unique ``(tenant_id, user_id, kind, slot)`` is what keeps a reminder from being mailed
twice: however many workers schedule it, one row exists, and only the worker holding that
row's claim when the message data begins may send it (``phase``).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, Integer, String, UniqueConstraint
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
from salestrack.core.jobs import Queued


class ReminderKind(StrEnum):
    digest = "digest"  # the user's follow-ups due today and overdue
    alert = "alert"  # one timed follow-up, a set time before it
    team_digest = "team_digest"  # every overdue follow-up of the tenant, for managers


class Phase(StrEnum):
    queued = "queued"  # nothing handed to the SMTP server yet: safe to try again
    data = "data"  # the message data began: the server may have it, never sent again


class Outcome(StrEnum):
    """How a finished reminder ended (``status`` says whether the job is done)."""

    sent = "sent"
    no_smtp = "no_smtp"  # no SALESTRACK_SMTP_URL: in-app only, nothing mailed
    nothing_due = "nothing_due"  # a digest with nothing to list
    follow_up_closed = "follow_up_closed"  # the alert's follow-up was done, moved or deleted
    user_inactive = "user_inactive"
    turned_off = "turned_off"  # the user switched this kind off after it was scheduled
    expired = "expired"  # not sent before its moment passed (e.g. a long outage)
    rejected = "rejected"  # the SMTP server refused it (5xx), or attempts ran out
    uncertain = "uncertain"  # the connection failed after the message data began


class Reminder(TenantKeyed, Queued, Base):
    __tablename__ = "reminders"
    __table_args__ = (
        tenant_pk(),
        tenant_root_fk(),
        tenant_fk("user_id", "users"),
        UniqueConstraint("tenant_id", "user_id", "kind", "slot"),
        Index("ix_reminders_due", "tenant_id", "status", "next_attempt_at"),
        Index("ix_reminders_finished", "tenant_id", "finished_at"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(nullable=False)
    kind: Mapped[ReminderKind] = mapped_column(String(20), nullable=False)
    # digest and team digest: the local day ("2026-12-01"); alert: the follow-up and its
    # local date and time ("<milestone id>@2026-12-01T10:30"), so a moved follow-up is a new slot.
    slot: Mapped[str] = mapped_column(String(80), nullable=False)
    milestone_id: Mapped[uuid.UUID | None] = mapped_column(nullable=True)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    phase: Mapped[Phase] = mapped_column(String(10), nullable=False, default=Phase.queued)
    outcome: Mapped[Outcome | None] = mapped_column(String(20), nullable=True)
    items: Mapped[int] = mapped_column(Integer(), nullable=False, default=0)
    recipient: Mapped[str] = mapped_column(String(254), nullable=False, default="")
    message_id: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
