"""documents: letterhead and GST settings, quotations

Revision ID: 0020
Revises: 0017
Create Date: 2026-11-30 12:00:00

The tenant's document settings (``document_settings``: letterhead, bank details, GST
state, logo; ``document_tax_rates``: the GST rate per charge type). Row-level security is
applied by ``salestrack migrate`` to every table with ``tenant_id``.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import salestrack.core.db
import salestrack.documents.models

revision: str = "0020"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _tenant_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["tenant_id"], ["tenants.tenant_id"], name=op.f(f"fk_{table}_tenant_id_tenants")
    )


def upgrade() -> None:
    op.create_table(
        "document_settings",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("legal_name", sa.String(length=200), nullable=False),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("contact", sa.String(length=200), nullable=False),
        sa.Column("gstin", sa.String(length=15), nullable=True),
        sa.Column("pan", sa.String(length=10), nullable=True),
        sa.Column("state_code", sa.String(length=2), nullable=True),
        sa.Column("bank_name", sa.String(length=200), nullable=False),
        sa.Column("bank_account_name", sa.String(length=200), nullable=False),
        sa.Column("bank_account_number", sa.String(length=34), nullable=False),
        sa.Column("bank_ifsc", sa.String(length=11), nullable=False),
        sa.Column("bank_branch", sa.String(length=200), nullable=False),
        sa.Column("quotation_validity_days", sa.Integer(), nullable=False),
        sa.Column("quotation_terms", sa.Text(), nullable=False),
        sa.Column("logo", sa.LargeBinary(), nullable=True),
        sa.Column("logo_type", sa.String(length=20), nullable=True),
        sa.Column("updated_at", salestrack.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        _tenant_fk("document_settings"),
        sa.PrimaryKeyConstraint("tenant_id", name=op.f("pk_document_settings")),
    )
    op.create_table(
        "document_tax_rates",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("charge_type", sa.String(length=30), nullable=False),
        sa.Column("rate", salestrack.documents.models.Rate(precision=5, scale=2), nullable=False),
        sa.Column("sac_code", sa.String(length=8), nullable=False),
        sa.CheckConstraint("rate >= 0", name=op.f("ck_document_tax_rates_rate_not_negative")),
        _tenant_fk("document_tax_rates"),
        sa.PrimaryKeyConstraint("tenant_id", "charge_type", name=op.f("pk_document_tax_rates")),
    )


def downgrade() -> None:
    op.drop_table("document_tax_rates")
    op.drop_table("document_settings")
