"""Reading the audit log (admins only)."""

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, Query

from salestrack.audit import service
from salestrack.audit.models import AuditEntry
from salestrack.auth.context import Actor
from salestrack.auth.deps import require
from salestrack.auth.roles import Permission
from salestrack.core.schema_base import OutputModel
from salestrack.http.deps import SessionDep
from salestrack.http.routing import api_router

router = api_router(prefix="/api/v1/sales/audit", tags=["audit"])


class AuditEntryPublic(OutputModel):
    id: uuid.UUID
    entity: str
    entity_id: uuid.UUID
    action: str
    actor_id: uuid.UUID | None
    at: datetime
    changes: dict[str, Any]


@router.get("", response_model=list[AuditEntryPublic])
def list_audit(
    session: SessionDep,
    actor: Annotated[Actor, Depends(require(Permission.audit_read))],
    entity: Annotated[
        str, Query(max_length=40, pattern=r"^[a-z_]{1,40}$", description="e.g. lead, customer")
    ],
    entity_id: uuid.UUID | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[AuditEntry]:
    """Changes to one record (or one kind of record), oldest first."""
    stmt = service.entries_query(tenant_id=actor.tenant_id, entity=entity, entity_id=entity_id)
    return list(session.scalars(stmt.order_by(AuditEntry.at, AuditEntry.id).limit(limit)))
