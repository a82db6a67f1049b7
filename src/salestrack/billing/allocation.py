"""Which demand a customer's payments have settled, and so each instalment's state.

The rule: a customer's payments (active ledger payments, whatever they reference) settle
the customer's live demands oldest first (by demand date, then number). A demand is live
while its ledger entry is active (a reversed demand charges nothing and its instalment is
due again). Interest debit notes are not instalments: payments are not allocated to them.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from salestrack.billing.models import (
    BillingDocument,
    ConstructionStage,
    DocumentKind,
    Instalment,
    InstalmentState,
)
from salestrack.money.models import EntryStatus, LedgerEntry, TransactionType

ZERO = Decimal("0.00")


def live_demands(
    session: Session, *, tenant_id: uuid.UUID, customer_id: uuid.UUID
) -> list[BillingDocument]:
    """The customer's demands whose ledger entry is active, oldest first."""
    stmt = (
        select(BillingDocument)
        .join(
            LedgerEntry,
            (LedgerEntry.tenant_id == BillingDocument.tenant_id)
            & (LedgerEntry.id == BillingDocument.ledger_entry_id),
        )
        .where(
            BillingDocument.tenant_id == tenant_id,
            BillingDocument.customer_id == customer_id,
            BillingDocument.kind == DocumentKind.demand,
            LedgerEntry.status == EntryStatus.active,
        )
        .order_by(BillingDocument.document_date, BillingDocument.number)
    )
    return list(session.scalars(stmt))


def payments(
    session: Session, *, tenant_id: uuid.UUID, customer_id: uuid.UUID
) -> list[tuple[date, Decimal]]:
    """The customer's active payments (date, amount), oldest first."""
    stmt = (
        select(LedgerEntry.transaction_date, LedgerEntry.credit_amount)
        .where(
            LedgerEntry.tenant_id == tenant_id,
            LedgerEntry.customer_id == customer_id,
            LedgerEntry.transaction_type == TransactionType.payment,
            LedgerEntry.status == EntryStatus.active,
            LedgerEntry.reversal_of_id.is_(None),
        )
        .order_by(LedgerEntry.transaction_date, LedgerEntry.position)
    )
    return [(day, amount) for day, amount in session.execute(stmt)]


def allocate(demands: Sequence[BillingDocument], paid: Decimal) -> dict[uuid.UUID, Decimal]:
    """What ``paid`` settles of each demand, oldest first."""
    left = paid
    out: dict[uuid.UUID, Decimal] = {}
    for demand in demands:
        share = min(left, demand.amount) if left > 0 else ZERO
        out[demand.id] = share
        left -= share
    return out


def paid_before(demands: Sequence[BillingDocument], demand_id: uuid.UUID) -> Decimal:
    """The amount of the live demands older than ``demand_id`` (settled before it)."""
    total = ZERO
    for demand in demands:
        if demand.id == demand_id:
            return total
        total += demand.amount
    return total


@dataclass(frozen=True)
class InstalmentStatus:
    state: InstalmentState
    demand: BillingDocument | None
    paid: Decimal
    outstanding: Decimal


def status_of(
    instalment: Instalment,
    *,
    stage: ConstructionStage | None,
    demand: BillingDocument | None,
    allocated: Decimal,
    today: date,
) -> InstalmentStatus:
    """An instalment's state on ``today`` (the tenant's day)."""
    if demand is None:
        if stage is not None:
            come = stage.reached_on is not None and stage.reached_on <= today
        else:
            come = instalment.due_date is not None and instalment.due_date <= today
        state = InstalmentState.due if come else InstalmentState.upcoming
        return InstalmentStatus(state, None, ZERO, instalment.amount)
    outstanding = demand.amount - allocated
    if outstanding <= 0:
        state = InstalmentState.paid
    elif demand.pay_by is not None and demand.pay_by < today:
        state = InstalmentState.overdue
    elif allocated > 0:
        state = InstalmentState.part_paid
    else:
        state = InstalmentState.demanded
    return InstalmentStatus(state, demand, allocated, max(outstanding, ZERO))


def demands_by_instalment(demands: Iterable[BillingDocument]) -> dict[uuid.UUID, BillingDocument]:
    return {d.instalment_id: d for d in demands if d.instalment_id is not None}
