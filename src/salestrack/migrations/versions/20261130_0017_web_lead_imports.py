"""web lead imports

Revision ID: 0017
Revises: 0012
Create Date: 2026-11-30 06:00:00

The web import's state, readable from every app server: ``lead_imports`` (an upload, its
mapping and choices, the run's progress and outcome) and ``lead_import_rows`` (each row's
problem or re-enquiry, for the page and its CSV). Row-level security is applied by
``salestrack migrate`` to every table with ``tenant_id``.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import salestrack.core.db

revision: str = "0017"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "lead_imports",
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("fmt", sa.String(length=10), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("mapping", sa.JSON(), nullable=False),
        sa.Column("valid_rows_only", sa.Boolean(), nullable=False),
        sa.Column("duplicates", sa.String(length=10), nullable=False),
        sa.Column("phase", sa.String(length=10), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=True),
        sa.Column("created", sa.Integer(), nullable=False),
        sa.Column("reenquired", sa.Integer(), nullable=False),
        sa.Column("problems", sa.Integer(), nullable=False),
        sa.Column("last_row", sa.Integer(), nullable=True),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("created_at", salestrack.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("updated_at", salestrack.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.tenant_id"], name=op.f("fk_lead_imports_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_lead_imports")),
    )
    op.create_table(
        "lead_import_rows",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("import_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "import_id"],
            ["lead_imports.tenant_id", "lead_imports.id"],
            name=op.f("fk_lead_import_rows_tenant_id_import_id_lead_imports"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.tenant_id"],
            name=op.f("fk_lead_import_rows_tenant_id_tenants"),
        ),
        sa.PrimaryKeyConstraint(
            "tenant_id", "import_id", "kind", "row_number", name=op.f("pk_lead_import_rows")
        ),
    )


def downgrade() -> None:
    op.drop_table("lead_import_rows")
    op.drop_table("lead_imports")
