"""Bookings: taking units, the status state machine, confirmation and cancellation.

State machine (any other change is a 409)::

    pending   -> confirmed | on_hold | cancelled
    on_hold   -> pending | confirmed | cancelled
    confirmed -> completed | cancelled
    completed, cancelled: final

Cancelling goes through ``cancel_booking`` (reason, refund), never a plain status change:
``PATCH`` with ``status: cancelled`` and ``cancellation_reason`` calls it too.
Confirming (at creation or later), in the caller's transaction: a ``booking`` milestone on
the lead, an ``invoice`` for the booking amount on the customer's ledger that references
the booking, and ``invoice_entry_id`` on the booking (posted once, ever).

Lock order, the same everywhere so transactions never wait on each other in a circle:
inventory -> booking -> lead (journey) -> customer (ledger) -> counters.
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from salestrack.auth import clock
from salestrack.auth.context import Actor
from salestrack.core import crud
from salestrack.core.errors import Conflict, Unprocessable
from salestrack.core.records import CodeRule, RecordKind
from salestrack.journey.models import MilestoneType
from salestrack.leads.models import Customer, Lead
from salestrack.money import inventory, journey_links, ledger
from salestrack.money.models import (
    Booking,
    BookingStatus,
    EntryStatus,
    Inventory,
    LedgerEntry,
    TransactionType,
)
from salestrack.money.schemas import BookingCancel, BookingCreate, BookingUpdate, RefundPayout

ENTITY = "booking"
S = BookingStatus
TRANSITIONS: dict[BookingStatus, frozenset[BookingStatus]] = {
    S.pending: frozenset({S.confirmed, S.on_hold, S.cancelled}),
    S.on_hold: frozenset({S.pending, S.confirmed, S.cancelled}),
    S.confirmed: frozenset({S.completed, S.cancelled}),
    S.completed: frozenset(),
    S.cancelled: frozenset(),
}
INITIAL = frozenset({S.pending, S.confirmed, S.on_hold})
BOOKINGS = RecordKind(
    model=Booking,
    entity=ENTITY,
    label="booking",
    code=CodeRule("booking_code", "BKG", today=clock.tenant_today),
)


def get_booking(
    session: Session, *, actor: Actor, booking_id: uuid.UUID, for_update: bool = False
) -> Booking:
    booking: Booking = BOOKINGS.get(session, actor=actor, row_id=booking_id, for_update=for_update)
    return booking


def create_booking(
    session: Session, *, actor: Actor, data: BookingCreate, applied: list[str] | None = None
) -> Booking:
    """Take units (409 with the units left when too few) and, if confirmed, invoice.

    Without ``inventory_id`` the row is the tenant's one row of ``unit_type`` (422 listing
    the choices otherwise; the pick is appended to ``applied``). ``units_booked`` and
    ``units_available`` are checks of what the server derives: 409 with its figure."""
    crud.check_references(
        session,
        tenant_id=actor.tenant_id,
        refs={"customer_id": (Customer, data.customer_id), "lead_id": (Lead, data.lead_id)},
    )
    booked_on = clock.given_or_today(session, actor.tenant_id, data.booking_date)
    _check_delivery(booked_on, data.delivery_date)
    if data.status not in INITIAL:
        raise Unprocessable(f"a new booking is pending, confirmed or on_hold, not {data.status}")
    customer = session.get(Customer, (actor.tenant_id, data.customer_id))
    assert customer is not None
    inventory_id = data.inventory_id
    if inventory_id is None:
        picked, note = inventory.pick_for(
            session, tenant_id=actor.tenant_id, unit_type=data.unit_type
        )
        inventory_id = picked.id
        if applied is not None:
            applied.append(note)
    crud.check_references(
        session,
        tenant_id=actor.tenant_id,
        refs={"inventory_id": (Inventory, inventory_id)},
    )
    stock, available = inventory.take_units(
        session, actor=actor, inventory_id=inventory_id, units=data.unit_count
    )
    if data.unit_type is not None and data.unit_type != stock.unit_type:
        raise Unprocessable(
            f"unit_type {data.unit_type!r} does not match the inventory's {stock.unit_type!r}",
            field="unit_type",
        )
    _check_expected(data, units_booked=data.unit_count, units_available=available - data.unit_count)
    values = data.model_dump(exclude={"units_booked", "units_available"})
    values["booking_date"] = booked_on
    values["inventory_id"] = inventory_id
    values["unit_type"] = stock.unit_type
    values["lead_id"] = data.lead_id or customer.lead_id
    values["booking_code"] = BOOKINGS.claim_code(session, actor=actor, given=data.booking_code)
    booking: Booking = crud.add(session, actor=actor, row=Booking(**values), entity=ENTITY)
    if booking.status == S.confirmed:
        _confirm(session, actor=actor, booking=booking, on=booking.booking_date)
    return booking


def _check_expected(data: BookingCreate, *, units_booked: int, units_available: int) -> None:
    """The derived figures a client sent are checks: 409 with the server's when they differ."""
    for name, server in (("units_booked", units_booked), ("units_available", units_available)):
        sent = getattr(data, name)
        if sent is not None and sent != server:
            extra: dict[str, Any] = {name: server}
            raise Conflict(
                f"{name} would be {server}, not {sent}: the server derives it",
                field=name,
                **extra,
            )


def update_booking(
    session: Session, *, actor: Actor, booking_id: uuid.UUID, data: BookingUpdate
) -> Booking:
    """Change dates, notes, amount (until invoiced) or status along the state machine;
    ``status: cancelled`` with the cancellation fields is ``cancel_booking``."""
    booking = get_booking(session, actor=actor, booking_id=booking_id, for_update=True)
    values = data.changes()
    for name in BookingUpdate.CANCELLATION:
        values.pop(name, None)
    current = S(booking.status)
    target = S(values.get("status", current))
    cancellation = data.cancellation()
    if cancellation is not None:
        values.pop("status")
        _change(session, actor, booking, values)
        return cancel_booking(session, actor=actor, booking_id=booking_id, data=cancellation)
    if target is not current:
        check_transition(current, target)
    _change(session, actor, booking, values)
    if target is S.confirmed and current is not S.confirmed:
        _confirm(
            session, actor=actor, booking=booking, on=clock.tenant_today(session, actor.tenant_id)
        )
    return booking


def _change(session: Session, actor: Actor, booking: Booking, values: dict[str, Any]) -> None:
    """Apply plain changes (dates, notes, amount, status) once their rules hold."""
    if (
        "booking_amount" in values
        and values["booking_amount"] != booking.booking_amount
        and booking.invoice_entry_id is not None
    ):
        raise Conflict(
            "the booking is invoiced: change what the customer owes with a credit or debit note",
            field="booking_amount",
        )
    _check_delivery(
        values.get("booking_date", booking.booking_date),
        values.get("delivery_date", booking.delivery_date),
    )
    if values:
        crud.change(session, actor=actor, row=booking, values=values, entity=ENTITY)


def _check_delivery(booking_date: date, delivery_date: date | None) -> None:
    """Here, not in the schema: a booking date left out is known only once it is today's."""
    if delivery_date is not None and delivery_date < booking_date:
        raise Unprocessable("delivery_date may not be before booking_date", field="delivery_date")


def check_transition(current: BookingStatus, target: BookingStatus) -> None:
    if target is S.cancelled and target in TRANSITIONS[current]:
        raise Conflict(
            "cancelling needs a cancellation_reason: PATCH with status cancelled and "
            "cancellation_reason, or POST /api/v1/sales/bookings/{id}/cancel"
        )
    if target not in TRANSITIONS[current]:
        allowed = ", ".join(sorted(s.value for s in TRANSITIONS[current])) or "nothing"
        raise Conflict(
            f"a {current.value} booking cannot become {target.value} (allowed: {allowed})",
            booking_status=current.value,
        )


def _confirm(session: Session, *, actor: Actor, booking: Booking, on: date) -> None:
    journey_links.record(
        session,
        actor=actor,
        booking=booking,
        milestone_type=MilestoneType.booking,
        on=on,
        notes=f"booking {booking.booking_code} confirmed",
    )
    if booking.invoice_entry_id is not None:
        return
    entry = post_invoice(
        session,
        actor=actor,
        booking=booking,
        amount=booking.booking_amount,
        on=on,
        description=f"invoice for booking {booking.booking_code}",
    )
    crud.change(
        session, actor=actor, row=booking, values={"invoice_entry_id": entry.id}, entity=ENTITY
    )


def post_invoice(
    session: Session, *, actor: Actor, booking: Booking, amount: Decimal, on: date, description: str
) -> LedgerEntry:
    """An invoice on the booking's customer's ledger that references the booking (what
    ``_invoiced`` counts and a cancellation credits): its confirmation's, or a demand's."""
    return ledger.post(
        session,
        actor=actor,
        posting=ledger.Posting(
            customer_id=booking.customer_id,
            transaction_type=TransactionType.invoice,
            transaction_date=on,
            debit_amount=amount,
            reference_document_type="booking",
            reference_document_id=str(booking.id),
            description=description,
        ),
    )


def _invoiced(session: Session, booking: Booking) -> Decimal:
    """What the booking's invoices and debit notes still charge: its confirmation invoice,
    or, under a payment plan, the demands and interest notes raised on it (active entries
    that reference the booking; reversed ones and reversals charge nothing)."""
    stmt = select(func.sum(LedgerEntry.debit_amount)).where(
        LedgerEntry.tenant_id == booking.tenant_id,
        LedgerEntry.reference_document_type == "booking",
        LedgerEntry.reference_document_id == str(booking.id),
        LedgerEntry.transaction_type.in_((TransactionType.invoice, TransactionType.debit_note)),
        LedgerEntry.status == EntryStatus.active,
        LedgerEntry.reversal_of_id.is_(None),
    )
    total: Decimal | None = session.scalar(stmt)  # the sum keeps the money type: exact
    return total if total is not None else Decimal("0.00")


def cancel_booking(
    session: Session, *, actor: Actor, booking_id: uuid.UUID, data: BookingCancel
) -> Booking:
    """Cancel: free the units, record a ``cancellation`` milestone, and post the note that
    leaves the customer owing minus the refund (what was paid and not refunded is kept as
    a cancellation fee). Invoiced 5,000,000, paid 500,000, refund 400,000: credit note
    4,900,000, balance -400,000."""
    booking = get_booking(session, actor=actor, booking_id=booking_id, for_update=True)
    current = S(booking.status)
    if S.cancelled not in TRANSITIONS[current]:
        raise Conflict(
            f"a {current.value} booking cannot be cancelled", booking_status=current.value
        )
    cancelled_on = clock.given_or_today(session, actor.tenant_id, data.cancellation_date)
    if cancelled_on < booking.booking_date:
        raise Unprocessable(
            "cancellation_date may not be before booking_date", field="cancellation_date"
        )
    journey_links.record(
        session,
        actor=actor,
        booking=booking,
        milestone_type=MilestoneType.cancellation,
        on=cancelled_on,
        notes=f"booking {booking.booking_code} cancelled: {data.reason}",
    )
    ledger.lock_customer(session, actor=actor, customer_id=booking.customer_id)
    paid = ledger.booking_money(session, tenant_id=actor.tenant_id, booking_id=booking.id)["paid"]
    if data.refund_amount > paid:  # what was paid is the booking's state: a conflict
        raise Conflict(
            f"refund_amount {data.refund_amount} is more than the {paid} paid for this booking",
            field="refund_amount",
            paid=str(paid),
        )
    delta = _invoiced(session, booking) - paid + data.refund_amount
    if delta != 0:
        _post_cancellation_note(session, actor, booking, delta, cancelled_on)
    values: dict[str, Any] = {
        "status": S.cancelled,
        "cancellation_date": cancelled_on,
        "cancellation_reason": data.reason,
        "cancellation_refund_amount": data.refund_amount,
    }
    crud.change(session, actor=actor, row=booking, values=values, entity=ENTITY)
    return booking


def _post_cancellation_note(
    session: Session, actor: Actor, booking: Booking, delta: Decimal, on: date
) -> None:
    """A credit note for what the customer no longer owes (a debit note when negative)."""
    kind = TransactionType.credit_note if delta > 0 else TransactionType.debit_note
    ledger.post(
        session,
        actor=actor,
        locked=True,
        posting=ledger.Posting(
            customer_id=booking.customer_id,
            transaction_type=kind,
            transaction_date=on,
            credit_amount=delta if delta > 0 else Decimal("0.00"),
            debit_amount=-delta if delta < 0 else Decimal("0.00"),
            reference_document_type="booking",
            reference_document_id=str(booking.id),
            description=f"cancellation of booking {booking.booking_code}",
        ),
    )


def pay_refund(
    session: Session, *, actor: Actor, booking_id: uuid.UUID, data: RefundPayout
) -> LedgerEntry:
    """Pay out (part of) a cancelled booking's refund: a debit adjustment on the booking."""
    booking = get_booking(session, actor=actor, booking_id=booking_id, for_update=True)
    if booking.status != S.cancelled:
        raise Conflict("only a cancelled booking has a refund to pay")
    ledger.lock_customer(session, actor=actor, customer_id=booking.customer_id)
    refunded = ledger.booking_money(session, tenant_id=actor.tenant_id, booking_id=booking.id)[
        "refunded"
    ]
    due = (booking.cancellation_refund_amount or Decimal("0.00")) - refunded
    if due <= 0:
        raise Conflict(
            "no refund is due on this booking", refund_due=str(max(due, Decimal("0.00")))
        )
    amount = data.amount if data.amount is not None else due
    if amount > due:  # what is due depends on the booking's state, like "none due" above
        raise Conflict(
            f"amount {amount} is more than the {due} refund due",
            field="amount",
            refund_due=str(due),
        )
    return ledger.post(
        session,
        actor=actor,
        locked=True,
        posting=ledger.Posting(
            customer_id=booking.customer_id,
            transaction_type=TransactionType.adjustment,
            transaction_date=clock.given_or_today(session, actor.tenant_id, data.transaction_date),
            debit_amount=amount,
            reference_document_type="booking",
            reference_document_id=str(booking.id),
            description=data.description or f"refund for booking {booking.booking_code}",
        ),
    )
