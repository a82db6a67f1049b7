"""worker_tenants without its foreign key to tenants

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-01 10:00:00

``worker_tenants`` (the tenants the worker visits, no ``tenant_id``) referenced
``tenants``. On a Citus coordinator ``tenants`` is distributed by ``tenant_id`` and
``worker_tenants``, read across tenants, becomes a reference table (a copy on every node,
``salestrack.core.citus``): Citus refuses a reference table that references a distributed
one, so the key goes, on every database alike. Nothing is lost: rows are only added by
``core.jobs.enlist`` for a tenant being created or already present, and tenants are never
deleted.

Going back, on Citus the reference table is made local again first (as it was before this
revision), since only a local table may reference the distributed ``tenants``.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("worker_tenants", schema=None) as batch_op:
        batch_op.drop_constraint("fk_worker_tenants_tenant_tenants", type_="foreignkey")


def downgrade() -> None:
    bind = op.get_bind()
    if (
        bind.dialect.name == "postgresql"
        and bind.execute(
            sa.text("SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus')")
        ).scalar_one()
    ):
        op.execute(
            "SELECT undistribute_table(p.logicalrelid) FROM pg_dist_partition p"
            " WHERE p.logicalrelid = 'worker_tenants'::regclass"
        )
    with op.batch_alter_table("worker_tenants", schema=None) as batch_op:
        batch_op.create_foreign_key(
            "fk_worker_tenants_tenant_tenants", "tenants", ["tenant"], ["tenant_id"]
        )
