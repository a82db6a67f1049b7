"""Reading one lead's, booking's or customer's current facts from the base tables.

Each reader answers for a single record with a few indexed queries, so maintaining the
summaries costs the same at 1k and 1M leads. ``parts`` says which facts a change can have
touched; the others are taken from the stored state unread.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from salestrack.journey.models import LeadEngagement, LeadMilestone, LeadStatusHistory
from salestrack.leads.models import Customer, Lead
from salestrack.money.models import Booking, EntryStatus, LedgerEntry, TransactionType
from salestrack.reports.contrib import (
    LIVE_BOOKING,
    RANK,
    BookingFacts,
    CustomerFacts,
    LeadFacts,
    cents,
)

ZERO = Decimal("0.00")
ALL_PARTS = frozenset({"status", "eng", "fu", "money", "conv"})


def reach_of(statuses: Iterable[str]) -> int:
    """The furthest pipeline stage among the statuses a lead has had (lost ranks as new)."""
    return max((RANK.get(status, 0) for status in statuses), default=0)


def day_counts(days: Iterable[date]) -> dict[str, int]:
    return {d.isoformat(): n for d, n in sorted(Counter(days).items())}


def lead_facts(
    session: Session,
    lead: Lead,
    stored: LeadFacts | None,
    parts: frozenset[str],
    new_statuses: Sequence[str] = (),
) -> LeadFacts:
    """The lead's facts; ``converted_on`` is its first live booking milestone's date (the
    timeline's conversion day)."""
    tenant_id, lead_id = lead.tenant_id, lead.id
    if stored is None:
        parts = ALL_PARTS
    if "status" in parts and (stored is None or not new_statuses):
        reached = reach_of(
            session.scalars(
                select(LeadStatusHistory.to_status)
                .where(
                    LeadStatusHistory.tenant_id == tenant_id, LeadStatusHistory.lead_id == lead_id
                )
                .distinct()
            )
        )
    else:
        assert stored is not None
        reached = max(stored.reached, reach_of(new_statuses))
    if "conv" in parts:
        converted_on = session.scalar(
            select(func.min(LeadMilestone.milestone_date)).where(
                LeadMilestone.tenant_id == tenant_id,
                LeadMilestone.lead_id == lead_id,
                LeadMilestone.milestone_type == "booking",
                LeadMilestone.deleted_at.is_(None),
            )
        )
    else:
        assert stored is not None
        converted_on = stored.converted_on
    if "eng" in parts:
        dates = session.scalars(
            select(LeadEngagement.engagement_date).where(
                LeadEngagement.tenant_id == tenant_id,
                LeadEngagement.lead_id == lead_id,
                LeadEngagement.deleted_at.is_(None),
            )
        )
        engagements = day_counts(d.date() for d in dates)
    else:
        assert stored is not None
        engagements = stored.engagements
    if "fu" in parts:
        due = session.scalars(
            select(LeadMilestone.follow_up_date).where(
                LeadMilestone.tenant_id == tenant_id,
                LeadMilestone.lead_id == lead_id,
                LeadMilestone.deleted_at.is_(None),
                LeadMilestone.follow_up_required.is_(True),
                LeadMilestone.follow_up_closed_at.is_(None),
                LeadMilestone.follow_up_date.is_not(None),
            )
        )
        follow_ups = day_counts(d for d in due if d is not None)
    else:
        assert stored is not None
        follow_ups = stored.follow_ups
    if "money" in parts:
        revenue, collected = lead_money(session, tenant_id, lead_id)
    else:
        assert stored is not None
        revenue, collected = stored.revenue, stored.collected
    return LeadFacts(
        live=lead.deleted_at is None,
        lead_date=lead.lead_date,
        source_id=lead.source_id,
        campaign_id=lead.campaign_id,
        assigned_to=lead.assigned_to,
        status=str(lead.status),
        reached=reached,
        converted_on=converted_on,
        revenue=revenue,
        collected=collected,
        engagements=engagements,
        follow_ups=follow_ups,
    )


def booking_cash(
    session: Session, tenant_id: uuid.UUID, refs: list[str]
) -> tuple[Decimal, Decimal]:
    """Active payments and refund payouts that reference the given bookings."""
    if not refs:
        return ZERO, ZERO
    rows = session.execute(
        select(
            LedgerEntry.transaction_type,
            func.coalesce(func.sum(LedgerEntry.debit_amount), 0),
            func.coalesce(func.sum(LedgerEntry.credit_amount), 0),
        )
        .where(
            LedgerEntry.tenant_id == tenant_id,
            LedgerEntry.reference_document_type == "booking",
            LedgerEntry.reference_document_id.in_(refs),
            LedgerEntry.status == EntryStatus.active,
            LedgerEntry.transaction_type.in_((TransactionType.payment, TransactionType.adjustment)),
        )
        .group_by(LedgerEntry.transaction_type)
    ).all()
    paid = refunded = ZERO
    for kind, debit, credit in rows:
        if kind == TransactionType.payment:
            paid += Decimal(credit)
        else:
            refunded += Decimal(debit) - Decimal(credit)
    return paid, refunded


def lead_money(
    session: Session, tenant_id: uuid.UUID, lead_id: uuid.UUID
) -> tuple[Decimal, Decimal]:
    """Booked revenue (confirmed/completed, invoiced) and cash collected on the lead's bookings."""
    rows = session.execute(
        select(Booking.id, Booking.status, Booking.booking_amount, Booking.invoice_entry_id).where(
            Booking.tenant_id == tenant_id,
            Booking.lead_id == lead_id,
            Booking.deleted_at.is_(None),
        )
    ).all()
    revenue = sum((r[2] for r in rows if r[1] in LIVE_BOOKING and r[3] is not None), start=ZERO)
    paid, refunded = booking_cash(session, tenant_id, [str(r[0]) for r in rows])
    return revenue, paid - refunded


def booking_facts(session: Session, booking: Booking) -> BookingFacts:
    paid, refunded = booking_cash(session, booking.tenant_id, [str(booking.id)])
    del paid
    return BookingFacts(
        live=booking.deleted_at is None,
        booking_date=booking.booking_date,
        status=str(booking.status),
        amount=booking.booking_amount,
        units=booking.unit_count,
        refund_promised=booking.cancellation_refund_amount or ZERO,
        refund_paid=refunded,
    )


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
    unpaid: dict[str, int] = {}
    for day, _position, amount in sorted(debits):
        settled = min(credits, amount)
        credits -= settled
        if amount > settled:
            unpaid[day.isoformat()] = unpaid.get(day.isoformat(), 0) + amount - settled
    return days, unpaid


def customer_facts(session: Session, customer: Customer) -> CustomerFacts:
    tenant_id, customer_id = customer.tenant_id, customer.id
    entries = session.execute(
        select(
            LedgerEntry.transaction_type,
            LedgerEntry.debit_amount,
            LedgerEntry.credit_amount,
            LedgerEntry.transaction_date,
            LedgerEntry.status,
            LedgerEntry.reversal_of_id,
            LedgerEntry.reference_document_type,
            LedgerEntry.position,
        )
        .where(LedgerEntry.tenant_id == tenant_id, LedgerEntry.customer_id == customer_id)
        .order_by(LedgerEntry.position)
    ).all()
    live_bookings = session.scalar(
        select(func.count()).where(
            Booking.tenant_id == tenant_id,
            Booking.customer_id == customer_id,
            Booking.deleted_at.is_(None),
            Booking.status != "cancelled",
        )
    )
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
