"""user session epoch

Revision ID: 0010
Revises: 0016
Create Date: 2026-11-30 04:30:00

Each user gets a session epoch, carried in every access token and session cookie issued
for them and compared by the per-request user check. Logging out, changing the password
and deactivating raise it, which ends every earlier token and cookie of that user at once.
Existing users start at 0. Tokens and cookies issued before this revision carry no epoch
and are refused: users sign in again once after the upgrade.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("session_epoch", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("session_epoch")
