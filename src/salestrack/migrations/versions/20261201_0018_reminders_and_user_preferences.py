"""reminders and user preferences

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-01 06:00:00

Reminder e-mails: ``reminders`` (each user's digest, alert and team digest per slot, the
worker's job and the send record; unique per user, kind and slot), ``user_preferences``
(digest, alerts, locale), and ``lead_milestones.follow_up_time`` (a timed follow-up gets an
alert). Every existing tenant is listed for the worker, which now sends their reminders.
Row-level security is applied by ``salestrack migrate`` to every table with ``tenant_id``.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import salestrack.core.db

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "user_preferences",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("digest_enabled", sa.Boolean(), nullable=False),
        sa.Column("digest_time", sa.Time(), nullable=False),
        sa.Column("team_digest_enabled", sa.Boolean(), nullable=False),
        sa.Column("alerts_enabled", sa.Boolean(), nullable=False),
        sa.Column("alert_minutes", sa.Integer(), nullable=False),
        sa.Column("locale", sa.String(length=20), nullable=True),
        sa.Column("updated_at", salestrack.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "user_id"],
            ["users.tenant_id", "users.id"],
            name=op.f("fk_user_preferences_tenant_id_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.tenant_id"],
            name=op.f("fk_user_preferences_tenant_id_tenants"),
        ),
        sa.PrimaryKeyConstraint("tenant_id", "user_id", name=op.f("pk_user_preferences")),
    )
    op.create_table(
        "reminders",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("slot", sa.String(length=80), nullable=False),
        sa.Column("milestone_id", sa.Uuid(), nullable=True),
        sa.Column("due_at", salestrack.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", salestrack.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("phase", sa.String(length=10), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        sa.Column("items", sa.Integer(), nullable=False),
        sa.Column("recipient", sa.String(length=254), nullable=False),
        sa.Column("message_id", sa.String(length=300), nullable=False),
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
            ["tenant_id", "user_id"],
            ["users.tenant_id", "users.id"],
            name=op.f("fk_reminders_tenant_id_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.tenant_id"], name=op.f("fk_reminders_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_reminders")),
        sa.UniqueConstraint(
            "tenant_id",
            "user_id",
            "kind",
            "slot",
            name=op.f("uq_reminders_tenant_id_user_id_kind_slot"),
        ),
    )
    with op.batch_alter_table("reminders", schema=None) as batch_op:
        batch_op.create_index(
            "ix_reminders_due", ["tenant_id", "status", "next_attempt_at"], unique=False
        )
        batch_op.create_index("ix_reminders_finished", ["tenant_id", "finished_at"], unique=False)
    with op.batch_alter_table("lead_milestones", schema=None) as batch_op:
        batch_op.add_column(sa.Column("follow_up_time", sa.Time(), nullable=True))
    _enlist_every_tenant()


def _enlist_every_tenant() -> None:
    """Reminders are for every tenant: list them all for the worker (new tenants are listed
    when created). On PostgreSQL the owner is bound by row-level security on ``tenants``
    too, so it is lifted for this one statement; ``migrate`` forces it again afterwards.

    ``NOT IN`` rather than a correlated ``NOT EXISTS`` (the same here: ``tenant`` is a
    primary key, never NULL): on Citus ``tenants`` is distributed while ``worker_tenants``
    was local at this revision, and Citus plans a join of the two only through an
    uncorrelated subquery, which it runs first on the coordinator."""
    postgresql = op.get_bind().dialect.name == "postgresql"
    if postgresql:
        op.execute("ALTER TABLE tenants NO FORCE ROW LEVEL SECURITY")
    op.execute(
        "INSERT INTO worker_tenants (tenant, enlisted_at) SELECT t.tenant_id, CURRENT_TIMESTAMP"
        " FROM tenants t WHERE t.tenant_id NOT IN (SELECT w.tenant FROM worker_tenants w)"
    )
    if postgresql:
        op.execute("ALTER TABLE tenants FORCE ROW LEVEL SECURITY")


def downgrade() -> None:
    with op.batch_alter_table("lead_milestones", schema=None) as batch_op:
        batch_op.drop_column("follow_up_time")
    with op.batch_alter_table("reminders", schema=None) as batch_op:
        batch_op.drop_index("ix_reminders_finished")
        batch_op.drop_index("ix_reminders_due")
    op.drop_table("reminders")
    op.drop_table("user_preferences")
