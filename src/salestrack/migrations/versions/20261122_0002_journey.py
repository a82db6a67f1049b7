"""journey: milestones, engagements and the lead status history

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 00:22:08.607440
"""

from collections.abc import Sequence

import salestrack.core.db
import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "lead_engagements",
        sa.Column("lead_id", sa.Uuid(), nullable=False),
        sa.Column("engagement_type", sa.String(length=20), nullable=False),
        sa.Column("engagement_channel", sa.String(length=20), nullable=False),
        sa.Column("engagement_date", salestrack.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("response_received", sa.Boolean(), nullable=False),
        sa.Column("response_date", salestrack.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("response_notes", sa.Text(), nullable=False),
        sa.Column("duration_seconds", sa.Integer(), nullable=True),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", salestrack.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("updated_at", salestrack.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.Column("deleted_at", salestrack.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id", "lead_id"],
            ["leads.tenant_id", "leads.id"],
            name=op.f("fk_lead_engagements_tenant_id_lead_id_leads"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.tenant_id"], name=op.f("fk_lead_engagements_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_lead_engagements")),
    )
    with op.batch_alter_table("lead_engagements", schema=None) as batch_op:
        batch_op.create_index(
            "ix_lead_engagements_lead_order",
            ["tenant_id", "lead_id", "engagement_date", "created_at"],
            unique=False,
        )

    op.create_table(
        "lead_milestones",
        sa.Column("lead_id", sa.Uuid(), nullable=False),
        sa.Column("milestone_type", sa.String(length=20), nullable=False),
        sa.Column("milestone_date", sa.Date(), nullable=False),
        sa.Column("milestone_time", sa.Time(), nullable=True),
        sa.Column("sort_time", sa.Time(), nullable=False),
        sa.Column("status_before", sa.String(length=20), nullable=True),
        sa.Column("status_after", sa.String(length=20), nullable=False),
        sa.Column("location_name", sa.String(length=200), nullable=True),
        sa.Column("location_latitude", sa.Float(), nullable=True),
        sa.Column("location_longitude", sa.Float(), nullable=True),
        sa.Column("visited_by", sa.Uuid(), nullable=True),
        sa.Column("duration_minutes", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(length=10), nullable=True),
        sa.Column("follow_up_required", sa.Boolean(), nullable=False),
        sa.Column("follow_up_date", sa.Date(), nullable=True),
        sa.Column(
            "follow_up_closed_at", salestrack.core.db.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("follow_up_closed_by", sa.String(length=20), nullable=True),
        sa.Column("follow_up_closed_by_id", sa.Uuid(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("metadata", sa.JSON(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", salestrack.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("updated_at", salestrack.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.Column("deleted_at", salestrack.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id", "lead_id"],
            ["leads.tenant_id", "leads.id"],
            name=op.f("fk_lead_milestones_tenant_id_lead_id_leads"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "visited_by"],
            ["users.tenant_id", "users.id"],
            name=op.f("fk_lead_milestones_tenant_id_visited_by_users"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.tenant_id"], name=op.f("fk_lead_milestones_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_lead_milestones")),
    )
    with op.batch_alter_table("lead_milestones", schema=None) as batch_op:
        batch_op.create_index(
            "ix_lead_milestones_follow_up", ["tenant_id", "follow_up_date"], unique=False
        )
        batch_op.create_index(
            "ix_lead_milestones_lead_order",
            ["tenant_id", "lead_id", "milestone_date", "sort_time", "created_at"],
            unique=False,
        )

    op.create_table(
        "lead_status_history",
        sa.Column("lead_id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("from_status", sa.String(length=20), nullable=True),
        sa.Column("to_status", sa.String(length=20), nullable=False),
        sa.Column("changed_at", salestrack.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("cause", sa.String(length=20), nullable=False),
        sa.Column("cause_id", sa.Uuid(), nullable=True),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "lead_id"],
            ["leads.tenant_id", "leads.id"],
            name=op.f("fk_lead_status_history_tenant_id_lead_id_leads"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.tenant_id"],
            name=op.f("fk_lead_status_history_tenant_id_tenants"),
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_lead_status_history")),
        sa.UniqueConstraint(
            "tenant_id", "lead_id", "seq", name=op.f("uq_lead_status_history_tenant_id_lead_id_seq")
        ),
    )


def downgrade() -> None:
    op.drop_table("lead_status_history")
    with op.batch_alter_table("lead_milestones", schema=None) as batch_op:
        batch_op.drop_index("ix_lead_milestones_lead_order")
        batch_op.drop_index("ix_lead_milestones_follow_up")

    op.drop_table("lead_milestones")
    with op.batch_alter_table("lead_engagements", schema=None) as batch_op:
        batch_op.drop_index("ix_lead_engagements_lead_order")

    op.drop_table("lead_engagements")
