"""ledger codes per account

Ledger codes are numbered per customer account (``LED-<customer code>-<position>``)
instead of by one tenant-wide counter that every payment held locked until it committed.
A customer code has up to 50 characters, so the column widens from 30 to 72. Codes
already issued (``LED-000123``) stay as they are: they remain unique, and a document that
quoted one still finds it.

Revision ID: 0016
Revises: 0008
Create Date: 2026-11-30 04:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    _resize(30, 72)


def downgrade() -> None:
    _resize(72, 30)


def _resize(old: int, new: int) -> None:
    """ALTER on PostgreSQL; SQLite rebuilds the table (batch mode) to record the length."""
    with op.batch_alter_table("ledger_entries") as batch:
        batch.alter_column(
            "ledger_code",
            type_=sa.String(new),
            existing_type=sa.String(old),
            existing_nullable=False,
        )
