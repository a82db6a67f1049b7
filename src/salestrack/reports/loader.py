"""Bulk loading simulated rows: COPY on PostgreSQL, executemany on SQLite.

COPY goes through the session's own connection, so a batch commits or rolls back with
everything else in its transaction.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from salestrack.models import metadata
from salestrack.reports.simulate import Row, Rows

AUDITED = ["created_at", "created_by", "updated_at", "updated_by", "deleted_at"]
COLUMNS: dict[str, list[str]] = {
    "leads": [
        "tenant_id", "id", "lead_code", "name", "company", "email", "phone", "status",
        "source_id", "campaign_id", "assigned_to", "expected_value", "notes", "lead_date",
        *AUDITED,
    ],
    "customers": [
        "tenant_id", "id", "customer_code", "name", "email", "phone", "lead_id", "status",
        *AUDITED,
    ],
    "bookings": [
        "tenant_id", "id", "booking_code", "customer_id", "lead_id", "inventory_id",
        "booking_date", "booking_amount", "unit_type", "unit_count", "delivery_date", "status",
        "notes", "invoice_entry_id", "cancellation_date", "cancellation_reason",
        "cancellation_refund_amount", *AUDITED,
    ],
    "ledger_entries": [
        "tenant_id", "id", "ledger_code", "customer_id", "position", "transaction_date",
        "transaction_type", "debit_amount", "credit_amount", "balance_after",
        "reference_document_type", "reference_document_id", "description", "status",
        "reversal_of_id", *AUDITED,
    ],
    "lead_milestones": [
        "tenant_id", "id", "lead_id", "milestone_type", "milestone_date", "milestone_time",
        "sort_time", "status_before", "status_after", "location_name", "location_latitude",
        "location_longitude", "visited_by", "duration_minutes", "outcome", "follow_up_required",
        "follow_up_date", "follow_up_closed_at", "follow_up_closed_by", "follow_up_closed_by_id",
        "notes", "metadata", *AUDITED,
    ],
    "lead_status_history": [
        "tenant_id", "id", "lead_id", "seq", "from_status", "to_status", "changed_at", "cause",
        "cause_id", "actor_id",
    ],
    "lead_engagements": [
        "tenant_id", "id", "lead_id", "engagement_type", "engagement_channel", "engagement_date",
        "subject", "notes", "status", "response_received", "response_date", "response_notes",
        "duration_seconds", *AUDITED,
    ],
}  # fmt: skip


def _tables(rows: Rows) -> list[tuple[str, list[Row]]]:
    """In foreign-key order."""
    return [
        ("leads", rows.leads),
        ("customers", rows.customers),
        ("bookings", rows.bookings),
        ("ledger_entries", rows.ledger),
        ("lead_milestones", rows.milestones),
        ("lead_status_history", rows.history),
        ("lead_engagements", rows.engagements),
    ]


def load(session: Session, rows: Rows) -> dict[str, int]:
    postgres = session.get_bind().dialect.name == "postgresql"
    counts = {}
    for table, data in _tables(rows):
        if data:
            (_copy if postgres else _executemany)(session, table, data)
        counts[table] = len(data)
    return counts


def _copy(session: Session, table: str, data: list[Row]) -> None:
    raw: Any = session.connection().connection.driver_connection
    columns = ", ".join(f'"{c}"' for c in COLUMNS[table])
    with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in data:
            copy.write_row(row)


def _executemany(session: Session, table: str, data: list[Row]) -> None:
    names = COLUMNS[table]
    dicts = [dict(zip(names, row, strict=True)) for row in data]
    if table == "lead_milestones":
        for d in dicts:
            d["metadata"] = json.loads(d["metadata"])
    target = metadata.tables[table]
    for start in range(0, len(dicts), 2000):
        session.execute(insert(target), dicts[start : start + 2000])
