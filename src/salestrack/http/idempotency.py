"""Idempotency keys: the stored half (table, claim, completion, purge).

A key belongs to the caller who sent it: rows are keyed (tenant, user, key), so the same
key sent by another user of the tenant is a different key, and nothing about one caller's
keys can be learnt by another.

A key is claimed by inserting its row in the request's own transaction, once the request
has passed every check a fresh request gets and before it does anything else, and the
response is written to the same row in the same transaction. So the key and the write
commit together or not at all, and nothing lives only in one process's memory.

While a first request is still running its uncommitted row blocks a duplicate insert on
PostgreSQL; a short ``lock_timeout`` turns that wait into "still running" (409). SQLite
runs one writer at a time (``BEGIN IMMEDIATE``), so a duplicate simply waits for the first
and then gets its stored response.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Index,
    Integer,
    String,
    Text,
    bindparam,
    delete,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import psycopg as pg_psycopg
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Mapped, Session, mapped_column

from salestrack.core import closing
from salestrack.core.db import Base, UTCDateTime, tenant_root_fk, utcnow

RETENTION = timedelta(hours=24)
CLAIMED_COLUMNS = ("tenant_id", "user_id", "key", "fingerprint", "method", "path", "created_at")
CLAIM_LOCK_TIMEOUT = "2s"  # a constant: rendered into SET LOCAL, never from input
LOCK_NOT_AVAILABLE = "55P03"


class IdempotencyKey(Base):
    __tablename__ = "idempotency_keys"
    __table_args__ = (tenant_root_fk(), Index("ix_idempotency_keys_created_at", "created_at"))

    tenant_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    # The user whose token sent the key (a scope, not a reference: no foreign key, so a
    # claim never locks the user's row).
    user_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64), nullable=False)
    method: Mapped[str] = mapped_column(String(10), nullable=False)
    path: Mapped[str] = mapped_column(String(500), nullable=False)
    status_code: Mapped[int | None] = mapped_column(Integer)
    content_type: Mapped[str | None] = mapped_column(String(200))
    response_body: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class StillRunning(Exception):
    """The first request with this key has not finished (or its row is not complete)."""


class KeyReused(Exception):
    """The key was first used (by the same caller) for a different request."""


@dataclass(frozen=True)
class StoredResponse:
    status_code: int
    content_type: str | None
    body: str


def fingerprint(method: str, path: str, query: str, body: bytes) -> str:
    """What makes two requests "the same": method, path, query and body (JSON canonicalised,
    so key order and whitespace do not matter)."""
    try:
        canonical = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")).encode()
    except ValueError:
        canonical = body
    digest = hashlib.sha256()
    for part in (method.encode(), path.encode(), query.encode(), canonical):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def _row_of(tenant_id: Any, user_id: Any, key: Any) -> tuple[Any, ...]:
    """The row of one caller's key."""
    return (
        IdempotencyKey.tenant_id == tenant_id,
        IdempotencyKey.user_id == user_id,
        IdempotencyKey.key == key,
    )


def claim(
    db: Session | Connection,
    *,
    tenant_id: uuid.UUID,
    user_id: uuid.UUID,
    key: str,
    fingerprint: str,
    method: str,
    path: str,
) -> StoredResponse | None:
    """Claim the caller's ``key`` in the transaction of ``db`` (a session, or the connection
    of a session's transaction as it begins): None when this request is the first (go
    ahead), the stored response when it already ran; ``StillRunning`` / ``KeyReused``.
    ``method`` and ``path`` are kept on the row for operators, never told to a client."""
    dialect = db.dialect if isinstance(db, Connection) else db.get_bind().dialect
    postgres = dialect.name == "postgresql"
    insert = postgresql.insert if postgres else sqlite.insert
    stmt = (
        insert(IdempotencyKey)
        .values(
            tenant_id=tenant_id,
            user_id=user_id,
            key=key,
            fingerprint=fingerprint,
            method=method,
            path=path,
            created_at=utcnow(),
        )
        .on_conflict_do_nothing()
        .returning(IdempotencyKey.key)
    )
    if _inserted(db, stmt, postgres=postgres):
        return None
    return stored_answer(db, tenant_id=tenant_id, user_id=user_id, key=key, fingerprint=fingerprint)


def stored_answer(
    db: Session | Connection,
    *,
    tenant_id: uuid.UUID,
    user_id: uuid.UUID,
    key: str,
    fingerprint: str,
) -> StoredResponse:
    """The answer stored for a key this request could not claim (another request has it):
    ``KeyReused`` if that request was a different one, ``StillRunning`` if it has not
    finished."""
    row = db.execute(
        select(
            IdempotencyKey.fingerprint,
            IdempotencyKey.status_code,
            IdempotencyKey.content_type,
            IdempotencyKey.response_body,
        ).where(*_row_of(tenant_id, user_id, key))
    ).first()
    if row is None:  # the claim's guard failed after the user check passed: try again
        raise StillRunning
    if row.fingerprint != fingerprint:
        raise KeyReused
    if row.status_code is None or row.response_body is None:
        raise StillRunning
    return StoredResponse(row.status_code, row.content_type, row.response_body)


# The claim as statements of a transaction's opening script (``core.opening``): the same
# insert, lock wait and reset as ``_inserted``, with psycopg placeholders named ``claim_*``.
def claim_statements(guard: ColumnElement[bool] | None = None) -> tuple[str, ...]:
    """The claim as statements of a transaction's opening script (``core.opening``): the
    same lock wait, insert and reset as ``_inserted``, in psycopg placeholders named
    ``claim_*``; the insert happens only where ``guard`` holds (a condition of the same
    script, with its own placeholders). Compiled once per guard."""
    cached = _CLAIM_STATEMENTS.get(id(guard))
    if cached is not None:
        return cached[1]
    row = select(
        *(bindparam(f"claim_{name}", type_=_CLAIMED_TYPES[name]) for name in CLAIMED_COLUMNS)
    )
    if guard is not None:
        row = row.where(guard)
    insert = (
        postgresql.insert(IdempotencyKey)
        .from_select(list(CLAIMED_COLUMNS), row)
        .on_conflict_do_nothing()
        .returning(IdempotencyKey.key)
    )
    found = (
        f"SET LOCAL lock_timeout = '{CLAIM_LOCK_TIMEOUT}'",
        str(insert.compile(dialect=pg_psycopg.dialect())),  # type: ignore[no-untyped-call]
        "SET LOCAL lock_timeout TO DEFAULT",
    )
    _CLAIM_STATEMENTS[id(guard)] = (guard, found)  # by identity: a guard is a constant
    return found


_CLAIMED_TYPES = {name: IdempotencyKey.__table__.c[name].type for name in CLAIMED_COLUMNS}
_CLAIM_STATEMENTS: dict[int, tuple[Any, tuple[str, ...]]] = {}


def claim_parameters(
    *, tenant_id: uuid.UUID, user_id: uuid.UUID, key: str, fingerprint: str, method: str, path: str
) -> dict[str, Any]:
    """``CLAIM_STATEMENTS``' values; its insert returns a row when this request claimed."""
    values = {
        "tenant_id": tenant_id,
        "user_id": user_id,
        "key": key,
        "fingerprint": fingerprint,
        "method": method,
        "path": path,
        "created_at": utcnow(),
    }
    return {f"claim_{name}": values[name] for name in CLAIMED_COLUMNS}


def is_lock_wait_refusal(exc: BaseException) -> bool:
    """The claim waited its ``CLAIM_LOCK_TIMEOUT`` for another request's key."""
    return getattr(getattr(exc, "orig", exc), "sqlstate", None) == LOCK_NOT_AVAILABLE


def _inserted(db: Session | Connection, stmt: Any, *, postgres: bool) -> bool:
    """Run the claim's insert; True when this request inserted the key. On PostgreSQL the
    claim alone waits briefly for a concurrent holder of the key (``StillRunning``).

    ``SET LOCAL``, not ``set_config(…, true)``: Citus forwards ``SET LOCAL`` to the worker
    holding the key's shard (with ``citus.propagate_set_commands = 'local'``, which
    ``salestrack migrate`` sets), where the insert actually waits; ``set_config`` would
    shorten the wait on the coordinator only. Afterwards the transaction goes back to the
    session's own ``lock_timeout`` (``TO DEFAULT``): nothing sets it earlier in a request.
    """
    try:
        if postgres:
            db.execute(text(f"SET LOCAL lock_timeout = '{CLAIM_LOCK_TIMEOUT}'"))
        inserted = db.execute(stmt).first()
        if postgres:
            # Only the claim waits briefly; the request's own row locks wait as usual.
            db.execute(text("SET LOCAL lock_timeout TO DEFAULT"))
    except OperationalError as exc:
        if is_lock_wait_refusal(exc):
            raise StillRunning from exc
        raise
    return inserted is not None


def complete(
    session: Session,
    *,
    tenant_id: uuid.UUID,
    user_id: uuid.UUID,
    key: str,
    status_code: int,
    content_type: str | None,
    body: bytes,
) -> None:
    """Store the response on the claimed row (same transaction as the request's writes)."""
    stored = session.execute(
        update(IdempotencyKey)
        .where(*_row_of(tenant_id, user_id, key))
        .values(**_answer_values(status_code, content_type, body))
        .execution_options(synchronize_session=False)
    )
    assert stored.rowcount == 1, "complete() without claim()"  # type: ignore[attr-defined]


def _answer_values(status_code: int, content_type: str | None, body: bytes) -> dict[str, Any]:
    return {
        "status_code": status_code,
        "content_type": content_type,
        "response_body": body.decode("utf-8", errors="replace"),
        "completed_at": utcnow(),
    }


# ``complete`` as a statement sent with the COMMIT (``core.closing``), in psycopg's
# placeholders; it returns the key it stored the answer on.
ANSWER_AT_COMMIT = (
    str(
        update(IdempotencyKey)
        .where(*_row_of(bindparam("tenant_id"), bindparam("user_id"), bindparam("key")))
        .values({name: bindparam(name) for name in _answer_values(200, None, b"")})
        .returning(IdempotencyKey.key)
        .compile(dialect=pg_psycopg.dialect())  # type: ignore[no-untyped-call]
    ),
)


def _answer_stored(row: tuple[Any, ...] | None) -> None:
    # The claim inserted the row in this very transaction, so the update cannot miss it.
    assert row is not None, "the answer was stored without a claim"


CLAIM = "salestrack.idempotency_claim"
"""Session info key: the ``Claim`` this session's request made of its Idempotency-Key."""


@dataclass
class Claim:
    """A key this request claimed as the first to send it; ``stored`` once its answer is."""

    tenant_id: uuid.UUID
    user_id: uuid.UUID
    key: str
    stored: bool = False


def commit_with_answer(
    session: Session, claim: Claim, *, status_code: int, content_type: str | None, body: bytes
) -> None:
    """Store the answer on the claimed key and commit it with the request's writes (one
    transaction: the writes never commit without the answer a retry will get)."""
    try:
        if closing.sends_with_commit(session):  # the answer travels with the COMMIT
            values = _answer_values(status_code, content_type, body)
            row = {"tenant_id": claim.tenant_id, "user_id": claim.user_id, "key": claim.key}
            stored = closing.Closing(ANSWER_AT_COMMIT, {**values, **row}, _answer_stored)
            closing.send_with_commit(session, stored)
        else:
            complete(
                session,
                tenant_id=claim.tenant_id,
                user_id=claim.user_id,
                key=claim.key,
                status_code=status_code,
                content_type=content_type,
                body=body,
            )
        session.commit()
    except BaseException:
        session.rollback()
        raise
    claim.stored = True


def purge(session: Session, *, tenant_id: uuid.UUID, older_than: timedelta = RETENTION) -> int:
    """Forget keys older than ``older_than`` (never less than the 24 hours promised).

    One tenant at a time, like every other write (row-level security on PostgreSQL).
    """
    cutoff = utcnow() - max(older_than, RETENTION)
    result = session.execute(
        delete(IdempotencyKey).where(
            IdempotencyKey.tenant_id == tenant_id, IdempotencyKey.created_at < cutoff
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)
