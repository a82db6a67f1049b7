"""documents: letterhead and GST settings, quotations

Revision ID: 0020
Revises: 0019
Create Date: 2026-11-30 12:00:00

The tenant's document settings (``document_settings``: letterhead, bank details, GST
state, logo; ``document_tax_rates``: the GST rate per charge type). Row-level security is
applied by ``salestrack migrate`` to every table with ``tenant_id``. Quotations
(``quotations``: one row per version, its totals; ``quotation_lines``: its charges with
their tax split).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import salestrack.core.db
import salestrack.documents.models

revision: str = "0020"
down_revision: str | None = "0019"
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
    op.create_table(
        "quotations",
        sa.Column("series_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("lead_id", sa.Uuid(), nullable=True),
        sa.Column("customer_id", sa.Uuid(), nullable=True),
        sa.Column("inventory_id", sa.Uuid(), nullable=False),
        sa.Column("unit_label", sa.String(length=200), nullable=False),
        sa.Column("area_sqft", salestrack.core.db.Money(precision=18, scale=2), nullable=False),
        sa.Column("place_of_supply", sa.String(length=2), nullable=True),
        sa.Column("interstate", sa.Boolean(), nullable=False),
        sa.Column("quotation_date", sa.Date(), nullable=True),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("delivery_date", sa.Date(), nullable=True),
        sa.Column("terms", sa.Text(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("subtotal", salestrack.core.db.Money(precision=18, scale=2), nullable=False),
        sa.Column(
            "discount_total", salestrack.core.db.Money(precision=18, scale=2), nullable=False
        ),
        sa.Column("taxable_total", salestrack.core.db.Money(precision=18, scale=2), nullable=False),
        sa.Column("cgst_total", salestrack.core.db.Money(precision=18, scale=2), nullable=False),
        sa.Column("sgst_total", salestrack.core.db.Money(precision=18, scale=2), nullable=False),
        sa.Column("igst_total", salestrack.core.db.Money(precision=18, scale=2), nullable=False),
        sa.Column("grand_total", salestrack.core.db.Money(precision=18, scale=2), nullable=False),
        sa.Column("sent_at", salestrack.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decided_at", salestrack.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=False),
        sa.Column("booking_id", sa.Uuid(), nullable=True),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", salestrack.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("updated_at", salestrack.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.Column("deleted_at", salestrack.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "lead_id IS NOT NULL OR customer_id IS NOT NULL", name=op.f("ck_quotations_has_buyer")
        ),
        sa.CheckConstraint("version > 0", name=op.f("ck_quotations_version_positive")),
        sa.ForeignKeyConstraint(
            ["tenant_id", "booking_id"],
            ["bookings.tenant_id", "bookings.id"],
            name=op.f("fk_quotations_tenant_id_booking_id_bookings"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "customer_id"],
            ["customers.tenant_id", "customers.id"],
            name=op.f("fk_quotations_tenant_id_customer_id_customers"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "inventory_id"],
            ["inventory.tenant_id", "inventory.id"],
            name=op.f("fk_quotations_tenant_id_inventory_id_inventory"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "lead_id"],
            ["leads.tenant_id", "leads.id"],
            name=op.f("fk_quotations_tenant_id_lead_id_leads"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.tenant_id"], name=op.f("fk_quotations_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_quotations")),
        sa.UniqueConstraint("tenant_id", "number", name=op.f("uq_quotations_tenant_id_number")),
        sa.UniqueConstraint(
            "tenant_id",
            "series_id",
            "version",
            name=op.f("uq_quotations_tenant_id_series_id_version"),
        ),
    )
    with op.batch_alter_table("quotations", schema=None) as batch_op:
        batch_op.create_index(
            "ix_quotations_tenant_created", ["tenant_id", "created_at", "id"], unique=False
        )
        batch_op.create_index(
            "ix_quotations_tenant_customer", ["tenant_id", "customer_id"], unique=False
        )
        batch_op.create_index("ix_quotations_tenant_lead", ["tenant_id", "lead_id"], unique=False)

    op.create_table(
        "quotation_lines",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("quotation_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("charge_type", sa.String(length=30), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.Column("rate_per_sqft", salestrack.core.db.Money(precision=18, scale=2), nullable=True),
        sa.Column("amount", salestrack.core.db.Money(precision=18, scale=2), nullable=False),
        sa.Column("discount", salestrack.core.db.Money(precision=18, scale=2), nullable=False),
        sa.Column("taxable", salestrack.core.db.Money(precision=18, scale=2), nullable=False),
        sa.Column(
            "gst_rate", salestrack.documents.models.Rate(precision=5, scale=2), nullable=False
        ),
        sa.Column("sac_code", sa.String(length=8), nullable=False),
        sa.Column("cgst", salestrack.core.db.Money(precision=18, scale=2), nullable=False),
        sa.Column("sgst", salestrack.core.db.Money(precision=18, scale=2), nullable=False),
        sa.Column("igst", salestrack.core.db.Money(precision=18, scale=2), nullable=False),
        sa.Column("total", salestrack.core.db.Money(precision=18, scale=2), nullable=False),
        sa.CheckConstraint(
            "discount <= amount", name=op.f("ck_quotation_lines_discount_within_amount")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "quotation_id"],
            ["quotations.tenant_id", "quotations.id"],
            name=op.f("fk_quotation_lines_tenant_id_quotation_id_quotations"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.tenant_id"], name=op.f("fk_quotation_lines_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint(
            "tenant_id", "quotation_id", "position", name=op.f("pk_quotation_lines")
        ),
    )


def downgrade() -> None:
    op.drop_table("quotation_lines")
    with op.batch_alter_table("quotations", schema=None) as batch_op:
        batch_op.drop_index("ix_quotations_tenant_lead")
        batch_op.drop_index("ix_quotations_tenant_customer")
        batch_op.drop_index("ix_quotations_tenant_created")
    op.drop_table("quotations")
    op.drop_table("document_tax_rates")
    op.drop_table("document_settings")
