"""What the API shows of a billing document."""

from __future__ import annotations

from typing import Any

from salestrack.billing.models import BillingDocument
from salestrack.documents import words


def document_view(row: BillingDocument) -> dict[str, Any]:
    return {
        "id": row.id,
        "kind": row.kind,
        "number": row.number,
        "document_date": row.document_date,
        "customer_id": row.customer_id,
        "booking_id": row.booking_id,
        "instalment_id": row.instalment_id,
        "ledger_entry_id": row.ledger_entry_id,
        "amount": row.amount,
        "amount_in_words": words.in_words(row.amount),
        "pay_by": row.pay_by,
        "related_id": row.related_id,
        "period_from": row.period_from,
        "period_to": row.period_to,
        "rate": row.rate,
        "description": row.description,
    }
