"""HTTP routes for the customer account ledger and its summary report."""

import uuid
from typing import Annotated, Any

from fastapi import Depends

from salestrack.auth.context import Actor
from salestrack.auth.deps import require
from salestrack.auth.roles import Permission
from salestrack.core.pagination import LimitParam, cursor_query
from salestrack.http import csv_answers
from salestrack.http.csv_answers import CSV_RESPONSES, CsvFormat
from salestrack.http.deps import SessionDep
from salestrack.http.routing import api_router
from salestrack.money import ledger, summary
from salestrack.money.schemas import (
    CustomerLedger,
    LedgerEntryCreate,
    LedgerEntryPublic,
    LedgerSummary,
    ReversalCreate,
)

ledger_router = api_router(prefix="/api/v1/sales/ledger", tags=["ledger"])
ledger_reports_router = api_router(prefix="/api/v1/sales/reports", tags=["ledger"])

Reader = Annotated[Actor, Depends(require(Permission.money_read))]
Writer = Annotated[Actor, Depends(require(Permission.money_write))]


@ledger_router.post("", response_model=LedgerEntryPublic, status_code=201)
def post_entry(session: SessionDep, actor: Writer, body: LedgerEntryCreate) -> Any:
    """Post an entry; the server computes balance_after (409 if you expected another)."""
    return ledger.post_entry(session, actor=actor, data=body)


@ledger_router.get("/{customer_id}", response_model=CustomerLedger)
def customer_ledger(
    session: SessionDep,
    actor: Reader,
    customer_id: uuid.UUID,
    limit: LimitParam = 500,
    cursor: Annotated[str | None, cursor_query(ledger.POSITION_ORDER)] = None,
) -> Any:
    """The customer's entries oldest first with running balances, and the summary."""
    entries, next_cursor = ledger.entries_page(
        session, actor=actor, customer_id=customer_id, limit=limit, cursor=cursor
    )
    return {
        "customer_id": customer_id,
        "entries": entries,
        "next_cursor": next_cursor,
        "summary": summary.customer_summary(session, actor=actor, customer_id=customer_id),
    }


@ledger_router.post("/{entry_id}/reverse", response_model=LedgerEntryPublic, status_code=201)
def reverse_entry(
    session: SessionDep, actor: Writer, entry_id: uuid.UUID, body: ReversalCreate | None = None
) -> Any:
    """Post the opposite entry and mark the original reversed (409 if already reversed)."""
    data = body or ReversalCreate()
    return ledger.reverse_entry(session, actor=actor, entry_id=entry_id, data=data)


@ledger_reports_router.get(
    "/customer-ledger/{customer_id}", response_model=LedgerSummary, responses=CSV_RESPONSES
)
def customer_ledger_report(
    session: SessionDep, actor: Reader, customer_id: uuid.UUID, format: CsvFormat = "json"
) -> Any:
    """Invoiced, paid, credit and debit notes, outstanding, collection % and ageing."""
    result = summary.customer_summary(session, actor=actor, customer_id=customer_id)
    if format == "csv":
        rows = csv_answers.key_values(csv_answers.plain(result))
        return csv_answers.response("customer-ledger", ["field", "value"], rows)
    return result
