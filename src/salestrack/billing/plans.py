"""A booking's payment plan: instalments by percentage or amount, due on a date or on a
construction stage; reading it with each instalment's state.

Under a plan the booking is invoiced instalment by instalment (each demand posts its
invoice), so making a plan reverses the booking's lump-sum confirmation invoice in the
same transaction (the ledger keeps both entries; totals and reports leave reversed pairs
out), and withdrawing a plan before any demand posts the lump-sum invoice again.

Amounts: a percentage instalment is that share of the agreement value (the booking
amount when the plan is made) rounded half up to the paisa; the instalments must add up
to the agreement value exactly (422), except that the rounding of percentage
instalments (a paisa or so) is absorbed by the last percentage instalment.
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from salestrack.auth import clock
from salestrack.auth.context import Actor
from salestrack.billing import allocation
from salestrack.billing.models import (
    BillingDocument,
    ConstructionStage,
    Instalment,
    PaymentPlan,
)
from salestrack.billing.schemas import PlanIn
from salestrack.core import crud
from salestrack.core.errors import Conflict, NotFound, Unprocessable
from salestrack.leads.models import Customer
from salestrack.money import bookings, ledger
from salestrack.money.models import (
    Booking,
    BookingStatus,
    EntryStatus,
    Inventory,
    LedgerEntry,
    TransactionType,
)
from salestrack.money.schemas import ReversalCreate

ENTITY = "payment_plan"
CENT = Decimal("0.01")
HUNDRED = Decimal("100")
PLANNABLE = (BookingStatus.confirmed, BookingStatus.completed)


def plan_of(
    session: Session, *, actor: Actor, booking_id: uuid.UUID, for_update: bool = False
) -> tuple[Booking, PaymentPlan]:
    """The booking (404 if not the tenant's) and its plan (404 if it has none)."""
    booking = bookings.get_booking(session, actor=actor, booking_id=booking_id)
    stmt = crud.scoped(PaymentPlan, actor.tenant_id).where(PaymentPlan.booking_id == booking_id)
    if for_update:
        stmt = stmt.with_for_update()
    plan = session.scalars(stmt).first()
    if plan is None:
        raise NotFound(f"booking {booking.booking_code} has no payment plan")
    return booking, plan


def get_plan(session: Session, *, actor: Actor, plan_id: uuid.UUID) -> PaymentPlan:
    plan: PaymentPlan = crud.get_live(
        session, PaymentPlan, tenant_id=actor.tenant_id, row_id=plan_id, label="payment plan"
    )
    return plan


def instalments_of(session: Session, plan: PaymentPlan) -> list[Instalment]:
    stmt = (
        select(Instalment)
        .where(Instalment.tenant_id == plan.tenant_id, Instalment.plan_id == plan.id)
        .order_by(Instalment.position)
    )
    return list(session.scalars(stmt))


def get_instalment(
    session: Session, *, actor: Actor, instalment_id: uuid.UUID, for_update: bool = False
) -> Instalment:
    """An instalment of a live plan (404 for another tenant's)."""
    stmt = (
        select(Instalment)
        .join(
            PaymentPlan,
            (PaymentPlan.tenant_id == Instalment.tenant_id)
            & (PaymentPlan.id == Instalment.plan_id),
        )
        .where(
            Instalment.tenant_id == actor.tenant_id,
            Instalment.id == instalment_id,
            PaymentPlan.deleted_at.is_(None),
        )
    )
    if for_update:
        stmt = stmt.with_for_update(of=Instalment)
    row = session.scalars(stmt).first()
    if row is None:
        raise NotFound(f"instalment {instalment_id} not found")
    return row


def _amounts(value: Decimal, data: PlanIn) -> list[Decimal]:
    """Each instalment's amount; 422 unless they add up to ``value``."""
    amounts = [
        line.amount
        if line.amount is not None
        else (value * (line.percentage or Decimal(0)) / HUNDRED).quantize(CENT, ROUND_HALF_UP)
        for line in data.instalments
    ]
    shares = [i for i, line in enumerate(data.instalments) if line.percentage is not None]
    difference = value - sum(amounts, start=Decimal(0))
    if difference and shares and abs(difference) <= CENT * len(shares):
        amounts[shares[-1]] += difference  # the rounding of the shares, a paisa or so
        difference = Decimal(0)
    if difference:
        total = sum(amounts, start=Decimal(0))
        raise Unprocessable(
            f"instalments: they add up to {total}, not the agreement value {value}",
            field="instalments",
        )
    if any(amount <= 0 for amount in amounts):
        raise Unprocessable("instalments: every amount must be positive", field="instalments")
    return amounts


def _check_stages(session: Session, actor: Actor, booking: Booking, data: PlanIn) -> None:
    """Every stage is the tenant's and of the booking's project (422)."""
    inventory = session.get(Inventory, (actor.tenant_id, booking.inventory_id))
    project = inventory.project if inventory is not None else None
    for index, line in enumerate(data.instalments):
        if line.stage_id is None:
            continue
        stage = session.get(ConstructionStage, (actor.tenant_id, line.stage_id))
        field = f"instalments.{index}.stage_id"
        if stage is None or stage.deleted_at is not None:
            raise Unprocessable(f"{field}: no construction stage {line.stage_id}", field=field)
        if stage.project != project:
            raise Unprocessable(
                f"{field}: stage {stage.name!r} is of project {stage.project!r}, "
                f"not the booking's {project!r}",
                field=field,
            )


def _write_instalments(
    session: Session, actor: Actor, plan: PaymentPlan, data: PlanIn, amounts: list[Decimal]
) -> None:
    for position, (line, amount) in enumerate(zip(data.instalments, amounts, strict=True), 1):
        session.add(
            Instalment(
                tenant_id=actor.tenant_id,
                plan_id=plan.id,
                position=position,
                label=line.label,
                percentage=line.percentage,
                amount=amount,
                due_date=line.due_date,
                stage_id=line.stage_id,
            )
        )
    session.flush()


def create_plan(
    session: Session, *, actor: Actor, booking_id: uuid.UUID, data: PlanIn
) -> PaymentPlan:
    """The booking's plan (409 if it has one, or is not confirmed); reverses the booking's
    lump-sum invoice, since the demands invoice it from now on."""
    booking = bookings.get_booking(session, actor=actor, booking_id=booking_id, for_update=True)
    if booking.status not in PLANNABLE or booking.invoice_entry_id is None:
        raise Conflict(
            f"a {booking.status} booking takes no payment plan: confirm it first",
            booking_status=str(booking.status),
        )
    existing = crud.scoped(PaymentPlan, actor.tenant_id).where(PaymentPlan.booking_id == booking_id)
    if session.scalars(existing).first() is not None:
        raise Conflict(f"booking {booking.booking_code} has a payment plan: change it with PUT")
    _check_stages(session, actor, booking, data)
    amounts = _amounts(booking.booking_amount, data)
    plan = PaymentPlan(
        booking_id=booking.id, agreement_value=booking.booking_amount, notes=data.notes
    )
    crud.add(session, actor=actor, row=plan, entity=ENTITY)
    _write_instalments(session, actor, plan, data, amounts)
    invoice = session.get(LedgerEntry, (actor.tenant_id, booking.invoice_entry_id))
    if invoice is not None and invoice.status == EntryStatus.active:
        ledger.reverse_entry(
            session,
            actor=actor,
            entry_id=invoice.id,
            data=ReversalCreate(
                transaction_date=clock.tenant_today(session, actor.tenant_id),
                description=(
                    f"booking {booking.booking_code} is invoiced by its payment plan's demands"
                ),
            ),
        )
    return plan


def _demanded(session: Session, plan: PaymentPlan) -> bool:
    stmt = (
        select(BillingDocument.id)
        .join(
            Instalment,
            (Instalment.tenant_id == BillingDocument.tenant_id)
            & (Instalment.id == BillingDocument.instalment_id),
        )
        .where(Instalment.tenant_id == plan.tenant_id, Instalment.plan_id == plan.id)
        .limit(1)
    )
    return session.execute(stmt).first() is not None


def locked_plan(
    session: Session, *, actor: Actor, plan_id: uuid.UUID
) -> tuple[Booking, PaymentPlan]:
    """A plan (404 if not the tenant's) and its booking, both locked (booking first)."""
    plan: PaymentPlan = crud.get_live(
        session, PaymentPlan, tenant_id=actor.tenant_id, row_id=plan_id, label="payment plan"
    )
    booking = bookings.get_booking(
        session, actor=actor, booking_id=plan.booking_id, for_update=True
    )
    plan = crud.get_live(
        session,
        PaymentPlan,
        tenant_id=actor.tenant_id,
        row_id=plan_id,
        label="payment plan",
        for_update=True,
    )
    return booking, plan


def replace_plan(
    session: Session, *, actor: Actor, plan_id: uuid.UUID, data: PlanIn
) -> PaymentPlan:
    """New instalments for a plan no demand was raised on (409 once one was)."""
    booking, plan = locked_plan(session, actor=actor, plan_id=plan_id)
    if _demanded(session, plan):
        raise Conflict("a demand was raised on this plan: its instalments are fixed")
    _check_stages(session, actor, booking, data)
    amounts = _amounts(plan.agreement_value, data)
    session.execute(
        delete(Instalment).where(
            Instalment.tenant_id == actor.tenant_id, Instalment.plan_id == plan.id
        )
    )
    _write_instalments(session, actor, plan, data, amounts)
    crud.change(session, actor=actor, row=plan, values={"notes": data.notes}, entity=ENTITY)
    crud.log_action(
        session,
        actor=actor,
        entity=ENTITY,
        entity_id=plan.id,
        action="replace_instalments",
        changes={"instalments": [str(a) for a in amounts]},
    )
    return plan


def withdraw_plan(session: Session, *, actor: Actor, plan_id: uuid.UUID) -> None:
    """Remove a plan no demand was raised on, and invoice the booking as a lump sum again."""
    booking, plan = locked_plan(session, actor=actor, plan_id=plan_id)
    if _demanded(session, plan):
        raise Conflict("a demand was raised on this plan: it cannot be withdrawn")
    if not crud.exists_live(
        session, Customer, tenant_id=actor.tenant_id, row_id=booking.customer_id
    ):
        raise Conflict("the booking's customer was deleted: its account takes no invoice")
    session.execute(
        delete(Instalment).where(
            Instalment.tenant_id == actor.tenant_id, Instalment.plan_id == plan.id
        )
    )
    crud.log_action(
        session, actor=actor, entity=ENTITY, entity_id=plan.id, action="delete", changes={}
    )
    session.delete(plan)
    session.flush()
    if booking.status in PLANNABLE:
        ledger.post(
            session,
            actor=actor,
            posting=ledger.Posting(
                customer_id=booking.customer_id,
                transaction_type=TransactionType.invoice,
                transaction_date=clock.tenant_today(session, actor.tenant_id),
                debit_amount=plan.agreement_value,
                reference_document_type="booking",
                reference_document_id=str(booking.id),
                description=f"invoice for booking {booking.booking_code} (payment plan withdrawn)",
            ),
        )


def plan_view(
    session: Session, *, actor: Actor, booking: Booking, plan: PaymentPlan, today: date
) -> dict[str, Any]:
    """The plan with each instalment's state, demand and allocated payments."""
    tenant_id = actor.tenant_id
    rows = instalments_of(session, plan)
    stage_ids = {row.stage_id for row in rows if row.stage_id is not None}
    stages = (
        {
            s.id: s
            for s in session.scalars(
                select(ConstructionStage).where(
                    ConstructionStage.tenant_id == tenant_id, ConstructionStage.id.in_(stage_ids)
                )
            )
        }
        if stage_ids
        else {}
    )
    demands = allocation.live_demands(session, tenant_id=tenant_id, customer_id=booking.customer_id)
    paid = sum(
        (
            amount
            for _day, amount in allocation.payments(
                session, tenant_id=tenant_id, customer_id=booking.customer_id
            )
        ),
        start=Decimal("0.00"),
    )
    allocated = allocation.allocate(demands, paid)
    mine = allocation.demands_by_instalment(demands)
    items = []
    for row in rows:
        stage = stages.get(row.stage_id) if row.stage_id is not None else None
        demand = mine.get(row.id)
        status = allocation.status_of(
            row,
            stage=stage,
            demand=demand,
            allocated=allocated.get(demand.id, Decimal("0.00")) if demand else Decimal("0.00"),
            today=today,
        )
        items.append(
            {
                "id": row.id,
                "position": row.position,
                "label": row.label,
                "percentage": row.percentage,
                "amount": row.amount,
                "due_date": row.due_date,
                "stage_id": row.stage_id,
                "stage_name": stage.name if stage else None,
                "stage_reached_on": stage.reached_on if stage else None,
                "state": status.state,
                "demand_id": demand.id if demand else None,
                "demand_number": demand.number if demand else None,
                "pay_by": demand.pay_by if demand else None,
                "paid": status.paid,
                "outstanding": status.outstanding,
            }
        )
    return {
        "id": plan.id,
        "booking_id": booking.id,
        "customer_id": booking.customer_id,
        "agreement_value": plan.agreement_value,
        "notes": plan.notes,
        "instalments": items,
    }
