"""Writing and reading the audit log."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from salestrack.audit.models import AuditEntry
from salestrack.auth.context import Actor
from salestrack.core import closing
from salestrack.core.db import utcnow


def jsonable(value: Any) -> Any:
    """A value as it should read in the log (money and dates as exact strings)."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


SECRETS = frozenset({"password_hash", "key_hash", "secret"})
"""Columns whose value never enters the log: an entry says that one changed, not to what."""
CHANGED = "(changed)"


def without_secrets(changes: dict[str, Any]) -> dict[str, Any]:
    """``changes`` with every secret's value replaced by a mark that it was set or changed."""
    return {name: CHANGED if name in SECRETS else value for name, value in changes.items()}


def record(
    session: Session,
    *,
    actor: Actor,
    entity: str,
    entity_id: uuid.UUID,
    action: str,
    changes: dict[str, Any],
) -> None:
    """Append one entry in the caller's transaction, so the log and the change commit together.

    On the API's PostgreSQL connections the entry is inserted by a statement sent with the
    transaction's ``COMMIT`` (``core.closing``): every write logs one, and nothing reads an
    entry back in the transaction that wrote it. A batch (an import) adds its entries to
    the session, flushed with the batch.
    """
    entry = {
        "tenant_id": actor.tenant_id,
        "id": uuid.uuid4(),
        "entity": entity,
        "entity_id": entity_id,
        "action": action,
        "actor_id": actor.user_id,
        "at": utcnow(),
        "changes": jsonable(without_secrets(changes)),
    }
    if not closing.insert_at_commit(session, AuditEntry, entry):
        session.add(AuditEntry(**entry))


def entries_query(
    *, tenant_id: uuid.UUID, entity: str, entity_id: uuid.UUID | None
) -> Select[tuple[AuditEntry]]:
    stmt = select(AuditEntry).where(AuditEntry.tenant_id == tenant_id, AuditEntry.entity == entity)
    if entity_id is not None:
        stmt = stmt.where(AuditEntry.entity_id == entity_id)
    return stmt
