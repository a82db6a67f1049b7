"""A customer's ledger summary: totals, outstanding, collection and ageing.

Totals by type leave out reversed entries and the reversals that cancel them (a reversed
invoice was never really invoiced); ``outstanding`` is over every entry, so it always
equals the last ``balance_after``.
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import Session

from salestrack.auth import clock
from salestrack.auth.context import Actor
from salestrack.core import crud
from salestrack.leads.models import Customer
from salestrack.money import health
from salestrack.money.models import EntryStatus, LedgerEntry, TransactionType
from salestrack.money.schemas import LedgerSummary

ZERO = Decimal("0.00")
HUNDRED = Decimal("100")


def _effective() -> tuple[ColumnElement[bool], ...]:
    """Entries that count in the totals: active and not a reversal."""
    return (LedgerEntry.status == EntryStatus.active, LedgerEntry.reversal_of_id.is_(None))


def customer_summary(session: Session, *, actor: Actor, customer_id: uuid.UUID) -> LedgerSummary:
    """The summary the customer-ledger report and the ledger page show (404 if no customer)."""
    crud.read_live(
        session, Customer, tenant_id=actor.tenant_id, row_id=customer_id, label="customer"
    )
    mine = (LedgerEntry.tenant_id == actor.tenant_id, LedgerEntry.customer_id == customer_id)
    debit, credit, refunded, last_payment = _by_type(session, mine)
    totals = select(
        func.coalesce(func.sum(LedgerEntry.debit_amount), 0),
        func.coalesce(func.sum(LedgerEntry.credit_amount), 0),
        func.count(),
    ).where(*mine)
    all_debits, all_credits, count = session.execute(totals).one()
    invoiced = debit[TransactionType.invoice]
    paid = credit[TransactionType.payment]
    credit_notes = credit[TransactionType.credit_note]
    debit_notes = debit[TransactionType.debit_note]
    billed = invoiced + debit_notes - credit_notes
    collection = (
        ((paid - refunded) / billed * HUNDRED).quantize(Decimal("0.01")) if billed > 0 else None
    )
    outstanding = all_debits - all_credits
    today = clock.tenant_today(session, actor.tenant_id)
    oldest, oldest_debit = _oldest_unpaid_ages(session, mine, today)
    return LedgerSummary(
        customer_id=customer_id,
        total_invoiced=invoiced,
        total_paid=paid,
        total_credit_notes=credit_notes,
        total_debit_notes=debit_notes,
        total_refunded=refunded,
        outstanding=outstanding,
        payment_collection_percent=collection,
        last_payment_date=last_payment,
        days_since_oldest_unpaid_invoice=oldest,
        entry_count=count,
        health=health.band(outstanding, oldest_debit),
    )


def _by_type(
    session: Session, mine: tuple[ColumnElement[bool], ...]
) -> tuple[dict[TransactionType, Decimal], dict[TransactionType, Decimal], Decimal, date | None]:
    """Effective debits and credits by entry type, refunds paid out on bookings, and the
    date of the last payment."""
    on_booking = case((LedgerEntry.reference_document_type == "booking", 1), else_=0)
    by_type = (
        select(
            LedgerEntry.transaction_type,
            on_booking,
            func.sum(LedgerEntry.debit_amount),
            func.sum(LedgerEntry.credit_amount),
            func.max(LedgerEntry.transaction_date),
        )
        .where(*mine, *_effective())
        .group_by(LedgerEntry.transaction_type, on_booking)
    )
    debit: dict[TransactionType, Decimal] = dict.fromkeys(TransactionType, ZERO)
    credit: dict[TransactionType, Decimal] = dict.fromkeys(TransactionType, ZERO)
    refunded = ZERO
    last_payment = None
    for kind, booking_ref, debits, credits, latest in session.execute(by_type):
        kind = TransactionType(kind)
        debit[kind] += debits
        credit[kind] += credits
        if kind is TransactionType.adjustment and booking_ref:
            refunded += debits
        if kind is TransactionType.payment:
            last_payment = latest
    return debit, credit, refunded, last_payment


def _oldest_unpaid_ages(
    session: Session, mine: tuple[ColumnElement[bool], ...], today: date
) -> tuple[int | None, int | None]:
    """Days since the oldest invoice, and since the oldest debit of any kind, not yet
    covered, applying credits to debits oldest first."""
    credits = session.execute(
        select(func.coalesce(func.sum(LedgerEntry.credit_amount), 0)).where(
            *mine,
            *_effective(),
        )
    ).scalar_one()
    debits = session.execute(
        select(LedgerEntry.transaction_type, LedgerEntry.debit_amount, LedgerEntry.transaction_date)
        .where(*mine, *_effective(), LedgerEntry.debit_amount > 0)
        .order_by(LedgerEntry.transaction_date, LedgerEntry.position)
    )
    remaining: Decimal = credits
    oldest_debit: int | None = None
    for kind, amount, day in debits:
        if remaining >= amount:
            remaining -= amount
            continue
        remaining = ZERO
        if oldest_debit is None:
            oldest_debit = (today - day).days
        if kind == TransactionType.invoice:
            return (today - day).days, oldest_debit
    return None, oldest_debit
