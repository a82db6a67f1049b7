"""Login throttling kept in the database, so every app process sees the same counts."""

from __future__ import annotations

import math
import uuid
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from salestrack.auth.models import LoginThrottle
from salestrack.core.db import upsert_insert, utcnow


def seconds_blocked(session: Session, *, tenant_id: uuid.UUID, buckets: list[str]) -> int:
    """How long until every bucket accepts another try (0: go ahead)."""
    now = utcnow()
    rows = session.scalars(
        select(LoginThrottle).where(
            LoginThrottle.tenant_id == tenant_id, LoginThrottle.bucket.in_(buckets)
        )
    )
    waits = [(r.blocked_until - now).total_seconds() for r in rows if r.blocked_until]
    return max([math.ceil(w) for w in waits if w > 0], default=0)


def record_failure(
    session: Session, *, tenant_id: uuid.UUID, bucket: str, limit: int, window_seconds: int
) -> None:
    now = utcnow()
    session.execute(
        upsert_insert(session)(LoginThrottle)
        .values(tenant_id=tenant_id, bucket=bucket, failures=0, window_started_at=now)
        .on_conflict_do_nothing()
    )
    row = session.scalars(
        select(LoginThrottle)
        .where(LoginThrottle.tenant_id == tenant_id, LoginThrottle.bucket == bucket)
        .with_for_update()
    ).one()
    window = timedelta(seconds=window_seconds)
    if _expired(row.window_started_at, now, window):
        row.failures, row.window_started_at, row.blocked_until = 0, now, None
    row.failures += 1
    if row.failures >= limit:
        row.blocked_until = now + window
    session.flush()


def clear(session: Session, *, tenant_id: uuid.UUID, bucket: str) -> None:
    session.execute(
        delete(LoginThrottle).where(
            LoginThrottle.tenant_id == tenant_id, LoginThrottle.bucket == bucket
        )
    )


def _expired(started: datetime, now: datetime, window: timedelta) -> bool:
    return now - started >= window
