"""Work done later, by the ``salestrack worker`` process, kept in the database.

A job table mixes in ``Queued``: a row is ``pending`` until a worker claims it, then
``running`` under a lease (``lease_until``, ``claimed_by``), then ``succeeded`` or, after
``max_attempts``, ``failed``. A failed attempt goes back to ``pending`` with a later
``next_attempt_at`` (exponential backoff with jitter).

Claiming is safe with several workers on both databases:
- PostgreSQL: ``SELECT ... FOR UPDATE SKIP LOCKED`` picks rows no other worker is claiming,
  then marks them ``running``; the other workers skip them instead of waiting.
- SQLite: every transaction begins with ``BEGIN IMMEDIATE`` (``core.db``), so a claim (the
  same select, then the update) runs alone in the whole database.
A worker killed mid-job leaves its rows ``running`` with a lease that runs out; the next
claim after that takes them again (an attempt more). The work is therefore done *at least
once*: whatever it sends must carry a stable id so the receiver can de-duplicate.

Row-level security binds the worker like everyone else: it works one tenant per transaction.
The tenants it visits are those listed in ``worker_tenants`` (a table without ``tenant_id``,
so not under the tenant policy, holding nothing but tenant ids): a tenant is listed the first
time it needs the worker (``enlist``), e.g. when it registers a webhook endpoint.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import Connection, Integer, String, Text, event, or_, select, text, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from salestrack.core.db import Base, UTCDateTime, upsert_insert, utcnow

C = TypeVar("C")


class JobStatus(StrEnum):
    pending = "pending"
    running = "running"
    succeeded = "succeeded"
    failed = "failed"


class Queued:
    """The columns a job table needs for claiming, leases and retries."""

    status: Mapped[JobStatus] = mapped_column(String(20), nullable=False, default=JobStatus.pending)
    attempts: Mapped[int] = mapped_column(Integer(), nullable=False, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    claimed_by: Mapped[uuid.UUID | None] = mapped_column(nullable=True)
    last_error: Mapped[str] = mapped_column(Text(), nullable=False, default="")
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class WorkerTenant(Base):
    """A tenant the worker visits (no ``tenant_id`` column: readable across tenants).

    ``tenant`` holds a tenant's id without a foreign key: on Citus this table is a reference
    table (on every node) and ``tenants`` is distributed, and Citus refuses a reference
    table that references a distributed one (migration 0022)."""

    __tablename__ = "worker_tenants"

    tenant: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    enlisted_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)


# On Citus ``worker_tenants`` is a reference table, and an upsert into one is serialized by
# a lock on its shard (taken on the first worker too) that only a role allowed to UPDATE,
# DELETE or TRUNCATE the table may take: the app role may only read and add rows. Marking
# this one statement commutative lowers that lock to the one a plain INSERT takes. It is:
# the only conflict is the same tenant listed twice, which changes nothing. On PostgreSQL
# without Citus the setting is an unused placeholder.
_COMMUTATIVE = "citus.all_modifications_commutative"


# (database URL, tenant) pairs this process has seen listed by a committed transaction. A
# listed tenant is never unlisted (the app's role may only read and add rows), so a write
# that queues a job for a tenant known to be listed skips the three statements of listing.
_LISTED: set[tuple[str, uuid.UUID]] = set()


def enlist(session: Session, tenant_id: uuid.UUID) -> None:
    """List ``tenant_id`` for the worker (once; listing it again changes nothing)."""
    known = (str(session.get_bind().engine.url), tenant_id)
    if known in _LISTED:
        return
    if _PENDING not in session.info:
        event.listen(session, "after_commit", _remember_listed)
        event.listen(session, "after_soft_rollback", _forget_listed)
    session.info.setdefault(_PENDING, set()).add(known)
    insert = upsert_insert(session)
    postgresql = session.get_bind().dialect.name == "postgresql"
    if postgresql:
        session.execute(text(f"SET LOCAL {_COMMUTATIVE} = on"))
    session.execute(
        insert(WorkerTenant).values(tenant=tenant_id, enlisted_at=utcnow()).on_conflict_do_nothing()
    )
    if postgresql:
        session.execute(text(f"SET LOCAL {_COMMUTATIVE} TO DEFAULT"))


_PENDING = "salestrack.jobs.listing"  # session.info: listings its transaction has made


def _remember_listed(session: Session) -> None:
    _LISTED.update(session.info.get(_PENDING, ()))
    session.info[_PENDING] = set()


def _forget_listed(session: Session, _previous: Any) -> None:
    """Any rollback (a savepoint's too) may have undone a listing: remember none of them."""
    session.info[_PENDING] = set()


def enlisted(connection: Connection) -> list[uuid.UUID]:
    """Every tenant the worker visits, oldest first."""
    stmt = select(WorkerTenant.tenant).order_by(WorkerTenant.enlisted_at, WorkerTenant.tenant)
    return list(connection.scalars(stmt))


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how soon a job is tried again."""

    max_attempts: int = 8
    base_seconds: float = 10.0
    cap_seconds: float = 3600.0
    lease_seconds: float = 60.0

    def delay(self, attempt: int, rng: random.Random | None = None) -> timedelta:
        """The wait after failed attempt number ``attempt`` (1-based): half of the
        exponential step for sure, the other half at random, so retries of many jobs that
        failed together (a receiver's outage) spread out instead of arriving in a burst."""
        step = min(self.cap_seconds, self.base_seconds * 2 ** max(attempt - 1, 0))
        jitter = (rng or _RANDOM).uniform(0, step / 2)
        return timedelta(seconds=step / 2 + jitter)


_RANDOM = random.SystemRandom()


@dataclass(frozen=True)
class Claimed:
    """A job this worker holds: its id, this claim's token and which attempt this is."""

    id: uuid.UUID
    token: uuid.UUID
    attempt: int


def claim(
    session: Session,
    model: Any,
    *,
    tenant_id: uuid.UUID,
    policy: RetryPolicy,
    limit: int,
    now: datetime | None = None,
) -> tuple[list[Claimed], int]:
    """Claim up to ``limit`` of the tenant's due jobs in ``model``; returns them and how
    many expired claims were given up as ``failed`` (their last attempt was the last one)."""
    now = now or utcnow()
    due = or_(
        (model.status == JobStatus.pending) & (model.next_attempt_at <= now),
        (model.status == JobStatus.running) & (model.lease_until < now),
    )
    stmt = (
        select(model.id, model.attempts)
        .where(model.tenant_id == tenant_id, due)
        .order_by(model.next_attempt_at, model.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    claimed: list[Claimed] = []
    given_up = 0
    for row_id, attempts in session.execute(stmt).all():
        where = (model.tenant_id == tenant_id) & (model.id == row_id)
        if attempts >= policy.max_attempts:  # a worker died during the last attempt
            session.execute(
                update(model)
                .where(where)
                .values(
                    status=JobStatus.failed,
                    lease_until=None,
                    finished_at=now,
                    last_error="the worker stopped during the last attempt",
                )
            )
            given_up += 1
            continue
        token = uuid.uuid4()
        session.execute(
            update(model)
            .where(where)
            .values(
                status=JobStatus.running,
                attempts=attempts + 1,
                claimed_by=token,
                lease_until=now + timedelta(seconds=policy.lease_seconds),
            )
        )
        claimed.append(Claimed(id=row_id, token=token, attempt=attempts + 1))
    return claimed, given_up


def finish(
    session: Session,
    model: Any,
    *,
    tenant_id: uuid.UUID,
    job: Claimed,
    policy: RetryPolicy,
    error: str | None,
    values: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> JobStatus | None:
    """Record how the attempt ended: ``succeeded``, back to ``pending`` after a backoff, or
    ``failed`` after the last attempt. Only the claim's holder may record it: a worker whose
    lease ran out and was claimed again by another records nothing (None)."""
    now = now or utcnow()
    if error is None:
        status, next_at = JobStatus.succeeded, None
    elif job.attempt >= policy.max_attempts:
        status, next_at = JobStatus.failed, None
    else:
        status, next_at = JobStatus.pending, now + policy.delay(job.attempt)
    changes: dict[str, Any] = {
        **(values or {}),
        "status": status,
        "lease_until": None,
        "claimed_by": None,
        "last_error": (error or "")[:2000],
        "finished_at": None if status is JobStatus.pending else now,
    }
    if next_at is not None:
        changes["next_attempt_at"] = next_at
    result = session.execute(
        update(model)
        .where(
            model.tenant_id == tenant_id,
            model.id == job.id,
            model.claimed_by == job.token,
            model.status == JobStatus.running,
        )
        .values(**changes)
    )
    return status if getattr(result, "rowcount", 0) else None


def requeue(session: Session, model: Any, *, tenant_id: uuid.UUID, job_id: uuid.UUID) -> None:
    """Run a job again from the start (a replay): pending now, attempts counted afresh."""
    session.execute(
        update(model)
        .where(model.tenant_id == tenant_id, model.id == job_id)
        .values(
            status=JobStatus.pending,
            attempts=0,
            next_attempt_at=utcnow(),
            lease_until=None,
            claimed_by=None,
            finished_at=None,
        )
    )


def work_through(
    batch: int, claim: Callable[[], C | bool | None], send: Callable[[C], None]
) -> int:
    """Handle up to ``batch`` jobs one at a time, each claimed in a transaction of its own
    and sent after it (a slow mail server holds no transaction): ``claim`` answers None when
    none is due, a bool when it finished the job itself, else the job for ``send``."""
    handled = 0
    for _ in range(batch):
        claimed = claim()
        if claimed is None:
            break
        handled += 1
        if not isinstance(claimed, bool):
            send(claimed)
    return handled
