"""The tenant-scoped building blocks every domain's service uses.

Tenancy is enforced here, once: every lookup and list starts from ``scoped``, which filters
by the actor's tenant and hides soft-deleted rows. Another tenant's row is therefore
indistinguishable from a missing one (404).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, bindparam, or_, select
from sqlalchemy.orm import Session

from salestrack.core import batching, hooks, reads
from salestrack.core.actor import Acting
from salestrack.core.db import utcnow
from salestrack.core.errors import NotFound, Unprocessable

RowT = TypeVar("RowT", bound=Any)


def scoped(model: type[RowT], tenant_id: uuid.UUID) -> Select[tuple[RowT]]:
    """``SELECT`` of the tenant's live rows of ``model``."""
    return select(model).where(model.tenant_id == tenant_id, model.deleted_at.is_(None))


def get_live(
    session: Session,
    model: type[RowT],
    *,
    tenant_id: uuid.UUID,
    row_id: uuid.UUID,
    label: str,
    for_update: bool = False,
    keys_stay: bool = False,
) -> RowT:
    """The tenant's live row or 404 (the same answer for another tenant's id).

    ``for_update`` locks it until the transaction ends; ``keys_stay`` says the caller will
    change none of its key or unique columns, so the lock can be ``FOR NO KEY UPDATE``:
    writers of the row still queue on it, but inserting a row that refers to it (the
    foreign key check's ``KEY SHARE``) does not wait for this transaction to commit.
    """
    params = {"tenant_id": tenant_id, "row_id": row_id}
    lock = ("no key" if keys_stay else "update") if for_update else None
    row: RowT | None = session.scalars(_live_by_id(model, lock), params).one_or_none()
    if row is None:
        raise NotFound(f"{label} {row_id} not found")
    return row


def read_live(
    session: Session, model: type[Any], *, tenant_id: uuid.UUID, row_id: uuid.UUID, label: str
) -> Any:
    """The tenant's live row's columns, read only (attribute access, no entity built or
    tracked), or 404 as ``get_live``: for requests that show a row and change nothing."""
    prepared = _READ_LIVE.get(model)
    if prepared is None:
        prepared = _READ_LIVE[model] = reads.Prepared(
            select(*reads.entity_columns(model)).where(
                model.tenant_id == bindparam("tenant_id"),
                model.id == bindparam("row_id"),
                model.deleted_at.is_(None),
            )
        )
    rows = prepared.rows(session, {"tenant_id": tenant_id, "row_id": row_id})
    if not rows:
        raise NotFound(f"{label} {row_id} not found")
    return reads.as_objects(rows)[0]


_READ_LIVE: dict[Any, reads.Prepared] = {}
_LIVE_BY_ID: dict[tuple[Any, str | None], Select[Any]] = {}


def _live_by_id(model: Any, lock: str | None) -> Select[Any]:
    """Built once per model: a lookup by id runs on most requests, and building the
    statement (and its cache key) each time costs more than the database takes."""
    stmt = _LIVE_BY_ID.get((model, lock))
    if stmt is None:
        stmt = select(model).where(
            model.tenant_id == bindparam("tenant_id"),
            model.deleted_at.is_(None),
            model.id == bindparam("row_id"),
        )
        if lock is not None:
            stmt = stmt.with_for_update(key_share=lock == "no key")
        _LIVE_BY_ID[(model, lock)] = stmt
    return stmt


def exists_live(
    session: Session, model: type[Any], *, tenant_id: uuid.UUID, row_id: uuid.UUID
) -> bool:
    stmt = scoped(model, tenant_id).where(model.id == row_id).with_only_columns(model.id)
    return session.execute(stmt).first() is not None


def add(session: Session, *, actor: Acting, row: RowT, entity: str) -> RowT:
    """Insert ``row`` for the actor's tenant and log its creation."""
    insert(session, actor=actor, row=row)
    log_created(session, actor=actor, row=row, entity=entity)
    return row


def insert(session: Session, *, actor: Acting, row: RowT) -> RowT:
    """Insert ``row`` for the actor's tenant (the caller logs it with ``log_created``)."""
    row.tenant_id = actor.tenant_id
    row.created_by = row.updated_by = actor.user_id
    if batching.current(session) is not None:
        batching.pending_insert(session, row)  # flushed with the whole batch
        return row
    session.add(row)
    session.flush()
    return row


def log_created(session: Session, *, actor: Acting, row: Any, entity: str) -> None:
    _log_change(
        session,
        actor=actor,
        entity=entity,
        entity_id=row.id,
        action="create",
        changes={c: getattr(row, c) for c in _columns(row)},
    )


def change(
    session: Session, *, actor: Acting, row: RowT, values: dict[str, Any], entity: str
) -> RowT:
    """Apply ``values``; log only the fields whose value really changed."""
    diff = {}
    for name, new in values.items():
        old = getattr(row, name)
        if old != new:
            diff[name] = {"from": old, "to": new}
            setattr(row, name, new)
    if diff:
        row.updated_by = actor.user_id
        if batching.current(session) is None:
            session.flush()
        _log_change(
            session, actor=actor, entity=entity, entity_id=row.id, action="update", changes=diff
        )
    return row


def soft_delete(session: Session, *, actor: Acting, row: RowT, entity: str) -> None:
    row.deleted_at = utcnow()
    row.updated_by = actor.user_id
    session.flush()
    _log_change(
        session,
        actor=actor,
        entity=entity,
        entity_id=row.id,
        action="delete",
        changes={"deleted_at": row.deleted_at},
    )


_SKIP = {"tenant_id", "created_at", "created_by", "updated_at", "updated_by", "deleted_at"}


def _columns(row: Any) -> list[str]:
    return [c.key for c in row.__mapper__.column_attrs if c.key not in _SKIP]


def check_references(
    session: Session, *, tenant_id: uuid.UUID, refs: dict[str, tuple[type[Any], Any]]
) -> None:
    """422 naming the first field whose id is not a live row of this tenant (in a batch,
    a row found live is not looked up again in the same transaction)."""
    found = batching.current(session)
    seen: dict[Any, bool] = found.cache.setdefault("live", {}) if found else {}
    for field, (model, value) in refs.items():
        if value is None or (model, tenant_id, value) in seen:
            continue
        if not exists_live(session, model, tenant_id=tenant_id, row_id=value):
            raise missing_reference(field, model, value)
        seen[(model, tenant_id, value)] = True


def missing_reference(field: str, model: type[Any], value: Any) -> Unprocessable:
    """The 422 of a request whose ``field`` names no live row of ``model`` in the tenant."""
    return Unprocessable(
        f"{field}: no {model.__tablename__[:-1]} {value} in this tenant", field=field
    )


def contains_pattern(text: str) -> str:
    """The ``LIKE`` pattern of "contains ``text``", its wildcards taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def text_search(text: str, *columns: Any) -> ColumnElement[bool]:
    """Case-blind "contains ``text``" on any of ``columns``, its wildcards taken literally."""
    pattern = contains_pattern(text)
    return or_(*(column.ilike(pattern, escape="\\") for column in columns))


def text_search_on(name: str, *columns: Any) -> ColumnElement[bool]:
    """``text_search`` on the parameter ``name`` (a ``contains_pattern``)."""
    return or_(*(column.ilike(bindparam(name), escape="\\") for column in columns))


def where_equal(stmt: Select[Any], pairs: Iterable[tuple[Any, Any]]) -> Select[Any]:
    """``stmt`` narrowed by ``column == value`` for each pair whose value was given."""
    for column, value in pairs:
        if value is not None:
            stmt = stmt.where(column == value)
    return stmt


def log_action(
    session: Session,
    *,
    actor: Acting,
    entity: str,
    entity_id: uuid.UUID,
    action: str,
    changes: dict[str, Any],
) -> None:
    """Log an action that is not a create, update or delete (e.g. a webhook replay)."""
    _log_change(
        session, actor=actor, entity=entity, entity_id=entity_id, action=action, changes=changes
    )


def _log_change(session: Session, **entry: Any) -> None:
    """The audit log, through the hook the wiring installed (required: never skipped)."""
    for handler in hooks.RECORD_CHANGE.handlers(session):
        handler(session, **entry)
