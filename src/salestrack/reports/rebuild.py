"""Recompute a tenant's summaries from the base tables (after a bulk load, or as a repair).

The same fact and contribution functions as the incremental path, fed in bulk: leads are
read in chunks of ``CHUNK`` by id, each chunk's history, engagements and follow-ups with
one grouped query each. Runs in the caller's transaction with maintenance switched off.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from salestrack.leads.models import Customer
from salestrack.money import booking_money as booked
from salestrack.money.booking_money import NO_CASH
from salestrack.money.models import Booking, LedgerEntry
from salestrack.reports import contrib, counters, lead_rows, summaries
from salestrack.reports.facts import LeadBooking
from salestrack.reports.models import (
    ReportBookingState,
    ReportCounter,
    ReportCustomerState,
    ReportLeadState,
)
from salestrack.reports.money_facts import ENTRY_COLUMNS, booking_facts_from, customer_facts_from
from salestrack.reports.states import state_values

Progress = Callable[[int], None]


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
        bookings = _bookings(session, tenant_id, totals)
        _customers(session, tenant_id, totals)
        count = 0
        for rows in lead_rows.chunks(session, tenant_id, bookings):
            for row in rows:
                totals.add(contrib.lead_contribution(row.facts))
            _insert(session, ReportLeadState, [_lead_state(tenant_id, r) for r in rows])
            count += len(rows)
            if progress is not None:
                progress(len(rows))
        frozen = contrib.difference({}, {k: (v[0], v[1]) for k, v in totals.values.items()})
        counters.apply(session, tenant_id, frozen)
        session.flush()
    finally:
        session.info.pop(summaries.DISABLED, None)
        session.info.pop(summaries.INFO_KEY, None)
    return count


def _bookings(
    session: Session, tenant_id: uuid.UUID, totals: Totals
) -> dict[uuid.UUID, list[LeadBooking]]:
    """Booking states and counters; returns each lead's live bookings."""
    cash = booked.cash_by_booking(session, tenant_id)
    by_lead: dict[uuid.UUID, list[LeadBooking]] = defaultdict(list)
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
        money = cash.get(str(booking.id), NO_CASH)
        new = booking_facts_from(booking, money, live=True)
        totals.add(contrib.booking_contribution(new))
        rows.append({"tenant_id": tenant_id, "booking_id": booking.id, **state_values(new)})
        if booking.lead_id is not None:
            invoiced = booking.invoice_entry_id is not None
            by_lead[booking.lead_id].append(
                LeadBooking(str(booking.status), booking.booking_amount, invoiced, money)
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
        select(LedgerEntry.customer_id, *ENTRY_COLUMNS)
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
        new = customer_facts_from(
            entries.get(customer_id, []),
            live=True,
            created_on=created_at.date(),
            live_bookings=int(live_bookings.get(customer_id, 0)),
        )
        totals.add(contrib.customer_contribution(new))
        rows.append({"tenant_id": tenant_id, "customer_id": customer_id, **state_values(new)})
    _insert(session, ReportCustomerState, rows)


def _insert(session: Session, model: Any, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), 5000):
        session.execute(insert(model), rows[start : start + 5000])


def _lead_state(tenant_id: uuid.UUID, row: lead_rows.LeadRow) -> dict[str, Any]:
    return {"tenant_id": tenant_id, "lead_id": row.lead_id, **state_values(row.facts)}
