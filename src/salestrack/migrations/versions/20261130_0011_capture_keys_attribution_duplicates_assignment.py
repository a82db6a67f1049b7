"""capture: integration keys, touches, attribution and assignment rules, duplicates

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 04:16:16.254196

New tenant tables get row-level security and the app role's grants from ``migrate`` like
every other. Leads gain their normalised phone and e-mail (filled as leads are created or
edited), the last touch's source and campaign, and ``merged_into``; tenants gain their
duplicate policy (``merge`` by default).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import salestrack.core.db

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "integration_keys",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("scope", sa.String(length=10), nullable=False),
        sa.Column("hint", sa.String(length=20), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("last_used_at", salestrack.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", salestrack.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", salestrack.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("updated_at", salestrack.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.Column("deleted_at", salestrack.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.tenant_id"], name=op.f("fk_integration_keys_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_integration_keys")),
        sa.UniqueConstraint(
            "tenant_id", "key_hash", name=op.f("uq_integration_keys_tenant_id_key_hash")
        ),
    )
    op.create_table(
        "assignment_rules",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Uuid(), nullable=True),
        sa.Column("campaign_id", sa.Uuid(), nullable=True),
        sa.Column("project", sa.String(length=200), nullable=False),
        sa.Column("mode", sa.String(length=12), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=True),
        sa.Column("pool", sa.JSON(), nullable=False),
        sa.Column("turn", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", salestrack.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("updated_at", salestrack.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.Column("deleted_at", salestrack.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id", "campaign_id"],
            ["campaigns.tenant_id", "campaigns.id"],
            name=op.f("fk_assignment_rules_tenant_id_campaign_id_campaigns"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "owner_id"],
            ["users.tenant_id", "users.id"],
            name=op.f("fk_assignment_rules_tenant_id_owner_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "source_id"],
            ["lead_sources.tenant_id", "lead_sources.id"],
            name=op.f("fk_assignment_rules_tenant_id_source_id_lead_sources"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.tenant_id"], name=op.f("fk_assignment_rules_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_assignment_rules")),
    )
    op.create_table(
        "attribution_rules",
        sa.Column("field", sa.String(length=20), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.Column("source_id", sa.Uuid(), nullable=True),
        sa.Column("campaign_id", sa.Uuid(), nullable=True),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", salestrack.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("updated_at", salestrack.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.Column("deleted_at", salestrack.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id", "campaign_id"],
            ["campaigns.tenant_id", "campaigns.id"],
            name=op.f("fk_attribution_rules_tenant_id_campaign_id_campaigns"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "source_id"],
            ["lead_sources.tenant_id", "lead_sources.id"],
            name=op.f("fk_attribution_rules_tenant_id_source_id_lead_sources"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.tenant_id"],
            name=op.f("fk_attribution_rules_tenant_id_tenants"),
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_attribution_rules")),
    )
    op.create_table(
        "lead_touches",
        sa.Column("lead_id", sa.Uuid(), nullable=False),
        sa.Column("touched_at", salestrack.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("first", sa.Boolean(), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("key_id", sa.Uuid(), nullable=True),
        sa.Column("source_id", sa.Uuid(), nullable=True),
        sa.Column("campaign_id", sa.Uuid(), nullable=True),
        sa.Column("utm_source", sa.String(length=200), nullable=False),
        sa.Column("utm_medium", sa.String(length=200), nullable=False),
        sa.Column("utm_campaign", sa.String(length=200), nullable=False),
        sa.Column("utm_term", sa.String(length=200), nullable=False),
        sa.Column("utm_content", sa.String(length=200), nullable=False),
        sa.Column("gclid", sa.String(length=200), nullable=False),
        sa.Column("fbclid", sa.String(length=200), nullable=False),
        sa.Column("landing_page", sa.String(length=2000), nullable=False),
        sa.Column("referrer", sa.String(length=2000), nullable=False),
        sa.Column("project", sa.String(length=200), nullable=False),
        sa.Column("unit", sa.String(length=50), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "campaign_id"],
            ["campaigns.tenant_id", "campaigns.id"],
            name=op.f("fk_lead_touches_tenant_id_campaign_id_campaigns"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "lead_id"],
            ["leads.tenant_id", "leads.id"],
            name=op.f("fk_lead_touches_tenant_id_lead_id_leads"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "source_id"],
            ["lead_sources.tenant_id", "lead_sources.id"],
            name=op.f("fk_lead_touches_tenant_id_source_id_lead_sources"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.tenant_id"], name=op.f("fk_lead_touches_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_lead_touches")),
    )
    with op.batch_alter_table("lead_touches", schema=None) as batch_op:
        batch_op.create_index(
            "ix_lead_touches_lead", ["tenant_id", "lead_id", "touched_at"], unique=False
        )

    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.add_column(sa.Column("phone_e164", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("email_norm", sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column("last_source_id", sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column("last_campaign_id", sa.Uuid(), nullable=True))
        batch_op.add_column(
            sa.Column("retouched_at", salestrack.core.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("merged_into", sa.Uuid(), nullable=True))
        batch_op.create_index("ix_leads_tenant_email", ["tenant_id", "email_norm"], unique=False)
        batch_op.create_index("ix_leads_tenant_phone", ["tenant_id", "phone_e164"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_leads_tenant_id_last_source_id_lead_sources"),
            "lead_sources",
            ["tenant_id", "last_source_id"],
            ["tenant_id", "id"],
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_leads_tenant_id_last_campaign_id_campaigns"),
            "campaigns",
            ["tenant_id", "last_campaign_id"],
            ["tenant_id", "id"],
        )

    with op.batch_alter_table("report_lead_state", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_source_id", sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column("last_campaign_id", sa.Uuid(), nullable=True))

    with op.batch_alter_table("tenants", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "duplicate_policy", sa.String(length=10), server_default="merge", nullable=False
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("tenants", schema=None) as batch_op:
        batch_op.drop_column("duplicate_policy")

    with op.batch_alter_table("report_lead_state", schema=None) as batch_op:
        batch_op.drop_column("last_campaign_id")
        batch_op.drop_column("last_source_id")

    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_leads_tenant_id_last_campaign_id_campaigns"), type_="foreignkey"
        )
        batch_op.drop_constraint(
            batch_op.f("fk_leads_tenant_id_last_source_id_lead_sources"), type_="foreignkey"
        )
        batch_op.drop_index("ix_leads_tenant_phone")
        batch_op.drop_index("ix_leads_tenant_email")
        batch_op.drop_column("merged_into")
        batch_op.drop_column("retouched_at")
        batch_op.drop_column("last_campaign_id")
        batch_op.drop_column("last_source_id")
        batch_op.drop_column("email_norm")
        batch_op.drop_column("phone_e164")

    with op.batch_alter_table("lead_touches", schema=None) as batch_op:
        batch_op.drop_index("ix_lead_touches_lead")

    op.drop_table("lead_touches")
    op.drop_table("attribution_rules")
    op.drop_table("assignment_rules")
    op.drop_table("integration_keys")
