"""idempotency keys per user

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 02:50:00

An Idempotency-Key now belongs to the user who sent it: keyed (tenant_id, user_id, key)
instead of (tenant_id, key). Keys stored before this revision name no user, so no caller
could be given their answers any more: they are forgotten. A client that retries, across
the upgrade, a request it first sent before it has that request run again (upgrade while
no such retries are expected, e.g. with the API drained).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _forget_every_key() -> None:
    # TRUNCATE on PostgreSQL: row-level security (forced, so binding the owner too) would
    # make a DELETE without a tenant remove nothing.
    if op.get_bind().dialect.name == "postgresql":
        op.execute("TRUNCATE idempotency_keys")
    else:
        op.execute("DELETE FROM idempotency_keys")


def upgrade() -> None:
    _forget_every_key()
    with op.batch_alter_table("idempotency_keys", schema=None) as batch_op:
        batch_op.add_column(sa.Column("user_id", sa.Uuid(), nullable=False))
        batch_op.drop_constraint("pk_idempotency_keys", type_="primary")
        batch_op.create_primary_key("pk_idempotency_keys", ["tenant_id", "user_id", "key"])


def downgrade() -> None:
    _forget_every_key()  # two users' keys may share (tenant_id, key)
    with op.batch_alter_table("idempotency_keys", schema=None) as batch_op:
        batch_op.drop_constraint("pk_idempotency_keys", type_="primary")
        batch_op.drop_column("user_id")
        batch_op.create_primary_key("pk_idempotency_keys", ["tenant_id", "key"])
