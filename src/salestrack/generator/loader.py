"""Bulk loading simulated rows: COPY on PostgreSQL (when row security allows it),
executemany otherwise.

Rows arrive as COPY text lines (``copytext``), one joined block per table, and are sent
as they are: no per-value adaptation. COPY goes through the session's own connection, so a
batch commits or rolls back with everything else in its transaction. The insert path
parses the lines back by column type (it serves SQLite and row-secured roles: small loads).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from salestrack.generator import copybinary
from salestrack.generator.copytext import parse_lines
from salestrack.generator.presummed import STATE_COLUMNS
from salestrack.generator.records import Rows
from salestrack.models import metadata

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
    "payment_plans": ["tenant_id", "id", "booking_id", "agreement_value", "notes", *AUDITED],
    "plan_instalments": [
        "tenant_id", "id", "plan_id", "position", "label", "percentage", "amount", "due_date",
        "stage_id",
    ],
    "billing_documents": [
        "tenant_id", "id", "kind", "number", "document_date", "customer_id", "booking_id",
        "instalment_id", "ledger_entry_id", "amount", "pay_by", "related_id", "period_from",
        "period_to", "rate", "description", *AUDITED,
    ],
    "quotations": [
        "tenant_id", "id", "series_id", "version", "number", "status", "lead_id", "customer_id",
        "inventory_id", "unit_label", "area_sqft", "place_of_supply", "interstate",
        "quotation_date", "valid_until", "delivery_date", "terms", "notes", "subtotal",
        "discount_total", "taxable_total", "cgst_total", "sgst_total", "igst_total",
        "grand_total", "sent_at", "decided_at", "decision_note", "booking_id", *AUDITED,
    ],
    "quotation_lines": [
        "tenant_id", "quotation_id", "position", "charge_type", "description", "rate_per_sqft",
        "amount", "discount", "taxable", "gst_rate", "sac_code", "cgst", "sgst", "igst", "total",
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
    **STATE_COLUMNS,
}  # fmt: skip
SUMMARY_TABLES = tuple(STATE_COLUMNS)


@dataclass
class Block:
    """One table's lines of a batch, joined (cheap to pass between processes)."""

    table: str
    count: int
    text: bytes
    binary: bool = False


def blocks(rows: Rows) -> list[Block]:
    """The batch's tables in foreign-key order, summaries last."""

    def text(table: str, lines: list[str]) -> Block:
        return Block(table, len(lines), "".join(lines).encode())

    def binary(table: str, rows_: list[bytes]) -> Block:
        data = copybinary.HEADER + b"".join(rows_) + copybinary.TRAILER
        return Block(table, len(rows_), data, binary=True)

    return [
        text("leads", rows.leads),
        text("customers", rows.customers),
        text("bookings", rows.bookings),
        text("ledger_entries", rows.ledger),
        text("payment_plans", rows.plans),
        text("plan_instalments", rows.instalments),
        text("billing_documents", rows.documents),
        text("quotations", rows.quotations),
        text("quotation_lines", rows.quotation_lines),
        binary("lead_milestones", rows.milestones),
        binary("lead_status_history", rows.history),
        binary("lead_engagements", rows.engagements),
        text("report_lead_state", rows.lead_states),
        text("report_booking_state", rows.booking_states),
        text("report_customer_state", rows.customer_states),
    ]


def can_copy(session: Session) -> bool:
    """PostgreSQL refuses COPY FROM into tables under row-level security, which binds every
    role but a superuser or one with BYPASSRLS (e.g. the maintenance role); others insert."""
    if session.get_bind().dialect.name != "postgresql":
        return False
    sql = "SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user"
    return bool(session.connection().exec_driver_sql(sql).scalar())


def skip_key_checks(session: Session) -> None:
    """For a superuser, skip the foreign-key triggers for the rest of the transaction (as
    ``pg_restore --disable-triggers`` does): they run one lookup per row, half of COPY's
    time, and the generator writes every referenced row before or with its referrers
    (``test_generator`` checks there are no orphans). A BYPASSRLS role keeps the checks."""
    sql = "SELECT rolsuper FROM pg_roles WHERE rolname = current_user"
    if session.connection().exec_driver_sql(sql).scalar():
        session.connection().exec_driver_sql("SET LOCAL session_replication_role = replica")


def load(session: Session, batch: Iterable[Block], *, copy: bool) -> dict[str, int]:
    """Write a batch in the session's transaction; returns the rows written by table."""
    counts = {}
    for block in batch:
        if block.count:
            (_copy if copy else _insert)(session, block)
        counts[block.table] = block.count
    return counts


def _copy(session: Session, block: Block) -> None:
    raw: Any = session.connection().connection.driver_connection
    columns = ", ".join(f'"{c}"' for c in COLUMNS[block.table])
    binary = " (FORMAT BINARY)" if block.binary else ""
    sql = f"COPY {block.table} ({columns}) FROM STDIN{binary}"
    with raw.cursor() as cursor, cursor.copy(sql) as copy:
        view = memoryview(block.text)
        for start in range(0, len(view), 1 << 20):
            copy.write(view[start : start + (1 << 20)])


def _insert(session: Session, block: Block) -> None:
    target = metadata.tables[block.table]
    if block.binary:
        dicts = copybinary.parse(target, COLUMNS[block.table], block.text)
    else:
        dicts = parse_lines(target, COLUMNS[block.table], block.text.decode().split("\n")[:-1])
    for start in range(0, len(dicts), 2000):
        session.execute(insert(target), dicts[start : start + 2000])
