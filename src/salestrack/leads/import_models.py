"""A web import's state, shared by every app server: what was uploaded, the mapping and
choices, how far the run got, and its rows' outcomes (problems, re-enquiries)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, Boolean, Integer, PrimaryKeyConstraint, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from salestrack.core.db import (
    Base,
    TenantKeyed,
    UTCDateTime,
    tenant_fk,
    tenant_pk,
    tenant_root_fk,
    utcnow,
)


class LeadImport(TenantKeyed, Base):
    """One upload and its run. ``status``: ``uploaded`` (waiting for the mapping),
    ``running``, ``done``, ``refused`` (rows with problems, nothing written; or a bad
    file), ``failed`` (interrupted part-way: ``detail`` says what was written)."""

    __tablename__ = "lead_imports"
    __table_args__ = (tenant_pk(), tenant_root_fk())

    filename: Mapped[str] = mapped_column(String(200), nullable=False)
    fmt: Mapped[str] = mapped_column(String(10), nullable=False)
    size: Mapped[int] = mapped_column(Integer(), nullable=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="uploaded")
    mapping: Mapped[dict[str, str]] = mapped_column(JSON(), nullable=False, default=dict)
    valid_rows_only: Mapped[bool] = mapped_column(Boolean(), nullable=False, default=False)
    duplicates: Mapped[str] = mapped_column(String(10), nullable=False, default="")
    phase: Mapped[str] = mapped_column(String(10), nullable=False, default="")
    rows: Mapped[int] = mapped_column(Integer(), nullable=False, default=0)
    done: Mapped[int] = mapped_column(Integer(), nullable=False, default=0)
    total: Mapped[int | None] = mapped_column(Integer(), nullable=True)
    created: Mapped[int] = mapped_column(Integer(), nullable=False, default=0)
    reenquired: Mapped[int] = mapped_column(Integer(), nullable=False, default=0)
    problems: Mapped[int] = mapped_column(Integer(), nullable=False, default=0)
    last_row: Mapped[int | None] = mapped_column(Integer(), nullable=True)
    detail: Mapped[str] = mapped_column(Text(), nullable=False, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    created_by: Mapped[uuid.UUID | None] = mapped_column(nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)


class LeadImportRow(Base):
    """A row's outcome worth showing: ``problem`` (why it cannot be a lead) or
    ``reenquiry`` (recorded on an open lead; ``message`` is its code)."""

    __tablename__ = "lead_import_rows"
    __table_args__ = (
        PrimaryKeyConstraint("tenant_id", "import_id", "kind", "row_number"),
        tenant_fk("import_id", "lead_imports"),
        tenant_root_fk(),
    )

    tenant_id: Mapped[uuid.UUID] = mapped_column(nullable=False)
    import_id: Mapped[uuid.UUID] = mapped_column(nullable=False)
    kind: Mapped[str] = mapped_column(String(10), nullable=False)
    row_number: Mapped[int] = mapped_column(Integer(), nullable=False)
    message: Mapped[str] = mapped_column(Text(), nullable=False)
