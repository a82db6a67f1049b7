"""scrub password hashes from the audit log

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 03:55:00

Audit entries written before this revision carry users' password hashes (the value on
create, from/to on a change). The log now records only that a password was set or changed;
this revision rewrites the old entries the same way. There is no way back: the downgrade
leaves the scrubbed entries as they are.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MARK = "(changed)"  # audit.service.CHANGED


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        op.execute(
            "UPDATE audit_log SET changes = json_set(changes, '$.password_hash', '(changed)')"
            " WHERE json_extract(changes, '$.password_hash') IS NOT NULL"
        )
        return
    # Forced row-level security binds the table's owner too: without a tenant setting an
    # UPDATE would see no row. Lift it for this statement and put it back as it was.
    forced = (
        op.get_bind()
        .exec_driver_sql(
            "SELECT relforcerowsecurity FROM pg_class WHERE oid = 'audit_log'::regclass"
        )
        .scalar()
    )
    if forced:
        op.execute("ALTER TABLE audit_log NO FORCE ROW LEVEL SECURITY")
    op.execute(
        "UPDATE audit_log SET changes ="
        " (changes::jsonb || jsonb_build_object('password_hash', '(changed)'))::json"
        " WHERE changes::jsonb ? 'password_hash'"
    )
    if forced:
        op.execute("ALTER TABLE audit_log FORCE ROW LEVEL SECURITY")


def downgrade() -> None:
    """The hashes are gone for good; nothing to undo."""
