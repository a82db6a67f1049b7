"""A booking's and a customer's facts, derived in one place for the incremental path,
the rebuild and the generator (``*_facts_from``), and read for one record from the base
tables (``booking_facts``, ``customer_facts``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any, Protocol

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from salestrack.core import reads
from salestrack.leads.models import Customer
from salestrack.money import booking_money as booked
from salestrack.money.booking_money import BookingCash
from salestrack.money.models import Booking, EntryStatus, LedgerEntry, TransactionType
from salestrack.reports.contrib import BookingFacts, CustomerFacts, cents

ZERO = Decimal("0.00")


class BookingFields(Protocol):
    """A booking's columns its facts carry (an ORM ``Booking`` or a selected row)."""

    @property
    def booking_date(self) -> date: ...
    @property
    def status(self) -> str: ...
    @property
    def booking_amount(self) -> Decimal: ...
    @property
    def unit_count(self) -> int: ...
    @property
    def cancellation_refund_amount(self) -> Decimal | None: ...


def booking_facts_from(booking: BookingFields, cash: BookingCash, *, live: bool) -> BookingFacts:
    """A booking's facts: its own columns and the refunds paid out on it."""
    return BookingFacts(
        live=live,
        booking_date=booking.booking_date,
        status=str(booking.status),
        amount=booking.booking_amount,
        units=booking.unit_count,
        refund_promised=booking.cancellation_refund_amount or ZERO,
        refund_paid=cash.refunded,
    )


def booking_facts(session: Session, booking: Booking) -> BookingFacts:
    cash = booked.booking_cash(session, booking.tenant_id, booking.id)
    return booking_facts_from(booking, cash, live=booking.deleted_at is None)


def ledger_by_day(entries: Sequence[Any]) -> tuple[dict[str, dict[str, int]], dict[str, int]]:
    """Per-day ledger totals and the unpaid debits by day (credits settle the oldest first).

    ``entries`` carry type, debit, credit, date, status, reversal_of_id, reference type
    and position. Type totals leave out reversed entries and their reversals, as the
    customer's ledger summary does; ``balance`` counts every entry.
    """
    days: dict[str, dict[str, int]] = {}

    def put(day: date, metric: str, amount: int) -> None:
        if amount:
            slot = days.setdefault(day.isoformat(), {})
            slot[metric] = slot.get(metric, 0) + amount

    credits = 0
    debits: list[tuple[date, int, int]] = []
    for e in entries:
        debit, credit = cents(e.debit_amount), cents(e.credit_amount)
        put(e.transaction_date, "balance", debit - credit)
        if e.status != EntryStatus.active or e.reversal_of_id is not None:
            continue
        kind = TransactionType(e.transaction_type)
        metric = {
            TransactionType.invoice: ("invoiced", debit),
            TransactionType.payment: ("paid", credit),
            TransactionType.credit_note: ("credit_notes", credit),
            TransactionType.debit_note: ("debit_notes", debit),
        }.get(kind)
        if metric:
            put(e.transaction_date, *metric)
        elif e.reference_document_type == "booking":
            put(e.transaction_date, "refunded", debit - credit)
        credits += credit
        if debit > 0:
            debits.append((e.transaction_date, e.position, debit))
    return days, _unpaid(debits, credits)


def _unpaid(debits: list[tuple[date, int, int]], credits: int) -> dict[str, int]:
    """What is left of each debit by day once ``credits`` settle the oldest first."""
    unpaid: dict[str, int] = {}
    for day, _position, amount in sorted(debits):
        settled = min(credits, amount)
        credits -= settled
        if amount > settled:
            unpaid[day.isoformat()] = unpaid.get(day.isoformat(), 0) + amount - settled
    return unpaid


ENTRY_COLUMNS = (
    LedgerEntry.transaction_type,
    LedgerEntry.debit_amount,
    LedgerEntry.credit_amount,
    LedgerEntry.transaction_date,
    LedgerEntry.status,
    LedgerEntry.reversal_of_id,
    LedgerEntry.reference_document_type,
    LedgerEntry.position,
)


# Every posting recomputes its customer's facts from these two reads (``core.reads``:
# compiled once, run on the driver, rows with attribute access).
_ENTRIES = reads.Prepared(
    select(*ENTRY_COLUMNS)
    .where(
        LedgerEntry.tenant_id == bindparam("tenant_id"),
        LedgerEntry.customer_id == bindparam("customer_id"),
    )
    .order_by(LedgerEntry.position)
)
_LIVE_BOOKINGS = reads.Prepared(
    select(func.count().label("live")).where(
        Booking.tenant_id == bindparam("tenant_id"),
        Booking.customer_id == bindparam("customer_id"),
        Booking.deleted_at.is_(None),
        Booking.status != "cancelled",
    )
)


def customer_facts(session: Session, customer: Customer) -> CustomerFacts:
    params = {"tenant_id": customer.tenant_id, "customer_id": customer.id}
    entries = reads.as_objects(_ENTRIES.rows(session, params))
    live_bookings = _LIVE_BOOKINGS.rows(session, params)[0]["live"]
    return customer_facts_from(
        entries,
        live=customer.deleted_at is None,
        created_on=customer.created_at.date(),
        live_bookings=int(live_bookings or 0),
    )


def customer_facts_from(
    entries: Sequence[Any], *, live: bool, created_on: date, live_bookings: int
) -> CustomerFacts:
    """A customer's facts from their ledger entries in position order (the incremental
    path, the rebuild and the generator all derive them here)."""
    ledger, unpaid = ledger_by_day(entries)
    return CustomerFacts(
        live=live,
        created_on=created_on,
        outstanding=sum((e.debit_amount - e.credit_amount for e in entries), start=ZERO),
        live_bookings=live_bookings,
        last_entry_on=max((e.transaction_date for e in entries), default=None),
        ledger=ledger,
        unpaid=unpaid,
    )
