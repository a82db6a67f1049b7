"""What a flush changed, as the live floor names it: a kind and ids, never a value.

A change says *that* something happened to a record (``milestone.recorded`` on lead X),
so a page knows what to fetch again through the same checks as any page load. It carries
no names, amounts or notes, so a message is safe to pass through PostgreSQL and to every
process; what a viewer may know of it is decided by kind (``visible_to``).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.orm import Session

from salestrack.auth.models import User
from salestrack.auth.roles import Permission, Role, allows
from salestrack.journey.models import LeadEngagement, LeadMilestone, LeadStatusHistory
from salestrack.leads.models import Lead
from salestrack.money.models import Booking, LedgerEntry

LEAD_CREATED = "lead.created"
LEAD_ASSIGNED = "lead.assigned"
LEAD_UPDATED = "lead.updated"
LEAD_DELETED = "lead.deleted"
LEAD_STATUS = "lead.status"
MILESTONE_RECORDED = "milestone.recorded"
MILESTONE_CHANGED = "milestone.changed"
FOLLOW_UP_CHANGED = "follow_up.changed"
ENGAGEMENT_RECORDED = "engagement.recorded"
ENGAGEMENT_CHANGED = "engagement.changed"
BOOKING_CHANGED = "booking.changed"
LEDGER_POSTED = "ledger.posted"
# More changes in one transaction than a message holds: "refresh whatever you show".
BULK = "bulk"
BULK_MONEY = "bulk.money"
# Never sent to a page: a user's role, activity or session epoch may have changed, so open
# streams of that user (or, without an id, of the tenant) check their viewer again now.
USER_CHANGED = "user.changed"

MONEY_KINDS = frozenset({BOOKING_CHANGED, LEDGER_POSTED, BULK_MONEY})
CONTROL_KINDS = frozenset({USER_CHANGED})
_FOLLOW_UP_FIELDS = ("follow_up_required", "follow_up_date", "follow_up_closed_at")


@dataclass(frozen=True, order=True)
class Change:
    """One thing that happened in a tenant: ``kind`` to record ``id`` (of lead ``lead_id``)."""

    kind: str
    lead_id: uuid.UUID | None = None
    id: uuid.UUID | None = None

    @property
    def money(self) -> bool:
        return self.kind in MONEY_KINDS


def visible_to(role: Role, change: Change) -> bool:
    """Whether a viewer with ``role`` may be told of ``change``: money only to those who
    read money (a sales rep does not), control changes to nobody."""
    if change.kind in CONTROL_KINDS:
        return False
    return not change.money or allows(role, Permission.money_read)


def _changed(row: Any, *names: str) -> bool:
    attrs = inspect(row).attrs
    return any(attrs[name].history.has_changes() for name in names)


def _lead(row: Lead, created: bool) -> Iterator[Change]:
    if created:
        yield Change(LEAD_CREATED, row.id, row.id)
        if row.assigned_to is not None:
            yield Change(LEAD_ASSIGNED, row.id, row.id)
        return
    if _changed(row, "deleted_at") and row.deleted_at is not None:
        yield Change(LEAD_DELETED, row.id, row.id)
    elif _changed(row, "assigned_to"):
        yield Change(LEAD_ASSIGNED, row.id, row.id)
    else:
        yield Change(LEAD_UPDATED, row.id, row.id)


def _milestone(row: LeadMilestone, created: bool) -> Iterator[Change]:
    if created:
        yield Change(MILESTONE_RECORDED, row.lead_id, row.id)
        if row.follow_up_required:
            yield Change(FOLLOW_UP_CHANGED, row.lead_id, row.id)
        return
    yield Change(MILESTONE_CHANGED, row.lead_id, row.id)
    if row.follow_up_required and (
        _changed(row, *_FOLLOW_UP_FIELDS) or _changed(row, "deleted_at")
    ):
        yield Change(FOLLOW_UP_CHANGED, row.lead_id, row.id)


def of_row(row: Any, *, created: bool) -> Iterator[Change]:
    """The changes one flushed row stands for (most rows: none)."""
    if isinstance(row, Lead):
        yield from _lead(row, created)
    elif isinstance(row, LeadMilestone):
        yield from _milestone(row, created)
    elif isinstance(row, LeadStatusHistory):
        yield Change(LEAD_STATUS, row.lead_id, row.lead_id)
    elif isinstance(row, LeadEngagement):
        kind = ENGAGEMENT_RECORDED if created else ENGAGEMENT_CHANGED
        yield Change(kind, row.lead_id, row.id)
    elif isinstance(row, Booking):
        yield Change(BOOKING_CHANGED, row.lead_id, row.id)
    elif isinstance(row, LedgerEntry):
        yield Change(LEDGER_POSTED, None, row.customer_id)
    elif isinstance(row, User) and not created:
        yield Change(USER_CHANGED, None, row.id)


def of_flush(session: Session) -> Iterator[tuple[uuid.UUID, Change]]:
    """``(tenant_id, change)`` for every row the flush about to finish wrote."""
    for rows, created in ((session.new, True), (session.dirty, False)):
        for row in _tenant_rows(rows):
            if created or session.is_modified(row):
                for change in of_row(row, created=created):
                    yield row.tenant_id, change


def _tenant_rows(rows: Iterable[Any]) -> Iterator[Any]:
    return (row for row in rows if isinstance(getattr(row, "tenant_id", None), uuid.UUID))
