"""wide report totals

Report counters and a lead's revenue and collections add up amounts that are each at most
9,999,999,999,999,999.99: NUMERIC(18,2) overflowed after two of them (a 500 on the
write). NUMERIC(38,2) on PostgreSQL; SQLite keeps integer cents (no change).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 03:10:00
"""

from collections.abc import Sequence

from alembic import op

import salestrack.core.db

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = (
    ("report_counters", "amount"),
    ("report_lead_state", "revenue"),
    ("report_lead_state", "collected"),
)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, column in COLUMNS:
        op.alter_column(
            table,
            column,
            type_=salestrack.core.db.Total(precision=38, scale=2),
            existing_type=salestrack.core.db.Money(precision=18, scale=2),
            existing_nullable=False,
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, column in COLUMNS:
        op.alter_column(
            table,
            column,
            type_=salestrack.core.db.Money(precision=18, scale=2),
            existing_type=salestrack.core.db.Total(precision=38, scale=2),
            existing_nullable=False,
        )
