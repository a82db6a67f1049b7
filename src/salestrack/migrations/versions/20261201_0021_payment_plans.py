"""payment plans, construction stages, demands, receipts, credit and debit notes

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-01 09:00:00

The tenant's billing settings (``billing_settings``: late-payment interest rate, days to
pay a demand), a project's construction stages (``construction_stages``), a booking's
payment plan and its instalments (``payment_plans``, ``plan_instalments``), the issued
documents (``billing_documents``: demands INV, debit notes DN, receipts RCT, credit notes
CN, each with its ledger entry) and the worker's mail jobs (``billing_document_mails``).
Row-level security is applied by ``salestrack migrate`` to every table with ``tenant_id``.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import salestrack.core.db
import salestrack.documents.models

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "billing_settings",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column(
            "interest_rate", salestrack.documents.models.Rate(precision=5, scale=2), nullable=False
        ),
        sa.Column("payment_days", sa.Integer(), nullable=False),
        sa.Column("updated_at", salestrack.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.CheckConstraint(
            "interest_rate >= 0", name=op.f("ck_billing_settings_interest_rate_not_negative")
        ),
        sa.CheckConstraint(
            "payment_days >= 0", name=op.f("ck_billing_settings_payment_days_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.tenant_id"], name=op.f("fk_billing_settings_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant_id", name=op.f("pk_billing_settings")),
    )
    op.create_table(
        "construction_stages",
        sa.Column("project", sa.String(length=200), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("reached_on", sa.Date(), nullable=True),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", salestrack.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("updated_at", salestrack.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.Column("deleted_at", salestrack.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.tenant_id"],
            name=op.f("fk_construction_stages_tenant_id_tenants"),
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_construction_stages")),
        sa.UniqueConstraint(
            "tenant_id",
            "project",
            "name",
            name=op.f("uq_construction_stages_tenant_id_project_name"),
        ),
    )
    with op.batch_alter_table("construction_stages", schema=None) as batch_op:
        batch_op.create_index(
            "ix_construction_stages_tenant_project",
            ["tenant_id", "project", "position"],
            unique=False,
        )

    op.create_table(
        "payment_plans",
        sa.Column("booking_id", sa.Uuid(), nullable=False),
        sa.Column(
            "agreement_value", salestrack.core.db.Money(precision=18, scale=2), nullable=False
        ),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", salestrack.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("updated_at", salestrack.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.Column("deleted_at", salestrack.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id", "booking_id"],
            ["bookings.tenant_id", "bookings.id"],
            name=op.f("fk_payment_plans_tenant_id_booking_id_bookings"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.tenant_id"], name=op.f("fk_payment_plans_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_payment_plans")),
        sa.UniqueConstraint(
            "tenant_id", "booking_id", name=op.f("uq_payment_plans_tenant_id_booking_id")
        ),
    )
    op.create_table(
        "plan_instalments",
        sa.Column("plan_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column(
            "percentage", salestrack.documents.models.Rate(precision=5, scale=2), nullable=True
        ),
        sa.Column("amount", salestrack.core.db.Money(precision=18, scale=2), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("stage_id", sa.Uuid(), nullable=True),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint(
            "(due_date IS NULL) <> (stage_id IS NULL)",
            name=op.f("ck_plan_instalments_date_or_stage"),
        ),
        sa.CheckConstraint("amount > 0", name=op.f("ck_plan_instalments_amount_positive")),
        sa.ForeignKeyConstraint(
            ["tenant_id", "plan_id"],
            ["payment_plans.tenant_id", "payment_plans.id"],
            name=op.f("fk_plan_instalments_tenant_id_plan_id_payment_plans"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "stage_id"],
            ["construction_stages.tenant_id", "construction_stages.id"],
            name=op.f("fk_plan_instalments_tenant_id_stage_id_construction_stages"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.tenant_id"], name=op.f("fk_plan_instalments_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_plan_instalments")),
        sa.UniqueConstraint(
            "tenant_id",
            "plan_id",
            "position",
            name=op.f("uq_plan_instalments_tenant_id_plan_id_position"),
        ),
    )
    with op.batch_alter_table("plan_instalments", schema=None) as batch_op:
        batch_op.create_index(
            "ix_plan_instalments_tenant_stage", ["tenant_id", "stage_id"], unique=False
        )

    op.create_table(
        "billing_documents",
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("document_date", sa.Date(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("booking_id", sa.Uuid(), nullable=True),
        sa.Column("instalment_id", sa.Uuid(), nullable=True),
        sa.Column("ledger_entry_id", sa.Uuid(), nullable=False),
        sa.Column("amount", salestrack.core.db.Money(precision=18, scale=2), nullable=False),
        sa.Column("pay_by", sa.Date(), nullable=True),
        sa.Column("related_id", sa.Uuid(), nullable=True),
        sa.Column("period_from", sa.Date(), nullable=True),
        sa.Column("period_to", sa.Date(), nullable=True),
        sa.Column("rate", salestrack.documents.models.Rate(precision=5, scale=2), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", salestrack.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("updated_at", salestrack.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.Column("deleted_at", salestrack.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint("amount >= 0", name=op.f("ck_billing_documents_amount_not_negative")),
        sa.ForeignKeyConstraint(
            ["tenant_id", "booking_id"],
            ["bookings.tenant_id", "bookings.id"],
            name=op.f("fk_billing_documents_tenant_id_booking_id_bookings"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "customer_id"],
            ["customers.tenant_id", "customers.id"],
            name=op.f("fk_billing_documents_tenant_id_customer_id_customers"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "instalment_id"],
            ["plan_instalments.tenant_id", "plan_instalments.id"],
            name=op.f("fk_billing_documents_tenant_id_instalment_id_plan_instalments"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "ledger_entry_id"],
            ["ledger_entries.tenant_id", "ledger_entries.id"],
            name=op.f("fk_billing_documents_tenant_id_ledger_entry_id_ledger_entries"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "related_id"],
            ["billing_documents.tenant_id", "billing_documents.id"],
            name=op.f("fk_billing_documents_tenant_id_related_id_billing_documents"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.tenant_id"],
            name=op.f("fk_billing_documents_tenant_id_tenants"),
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_billing_documents")),
        sa.UniqueConstraint(
            "tenant_id",
            "ledger_entry_id",
            name=op.f("uq_billing_documents_tenant_id_ledger_entry_id"),
        ),
        sa.UniqueConstraint(
            "tenant_id", "number", name=op.f("uq_billing_documents_tenant_id_number")
        ),
    )
    with op.batch_alter_table("billing_documents", schema=None) as batch_op:
        batch_op.create_index(
            "ix_billing_documents_tenant_customer",
            ["tenant_id", "customer_id", "document_date"],
            unique=False,
        )
        batch_op.create_index(
            "ix_billing_documents_tenant_instalment", ["tenant_id", "instalment_id"], unique=False
        )
        batch_op.create_index(
            "ix_billing_documents_tenant_related", ["tenant_id", "related_id"], unique=False
        )

    op.create_table(
        "billing_document_mails",
        sa.Column("document_id", sa.Uuid(), nullable=False),
        sa.Column("recipient", sa.String(length=254), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        sa.Column("sent_at", salestrack.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", salestrack.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", salestrack.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("lease_until", salestrack.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("claimed_by", sa.Uuid(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("finished_at", salestrack.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id", "document_id"],
            ["billing_documents.tenant_id", "billing_documents.id"],
            name=op.f("fk_billing_document_mails_tenant_id_document_id_billing_documents"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.tenant_id"],
            name=op.f("fk_billing_document_mails_tenant_id_tenants"),
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_billing_document_mails")),
        sa.UniqueConstraint(
            "tenant_id", "document_id", name=op.f("uq_billing_document_mails_tenant_id_document_id")
        ),
    )
    with op.batch_alter_table("billing_document_mails", schema=None) as batch_op:
        batch_op.create_index(
            "ix_billing_document_mails_due",
            ["tenant_id", "status", "next_attempt_at"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("billing_document_mails", schema=None) as batch_op:
        batch_op.drop_index("ix_billing_document_mails_due")

    op.drop_table("billing_document_mails")
    with op.batch_alter_table("billing_documents", schema=None) as batch_op:
        batch_op.drop_index("ix_billing_documents_tenant_related")
        batch_op.drop_index("ix_billing_documents_tenant_instalment")
        batch_op.drop_index("ix_billing_documents_tenant_customer")

    op.drop_table("billing_documents")
    with op.batch_alter_table("plan_instalments", schema=None) as batch_op:
        batch_op.drop_index("ix_plan_instalments_tenant_stage")

    op.drop_table("plan_instalments")
    op.drop_table("payment_plans")
    with op.batch_alter_table("construction_stages", schema=None) as batch_op:
        batch_op.drop_index("ix_construction_stages_tenant_project")

    op.drop_table("construction_stages")
    op.drop_table("billing_settings")
