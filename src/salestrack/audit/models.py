"""The audit log table."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from salestrack.core.db import Base, TenantKeyed, tenant_pk, tenant_root_fk, utcnow


class AuditEntry(TenantKeyed, Base):
    __tablename__ = "audit_log"
    __table_args__ = (
        tenant_pk(),
        tenant_root_fk(),
        Index("ix_audit_log_entity", "tenant_id", "entity", "entity_id", "at"),
    )

    entity: Mapped[str] = mapped_column(String(40), nullable=False)
    entity_id: Mapped[uuid.UUID] = mapped_column(nullable=False)
    action: Mapped[str] = mapped_column(String(20), nullable=False)
    actor_id: Mapped[uuid.UUID | None] = mapped_column(nullable=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, nullable=False)
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
