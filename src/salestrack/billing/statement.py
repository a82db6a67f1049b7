"""A customer's statement of account: the ledger between two days with the number of the
document each entry stands for, opening and closing balances."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from salestrack.auth.context import Actor
from salestrack.billing import issue
from salestrack.core import crud
from salestrack.core.errors import Unprocessable
from salestrack.leads.models import Customer
from salestrack.money.models import LedgerEntry

ZERO = Decimal("0.00")
MAX_LINES = 5000


def statement(
    session: Session,
    *,
    actor: Actor,
    customer_id: uuid.UUID,
    date_from: date | None,
    date_to: date | None,
) -> dict[str, Any]:
    """Entries dated ``date_from``..``date_to`` (both included; open ends allowed) in
    posting order, each with its running balance, opening with the balance before them."""
    customer: Customer = crud.get_live(
        session, Customer, tenant_id=actor.tenant_id, row_id=customer_id, label="customer"
    )
    if date_from and date_to and date_from > date_to:
        raise Unprocessable("date_from may not be after date_to", field="date_from")
    mine = (LedgerEntry.tenant_id == actor.tenant_id, LedgerEntry.customer_id == customer_id)
    stmt = select(LedgerEntry).where(*mine).order_by(LedgerEntry.position)
    opening = ZERO
    if date_from is not None:
        # Sums keep the money column type: exact Decimals on both databases.
        before = select(
            func.sum(LedgerEntry.debit_amount), func.sum(LedgerEntry.credit_amount)
        ).where(*mine, LedgerEntry.transaction_date < date_from)
        debit, credit = session.execute(before).one()
        opening = (debit or ZERO) - (credit or ZERO)
        stmt = stmt.where(LedgerEntry.transaction_date >= date_from)
    if date_to is not None:
        stmt = stmt.where(LedgerEntry.transaction_date <= date_to)
    entries = list(session.scalars(stmt.limit(MAX_LINES + 1)))
    if len(entries) > MAX_LINES:  # a cut statement would show wrong totals: refuse it
        raise Unprocessable(
            f"the period holds more than {MAX_LINES:,} entries: choose a shorter period",
            field="date_from",
        )
    documents = issue.by_entry(session, actor.tenant_id, [e.id for e in entries])
    lines = []
    balance = opening
    debits = credits = ZERO
    # Entries are in posting order; a back-dated entry keeps its place, so the running
    # balance here is the statement's own (opening plus the lines), not ``balance_after``.
    for entry in entries:
        balance += entry.debit_amount - entry.credit_amount
        debits += entry.debit_amount
        credits += entry.credit_amount
        document = documents.get(entry.id)
        lines.append(
            {
                "date": entry.transaction_date,
                "ledger_code": entry.ledger_code,
                "kind": str(entry.transaction_type),
                "document_number": document.number if document else None,
                "description": entry.description,
                "debit": entry.debit_amount,
                "credit": entry.credit_amount,
                "balance": balance,
            }
        )
    return {
        "customer_id": customer.id,
        "customer_name": customer.name,
        "date_from": date_from,
        "date_to": date_to,
        "opening_balance": opening,
        "lines": lines,
        "total_debits": debits,
        "total_credits": credits,
        "closing_balance": balance,
    }
