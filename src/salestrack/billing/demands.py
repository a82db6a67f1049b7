"""Raising an instalment's demand, and interest on a demand paid late.

A demand is the instalment's invoice: posted on the customer's ledger (``ledger.post``,
referencing the booking, so the running balance, the reports and a later cancellation see
it) and numbered ``INV/<FY>/<n>`` in the same transaction. An instalment has at most one
live demand: raising again is a 409 (the instalment row is locked while it is checked).

Interest on late payment is simple interest per day at the tenant's yearly rate: for each
day after the demand's pay-by date (or after the period of its last interest note) up to
and including ``as_of``, the part of the demand still unpaid at the end of that day (the
allocation rule of ``billing.allocation``, applied to the payments made by then) times
rate / 100 / 365. The sum is rounded once per debit note, to the paisa, half up.

Lock order: booking -> instalment -> customer (ledger) -> counters.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from salestrack.auth import clock
from salestrack.auth.context import Actor
from salestrack.billing import allocation, issue, plans
from salestrack.billing import settings as billing_settings
from salestrack.billing.models import (
    BillingDocument,
    ConstructionStage,
    DocumentKind,
    InstalmentState,
    PaymentPlan,
)
from salestrack.billing.schemas import DemandRaise, InterestRaise
from salestrack.core.errors import Conflict, Unprocessable
from salestrack.money import bookings, ledger
from salestrack.money.models import BookingStatus, EntryStatus, LedgerEntry, TransactionType

CENT = Decimal("0.01")
DAYS_A_YEAR = Decimal(365)
HUNDRED = Decimal(100)


def raise_demand(
    session: Session, *, actor: Actor, instalment_id: uuid.UUID, data: DemandRaise
) -> BillingDocument:
    """Post and number the demand of a due instalment (409 if upcoming or demanded, 422
    for a demand date after today)."""
    instalment = plans.get_instalment(session, actor=actor, instalment_id=instalment_id)
    plan = session.get(PaymentPlan, (actor.tenant_id, instalment.plan_id))
    assert plan is not None
    booking = bookings.get_booking(
        session, actor=actor, booking_id=plan.booking_id, for_update=True
    )
    if booking.status == BookingStatus.cancelled:
        raise Conflict(f"booking {booking.booking_code} is cancelled")
    instalment = plans.get_instalment(
        session, actor=actor, instalment_id=instalment_id, for_update=True
    )
    today = clock.tenant_today(session, actor.tenant_id)
    on = data.demand_date or today
    if on > today:
        # Dated ahead, an upcoming instalment would count as due on that day: a demand
        # may be back-dated, never raised for a day that has not come.
        raise Unprocessable(
            f"demand_date: a demand is dated today ({today}) at most", field="demand_date"
        )
    demands = allocation.live_demands(
        session, tenant_id=actor.tenant_id, customer_id=booking.customer_id
    )
    existing = allocation.demands_by_instalment(demands).get(instalment.id)
    if existing is not None:
        raise Conflict(
            f"instalment {instalment.label!r} was demanded by {existing.number}",
            demand_id=str(existing.id),
            demand_number=existing.number,
        )
    stage = (
        session.get(ConstructionStage, (actor.tenant_id, instalment.stage_id))
        if instalment.stage_id is not None
        else None
    )
    status = allocation.status_of(
        instalment, stage=stage, demand=None, allocated=Decimal(0), today=on
    )
    if status.state is not InstalmentState.due:
        when = (
            f"stage {stage.name!r} is not reached"
            if stage is not None
            else f"it is due on {instalment.due_date}"
        )
        raise Conflict(f"instalment {instalment.label!r} is not due on {on}: {when}")
    payment_days = billing_settings.get_settings(session, actor.tenant_id).payment_days
    entry = bookings.post_invoice(
        session,
        actor=actor,
        booking=booking,
        amount=instalment.amount,
        on=on,
        description=f"demand for {instalment.label}, booking {booking.booking_code}",
    )
    return issue.issue(
        session,
        actor=actor,
        kind=DocumentKind.demand,
        entry=entry,
        amount=instalment.amount,
        booking_id=booking.id,
        description=instalment.label,
        instalment_id=instalment.id,
        pay_by=on + timedelta(days=payment_days),
    )


def _live_demand(session: Session, actor: Actor, demand_id: uuid.UUID) -> BillingDocument:
    demand = issue.get_document(session, actor=actor, document_id=demand_id)
    if demand.kind != DocumentKind.demand:
        raise Conflict(f"document {demand.number} is a {demand.kind}: interest is on demands")
    entry = session.get(LedgerEntry, (actor.tenant_id, demand.ledger_entry_id))
    if entry is None or entry.status != EntryStatus.active:
        raise Conflict(f"demand {demand.number} was reversed")
    return demand


def interest_due(
    *,
    amount: Decimal,
    settled_before: Decimal,
    payments: list[tuple[date, Decimal]],
    start: date,
    end: date,
    rate: Decimal,
) -> Decimal:
    """Simple interest per day on the unpaid part of a demand from ``start`` to ``end``
    (both included), unrounded: the demand is settled after ``settled_before`` of the
    payments (the older demands), oldest first."""
    total = Decimal(0)
    day = start
    index, paid = 0, Decimal(0)
    while day <= end:
        while index < len(payments) and payments[index][0] <= day:
            paid += payments[index][1]
            index += 1
        settled = min(max(paid - settled_before, Decimal(0)), amount)
        total += amount - settled
        day += timedelta(days=1)
    return total * rate / HUNDRED / DAYS_A_YEAR


def raise_interest(
    session: Session, *, actor: Actor, demand_id: uuid.UUID, data: InterestRaise
) -> BillingDocument:
    """A debit note (DN) for the interest on a demand paid late, posted on the ledger
    (409 without a tenant rate, or with no interest due for the period; 422 for an
    ``as_of`` after today)."""
    demand = _live_demand(session, actor, demand_id)
    assert demand.booking_id is not None
    bookings.get_booking(session, actor=actor, booking_id=demand.booking_id, for_update=True)
    ledger.lock_customer(session, actor=actor, customer_id=demand.customer_id)
    rate = billing_settings.get_settings(session, actor.tenant_id).interest_rate
    if not rate:
        raise Conflict("set the interest rate in the billing settings first")
    today = clock.tenant_today(session, actor.tenant_id)
    as_of = data.as_of or today
    if as_of > today:
        # Interest is owed for days that have passed: a payment may still come before a
        # later day ends, and a note dated ahead would charge for it regardless.
        raise Unprocessable(f"as_of: interest runs up to today ({today}) at most", field="as_of")
    charged_to = session.scalar(
        select(func.max(BillingDocument.period_to)).where(
            BillingDocument.tenant_id == actor.tenant_id,
            BillingDocument.related_id == demand.id,
            BillingDocument.kind == DocumentKind.debit_note,
        )
    )
    assert demand.pay_by is not None
    start = max(demand.pay_by, charged_to or demand.pay_by) + timedelta(days=1)
    if start > as_of:
        raise Conflict(f"no interest is due on {demand.number} up to {as_of}")
    demands = allocation.live_demands(
        session, tenant_id=actor.tenant_id, customer_id=demand.customer_id
    )
    interest = interest_due(
        amount=demand.amount,
        settled_before=allocation.paid_before(demands, demand.id),
        payments=allocation.payments(
            session, tenant_id=actor.tenant_id, customer_id=demand.customer_id
        ),
        start=start,
        end=as_of,
        rate=rate,
    ).quantize(CENT, ROUND_HALF_UP)
    if interest <= 0:
        raise Conflict(f"{demand.number} was paid by {start}: no interest is due")
    description = (
        f"interest at {rate}% a year on {demand.number}, {start:%d-%b-%Y} to {as_of:%d-%b-%Y}"
    )
    entry = ledger.post(
        session,
        actor=actor,
        locked=True,
        posting=ledger.Posting(
            customer_id=demand.customer_id,
            transaction_type=TransactionType.debit_note,
            transaction_date=as_of,
            debit_amount=interest,
            reference_document_type="booking",
            reference_document_id=str(demand.booking_id),
            description=description,
        ),
    )
    return issue.issue(
        session,
        actor=actor,
        kind=DocumentKind.debit_note,
        entry=entry,
        amount=interest,
        booking_id=demand.booking_id,
        description=description,
        related_id=demand.id,
        period_from=start,
        period_to=as_of,
        rate=rate,
    )
