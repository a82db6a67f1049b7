"""Recompute a tenant's summaries from the base tables (after a bulk load, or as a repair).

The same fact and contribution functions as the incremental path, fed in bulk: leads are
read in chunks of ``CHUNK`` by id, each chunk's history, engagements and follow-ups with
one grouped query each. Runs in the caller's transaction with maintenance switched off.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Date, Select, cast, delete, func, insert, select
from sqlalchemy.orm import Session

from salestrack.journey.models import LeadEngagement, LeadMilestone, LeadStatusHistory
from salestrack.leads.models import Customer, Lead
from salestrack.money.models import Booking, EntryStatus, LedgerEntry
from salestrack.reports import contrib, counters, facts, summaries
from salestrack.reports.contrib import LIVE_BOOKING, BookingFacts, LeadFacts
from salestrack.reports.models import (
    ReportBookingState,
    ReportCounter,
    ReportCustomerState,
    ReportLeadState,
)

CHUNK = 20_000
ZERO = Decimal("0.00")
Progress = Callable[[int], None]


def utc_day(session: Session, column: Any) -> Any:
    """The UTC calendar day of a timestamp column, on either database."""
    if session.get_bind().dialect.name == "postgresql":
        return cast(func.timezone("UTC", column), Date)
    return func.date(column)


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


class Totals:
    def __init__(self) -> None:
        self.values: dict[contrib.Key, list[int]] = defaultdict(lambda: [0, 0])

    def add(self, part: contrib.Contribution) -> None:
        for key, (n, amount) in part.items():
            slot = self.values[key]
            slot[0] += n
            slot[1] += amount


def rebuild(session: Session, tenant_id: uuid.UUID, progress: Progress | None = None) -> int:
    """Replace the tenant's summaries with a recomputation; returns the leads counted."""
    session.flush()
    session.info[summaries.DISABLED] = True
    try:
        for model in (ReportCounter, ReportLeadState, ReportBookingState, ReportCustomerState):
            session.execute(delete(model).where(model.tenant_id == tenant_id))
        totals = Totals()
        cash = _booking_cash(session, tenant_id)
        bookings = _bookings(session, tenant_id, cash, totals)
        _customers(session, tenant_id, totals)
        count = _leads(session, tenant_id, bookings, cash, totals, progress)
        frozen = contrib.difference({}, {k: (v[0], v[1]) for k, v in totals.values.items()})
        counters.apply(session, tenant_id, frozen)
        session.flush()
    finally:
        session.info.pop(summaries.DISABLED, None)
        session.info.pop(summaries.INFO_KEY, None)
    return count


def _booking_cash(session: Session, tenant_id: uuid.UUID) -> dict[str, tuple[Decimal, Decimal]]:
    rows = session.execute(
        select(
            LedgerEntry.reference_document_id,
            LedgerEntry.transaction_type,
            func.sum(LedgerEntry.debit_amount),
            func.sum(LedgerEntry.credit_amount),
        )
        .where(
            LedgerEntry.tenant_id == tenant_id,
            LedgerEntry.reference_document_type == "booking",
            LedgerEntry.status == EntryStatus.active,
            LedgerEntry.transaction_type.in_(("payment", "adjustment")),
        )
        .group_by(LedgerEntry.reference_document_id, LedgerEntry.transaction_type)
    )
    out: dict[str, tuple[Decimal, Decimal]] = {}
    for ref, kind, debit, credit in rows:
        paid, refunded = out.get(ref, (ZERO, ZERO))
        if kind == "payment":
            paid += credit
        else:
            refunded += debit - credit
        out[ref] = (paid, refunded)
    return out


def _bookings(
    session: Session,
    tenant_id: uuid.UUID,
    cash: dict[str, tuple[Decimal, Decimal]],
    totals: Totals,
) -> dict[uuid.UUID, list[Any]]:
    """Booking states and counters; returns each lead's live bookings."""
    by_lead: dict[uuid.UUID, list[Any]] = defaultdict(list)
    rows = []
    stmt = select(
        Booking.id,
        Booking.lead_id,
        Booking.booking_date,
        Booking.status,
        Booking.booking_amount,
        Booking.unit_count,
        Booking.cancellation_refund_amount,
        Booking.invoice_entry_id,
    ).where(Booking.tenant_id == tenant_id, Booking.deleted_at.is_(None))
    for booking in session.execute(stmt):
        refunded = cash.get(str(booking.id), (ZERO, ZERO))[1]
        new = BookingFacts(
            live=True,
            booking_date=booking.booking_date,
            status=str(booking.status),
            amount=booking.booking_amount,
            units=booking.unit_count,
            refund_promised=booking.cancellation_refund_amount or ZERO,
            refund_paid=refunded,
        )
        totals.add(contrib.booking_contribution(new))
        rows.append(
            {
                "tenant_id": tenant_id,
                "booking_id": booking.id,
                **summaries.booking_state_values(new),
            }
        )
        if booking.lead_id is not None:
            by_lead[booking.lead_id].append(
                (booking.id, str(booking.status), booking.booking_amount, booking.invoice_entry_id)
            )
    _insert(session, ReportBookingState, rows)
    return by_lead


def _customers(session: Session, tenant_id: uuid.UUID, totals: Totals) -> None:
    live_bookings: dict[uuid.UUID, int] = {
        row[0]: row[1]
        for row in session.execute(
            select(Booking.customer_id, func.count())
            .where(
                Booking.tenant_id == tenant_id,
                Booking.deleted_at.is_(None),
                Booking.status != "cancelled",
            )
            .group_by(Booking.customer_id)
        )
    }
    entries: dict[uuid.UUID, list[Any]] = defaultdict(list)
    stmt = (
        select(
            LedgerEntry.customer_id,
            LedgerEntry.transaction_type,
            LedgerEntry.debit_amount,
            LedgerEntry.credit_amount,
            LedgerEntry.transaction_date,
            LedgerEntry.status,
            LedgerEntry.reversal_of_id,
            LedgerEntry.reference_document_type,
            LedgerEntry.position,
        )
        .where(LedgerEntry.tenant_id == tenant_id)
        .order_by(LedgerEntry.customer_id, LedgerEntry.position)
    )
    for entry in session.execute(stmt.execution_options(yield_per=10000)):
        entries[entry.customer_id].append(entry)
    rows = []
    customers = select(Customer.id, Customer.created_at).where(
        Customer.tenant_id == tenant_id, Customer.deleted_at.is_(None)
    )
    for customer_id, created_at in session.execute(customers):
        new = facts.customer_facts_from(
            entries.get(customer_id, []),
            live=True,
            created_on=created_at.date(),
            live_bookings=int(live_bookings.get(customer_id, 0)),
        )
        totals.add(contrib.customer_contribution(new))
        rows.append(
            {
                "tenant_id": tenant_id,
                "customer_id": customer_id,
                **summaries.customer_state_values(new),
            }
        )
    _insert(session, ReportCustomerState, rows)


def _chunk_rows(session: Session, stmt: Select[Any]) -> dict[uuid.UUID, list[Any]]:
    out: dict[uuid.UUID, list[Any]] = defaultdict(list)
    for row in session.execute(stmt):
        out[row[0]].append(row[1:])
    return out


def _leads(
    session: Session,
    tenant_id: uuid.UUID,
    bookings: dict[uuid.UUID, list[Any]],
    cash: dict[str, tuple[Decimal, Decimal]],
    totals: Totals,
    progress: Progress | None,
) -> int:
    count = 0
    last: uuid.UUID | None = None
    while True:
        stmt = (
            select(
                Lead.id,
                Lead.lead_date,
                Lead.source_id,
                Lead.campaign_id,
                Lead.assigned_to,
                Lead.status,
            )
            .where(Lead.tenant_id == tenant_id, Lead.deleted_at.is_(None))
            .order_by(Lead.id)
            .limit(CHUNK)
        )
        if last is not None:
            stmt = stmt.where(Lead.id > last)
        leads = session.execute(stmt).all()
        if not leads:
            return count
        lo, hi = leads[0][0], leads[-1][0]
        history = _chunk_rows(
            session,
            select(LeadStatusHistory.lead_id, LeadStatusHistory.to_status)
            .where(
                LeadStatusHistory.tenant_id == tenant_id,
                LeadStatusHistory.lead_id >= lo,
                LeadStatusHistory.lead_id <= hi,
            )
            .group_by(LeadStatusHistory.lead_id, LeadStatusHistory.to_status),
        )
        conversions = _chunk_rows(
            session,
            select(LeadMilestone.lead_id, func.min(LeadMilestone.milestone_date))
            .where(
                LeadMilestone.tenant_id == tenant_id,
                LeadMilestone.lead_id >= lo,
                LeadMilestone.lead_id <= hi,
                LeadMilestone.milestone_type == "booking",
                LeadMilestone.deleted_at.is_(None),
            )
            .group_by(LeadMilestone.lead_id),
        )
        day = utc_day(session, LeadEngagement.engagement_date)
        engagements = _chunk_rows(
            session,
            select(LeadEngagement.lead_id, day, func.count())
            .where(
                LeadEngagement.tenant_id == tenant_id,
                LeadEngagement.lead_id >= lo,
                LeadEngagement.lead_id <= hi,
                LeadEngagement.deleted_at.is_(None),
            )
            .group_by(LeadEngagement.lead_id, day),
        )
        follow_ups = _chunk_rows(
            session,
            select(LeadMilestone.lead_id, LeadMilestone.follow_up_date, func.count())
            .where(
                LeadMilestone.tenant_id == tenant_id,
                LeadMilestone.lead_id >= lo,
                LeadMilestone.lead_id <= hi,
                LeadMilestone.deleted_at.is_(None),
                LeadMilestone.follow_up_required.is_(True),
                LeadMilestone.follow_up_closed_at.is_(None),
                LeadMilestone.follow_up_date.is_not(None),
            )
            .group_by(LeadMilestone.lead_id, LeadMilestone.follow_up_date),
        )
        rows = []
        for lead_id, lead_date, source_id, campaign_id, assigned_to, status in leads:
            reached = facts.reach_of(h[0] for h in history.get(lead_id, []))
            converted = conversions.get(lead_id)
            converted_on = converted[0][0] if converted else None
            mine = bookings.get(lead_id, [])
            revenue = sum(
                (b[2] for b in mine if b[1] in LIVE_BOOKING and b[3] is not None), start=ZERO
            )
            collected = ZERO
            for b in mine:
                paid, refunded = cash.get(str(b[0]), (ZERO, ZERO))
                collected += paid - refunded
            new = LeadFacts(
                live=True,
                lead_date=lead_date,
                source_id=source_id,
                campaign_id=campaign_id,
                assigned_to=assigned_to,
                status=str(status),
                reached=reached,
                converted_on=converted_on,
                revenue=revenue,
                collected=collected,
                engagements={
                    _as_date(d).isoformat(): int(n) for d, n in engagements.get(lead_id, [])
                },
                follow_ups={d.isoformat(): int(n) for d, n in follow_ups.get(lead_id, [])},
            )
            totals.add(contrib.lead_contribution(new))
            rows.append(
                {"tenant_id": tenant_id, "lead_id": lead_id, **summaries.lead_state_values(new)}
            )
        _insert(session, ReportLeadState, rows)
        count += len(leads)
        if progress is not None:
            progress(len(leads))
        last = hi


def _insert(session: Session, model: Any, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), 5000):
        session.execute(insert(model), rows[start : start + 5000])
