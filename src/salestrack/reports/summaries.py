"""Keeping the summary tables right in the same transaction as every write.

How: after each flush, note which leads, bookings and customers the flushed rows touch
(and which of their facts: status history, engagements, follow-ups, money). Just before
the transaction commits, re-read each touched record's facts (a few indexed queries for
that one record), subtract what it contributed before, add what it contributes now, and
write all the deltas in one upsert. A rollback simply forgets the notes.

Doing it at commit, not per statement, means every write path (API, web forms, CLI, other
domains' services) is covered without calling anything, a lead touched ten times in one
transaction is re-read once, and the shared counter rows are locked only for the last
moment of the transaction.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.util import identity_key

from salestrack.journey.models import LeadEngagement, LeadMilestone, LeadStatusHistory
from salestrack.leads.models import Customer, Lead
from salestrack.money.models import Booking, LedgerEntry
from salestrack.reports import contrib, counters
from salestrack.reports.contrib import Contribution
from salestrack.reports.states import sync_booking, sync_customer, sync_leads

PendingKey = tuple[uuid.UUID, uuid.UUID]
INFO_KEY = "salestrack.reports.pending"
# Set ``session.info[DISABLED] = True`` to write without maintaining the summaries (bulk
# loads that rebuild afterwards, and the benchmark's baseline).
DISABLED = "salestrack.reports.disabled"


@dataclass
class Pending:
    leads: dict[PendingKey, set[str]] = field(default_factory=dict)
    statuses: dict[PendingKey, list[str]] = field(default_factory=dict)
    bookings: set[PendingKey] = field(default_factory=set)
    customers: set[PendingKey] = field(default_factory=set)
    # Strong references to the rows to sync that are loaded in the session: its identity
    # map holds clean rows weakly, and a lead or customer dropped by the service that
    # locked it would otherwise be read again at commit.
    held: list[Any] = field(default_factory=list)

    def lead(self, tenant_id: uuid.UUID, lead_id: uuid.UUID | None, part: str = "") -> None:
        if lead_id is None:
            return
        parts = self.leads.setdefault((tenant_id, lead_id), set())
        if part:
            parts.add(part)

    def __bool__(self) -> bool:
        return bool(self.leads or self.bookings or self.customers)


def _pending(session: Session) -> Pending:
    found = session.info.get(INFO_KEY)
    if found is None:
        found = session.info[INFO_KEY] = Pending()
    assert isinstance(found, Pending)
    return found


def _booking_ref(entry: LedgerEntry) -> uuid.UUID | None:
    if entry.reference_document_type != "booking" or not entry.reference_document_id:
        return None
    try:
        return uuid.UUID(entry.reference_document_id)
    except ValueError:
        return None


def note(session: Session, rows: list[Any]) -> None:
    """Remember what the flushed ``rows`` touch (cheap: no queries)."""
    pending = _pending(session)
    _hold(session, pending, rows)
    for row in rows:
        if isinstance(row, Lead):
            pending.lead(row.tenant_id, row.id)
        elif isinstance(row, LeadStatusHistory):
            pending.lead(row.tenant_id, row.lead_id, "status")
            pending.statuses.setdefault((row.tenant_id, row.lead_id), []).append(str(row.to_status))
        elif isinstance(row, LeadEngagement):
            pending.lead(row.tenant_id, row.lead_id, "eng")
        elif isinstance(row, LeadMilestone):
            if row.milestone_type == "booking":
                pending.lead(row.tenant_id, row.lead_id, "conv")
            # A new milestone without a follow-up changes no follow-up figure.
            if row.follow_up_required or row not in session.new:
                pending.lead(row.tenant_id, row.lead_id, "fu")
        elif isinstance(row, Booking):
            pending.bookings.add((row.tenant_id, row.id))
        elif isinstance(row, LedgerEntry):
            pending.customers.add((row.tenant_id, row.customer_id))
            booking_id = _booking_ref(row)
            if booking_id is not None:
                pending.bookings.add((row.tenant_id, booking_id))
        elif isinstance(row, Customer):
            pending.customers.add((row.tenant_id, row.id))


def _hold(session: Session, pending: Pending, rows: list[Any]) -> None:
    for row in rows:
        if isinstance(row, Lead | Customer | Booking):
            pending.held.append(row)
        elif isinstance(row, LeadStatusHistory | LeadEngagement | LeadMilestone):
            lead = session.identity_map.get(identity_key(Lead, (row.tenant_id, row.lead_id)))
            if lead is not None:
                pending.held.append(lead)
        elif isinstance(row, LedgerEntry):
            key = identity_key(Customer, (row.tenant_id, row.customer_id))
            customer = session.identity_map.get(key)
            if customer is not None:
                pending.held.append(customer)


def install(factory: sessionmaker[Session]) -> None:
    """Keep the summaries of ``factory``'s sessions up to date: note what each flush
    touches, apply it just before commit, forget it on rollback. Nothing is registered at
    import, so a session factory without this call writes no summaries."""
    event.listen(factory, "after_flush", _after_flush)
    event.listen(factory, "before_commit", _before_commit)
    event.listen(factory, "after_soft_rollback", _after_rollback)


def _after_flush(session: Session, _context: Any) -> None:
    if session.info.get(DISABLED):
        return
    note(session, [*session.new, *session.dirty])


def _before_commit(session: Session) -> None:
    if session.info.get(DISABLED):
        return
    session.flush()
    sync(session)


def _after_rollback(session: Session, previous: Any) -> None:
    if previous.parent is None:
        session.info.pop(INFO_KEY, None)


def sync(session: Session) -> None:
    """Apply every pending change to the summaries (runs at commit; callable earlier)."""
    pending = session.info.pop(INFO_KEY, None)
    if not pending:
        return
    assert isinstance(pending, Pending)
    deltas: dict[uuid.UUID, list[Contribution]] = {}
    for tenant_id, booking_id in sorted(pending.bookings):
        booking = session.get(Booking, (tenant_id, booking_id))
        if booking is None:
            continue
        pending.lead(tenant_id, booking.lead_id, "money")
        pending.customers.add((tenant_id, booking.customer_id))
        deltas.setdefault(tenant_id, []).append(sync_booking(session, booking))
    for tenant_id, customer_id in sorted(pending.customers):
        customer = session.get(Customer, (tenant_id, customer_id))
        if customer is not None:
            deltas.setdefault(tenant_id, []).append(sync_customer(session, customer))
    changed: dict[uuid.UUID, list[tuple[Lead, frozenset[str], list[str]]]] = {}
    for key in sorted(pending.leads):
        lead = session.get(Lead, key)
        if lead is not None:
            parts = frozenset(pending.leads[key])
            statuses = pending.statuses.get(key, [])
            changed.setdefault(key[0], []).append((lead, parts, statuses))
    for tenant_id, leads in changed.items():
        deltas.setdefault(tenant_id, []).extend(sync_leads(session, tenant_id, leads))
    session.flush()
    for tenant_id, changes in deltas.items():
        total: Contribution = {}
        for change in changes:
            total = _merge(total, change)
        counters.apply(session, tenant_id, contrib.difference({}, total))


def _merge(a: Contribution, b: Contribution) -> Contribution:
    out = dict(a)
    for key, (n, amount) in b.items():
        old_n, old_amount = out.get(key, (0, 0))
        out[key] = (old_n + n, old_amount + amount)
    return out
