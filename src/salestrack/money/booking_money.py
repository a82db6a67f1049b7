"""What a booking counts for in money, defined once for the money services, the report
summaries (incremental and rebuilt) and the generator.

- Booked revenue: bookings in a live status (confirmed or completed; a cancelled booking
  nets out) that have been invoiced.
- A booking's cash: active ledger entries that reference it, payments in (their credit)
  and refund payouts out (adjustments, debit less credit).

The report oracle recomputes these with its own SQL on purpose: it is the check on them.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable
from decimal import Decimal
from typing import Any, NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from salestrack.money.models import BookingStatus, EntryStatus, LedgerEntry, TransactionType

ZERO = Decimal("0.00")
LIVE_STATUSES = (BookingStatus.confirmed, BookingStatus.completed)
CASH_TYPES = (TransactionType.payment, TransactionType.adjustment)


class BookingCash(NamedTuple):
    """Paid in (active payments) and refunded (active refund payouts) on one booking."""

    paid: Decimal = ZERO
    refunded: Decimal = ZERO

    def add(self, kind: str, debit: Decimal, credit: Decimal) -> BookingCash:
        """This cash with one more grouped ledger total (type, debits, credits) counted."""
        if kind == TransactionType.payment:
            return BookingCash(self.paid + credit, self.refunded)
        if kind == TransactionType.adjustment:
            return BookingCash(self.paid, self.refunded + debit - credit)
        return self


NO_CASH = BookingCash()


def is_booked_revenue(status: str, invoiced: bool) -> bool:
    """Whether a booking's amount counts as booked revenue."""
    return invoiced and status in LIVE_STATUSES


def booked_revenue(bookings: Iterable[tuple[str, Decimal, bool]]) -> Decimal:
    """Booked revenue of ``(status, amount, invoiced)`` bookings."""
    return sum(
        (amount for status, amount, invoiced in bookings if is_booked_revenue(status, invoiced)),
        start=ZERO,
    )


def cash_by_booking(
    session: Session,
    tenant_id: uuid.UUID,
    booking_ids: Collection[uuid.UUID | str] | None = None,
) -> dict[str, BookingCash]:
    """Each booking's cash, keyed by its id as text (the ledger's reference); all the
    tenant's bookings with ``booking_ids=None``. A booking with no cash is absent.

    Sums keep the money column type, so they come back as exact ``Decimal`` on both
    databases (SQLite sums the stored cents)."""
    if booking_ids is not None and not booking_ids:
        return {}
    ref = LedgerEntry.reference_document_id
    stmt = (
        select(
            ref,
            LedgerEntry.transaction_type,
            func.sum(LedgerEntry.debit_amount),
            func.sum(LedgerEntry.credit_amount),
        )
        .where(
            LedgerEntry.tenant_id == tenant_id,
            LedgerEntry.reference_document_type == "booking",
            LedgerEntry.status == EntryStatus.active,
            LedgerEntry.transaction_type.in_(CASH_TYPES),
        )
        .group_by(ref, LedgerEntry.transaction_type)
    )
    if booking_ids is not None:
        stmt = stmt.where(ref.in_([str(b) for b in booking_ids]))
    out: dict[str, BookingCash] = {}
    row: Any
    for row in session.execute(stmt):
        key, kind, debit, credit = row
        out[key] = out.get(key, NO_CASH).add(kind, debit, credit)
    return out


def booking_cash(session: Session, tenant_id: uuid.UUID, booking_id: uuid.UUID) -> BookingCash:
    """One booking's cash."""
    return cash_by_booking(session, tenant_id, [booking_id]).get(str(booking_id), NO_CASH)
