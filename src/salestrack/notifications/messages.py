"""What a notification says, written when it is read, for the reader's role.

The message never holds an amount: ``amount`` goes beside it, and to a reader whose role
may not read money (a sales rep) it is withheld (``amount_hidden``), like the timeline's
conversion value. Decided when read, not when written, so a role changed later sees only
what it may see now.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from salestrack.auth.context import Actor
from salestrack.auth.roles import Permission
from salestrack.notifications.models import Notification, NotificationKind


@dataclass(frozen=True)
class Shown:
    """One notification as its reader sees it (the API's and the page's item)."""

    id: uuid.UUID
    kind: str
    message: str
    lead_id: uuid.UUID | None
    link: str | None
    due_date: date | None
    amount: Decimal | None
    amount_hidden: bool
    read: bool
    read_at: datetime | None
    created_at: datetime


def _lead(data: dict[str, Any]) -> str:
    name, code = data.get("lead_name") or "a lead", data.get("lead_code")
    return f"{name} ({code})" if code else name


def text(kind: str, data: dict[str, Any]) -> str:
    """The sentence for ``kind`` (no amount, no date: those are fields of their own)."""
    lead = _lead(data)
    if kind == NotificationKind.follow_up_due:
        return f"Follow-up due: {lead}"
    if kind == NotificationKind.lead_assigned:
        return f"Lead assigned to you: {lead}"
    if kind == NotificationKind.booking_created:
        return f"Booking {data.get('booking_code', '')} made on your lead {lead}"
    if kind == NotificationKind.payment_received:
        customer = data.get("customer_name") or "your customer"
        return f"Payment received from {customer}, customer of your lead {lead}"
    return lead


def shown(row: Notification, reader: Actor) -> Shown:
    """``row`` for ``reader``: the amount only if their role may read money."""
    may_see_money = reader.can(Permission.money_read)
    has_amount = row.amount is not None
    return Shown(
        id=row.id,
        kind=str(row.kind),
        message=text(str(row.kind), row.data),
        lead_id=row.lead_id,
        link=f"/leads/{row.lead_id}" if row.lead_id else None,
        due_date=row.subject_date if row.kind == NotificationKind.follow_up_due else None,
        amount=row.amount if may_see_money else None,
        amount_hidden=has_amount and not may_see_money,
        read=row.read_at is not None,
        read_at=row.read_at,
        created_at=row.created_at,
    )
