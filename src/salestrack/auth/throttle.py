"""Login throttling kept in the database, so every app process sees the same counts.

Each bucket (an account, an address) counts the login attempts of its current window. An
attempt is *reserved* before its password is checked, by one atomic statement (``INSERT
... ON CONFLICT DO UPDATE ... RETURNING`` on PostgreSQL and SQLite alike): the database
serialises the increments on the bucket's row, so however many attempts arrive at once,
in however many processes, at most ``limit`` of them are ever let through to the password
check in a window. A reservation that ends in a failure simply stays counted; a success
hands its reservation back (``release``) or, for the account, forgets the window
(``reset``). No statement here reads a row and writes it back, so nothing can find a row
missing that another request just removed.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Table, case, delete, literal, update
from sqlalchemy.orm import Session

from salestrack.auth.models import LoginThrottle
from salestrack.core.db import upsert_insert, utcnow

TABLE: Table = LoginThrottle.__table__  # type: ignore[assignment]  # a Table, typed as FromClause


@dataclass(frozen=True)
class Reservation:
    """The outcome of asking a bucket for one more attempt."""

    granted: bool
    retry_after: int  # seconds until the bucket's window ends (meaningful when refused)


def reserve(
    session: Session, *, tenant_id: uuid.UUID, bucket: str, limit: int, window_seconds: int
) -> Reservation:
    """Count one attempt in ``bucket``, atomically; granted while the window holds ≤ ``limit``.

    A window that has run out starts again at this attempt. A refused attempt leaves the
    count at ``limit + 1`` (it never grows past that), so the bucket stays shut until its
    window ends, and a granted one is what the caller must ``release`` on success.
    """
    now = utcnow()
    expired = TABLE.c.window_started_at <= now - timedelta(seconds=window_seconds)
    insert = upsert_insert(session)(TABLE).values(
        tenant_id=tenant_id, bucket=bucket, failures=1, window_started_at=now, blocked_until=None
    )
    statement = insert.on_conflict_do_update(
        index_elements=[TABLE.c.tenant_id, TABLE.c.bucket],
        set_={
            "failures": case(
                (expired, 1),
                (TABLE.c.failures > limit, TABLE.c.failures),
                else_=TABLE.c.failures + 1,
            ),
            "window_started_at": case(
                (expired, literal(now, TABLE.c.window_started_at.type)),
                else_=TABLE.c.window_started_at,
            ),
        },
    ).returning(TABLE.c.failures, TABLE.c.window_started_at)
    count, started = session.execute(statement).one()
    return Reservation(count <= limit, _seconds_left(started, now, window_seconds))


def release(session: Session, *, tenant_id: uuid.UUID, bucket: str) -> None:
    """Hand back one granted reservation (the attempt succeeded: it was no failure)."""
    session.execute(
        update(TABLE)
        .where(TABLE.c.tenant_id == tenant_id, TABLE.c.bucket == bucket, TABLE.c.failures > 0)
        .values(failures=TABLE.c.failures - 1)
    )


def reset(session: Session, *, tenant_id: uuid.UUID, bucket: str) -> None:
    """Forget the bucket's window (a successful login clears its account's failures)."""
    session.execute(delete(TABLE).where(TABLE.c.tenant_id == tenant_id, TABLE.c.bucket == bucket))


def _seconds_left(started: datetime, now: datetime, window_seconds: int) -> int:
    left = (started + timedelta(seconds=window_seconds) - now).total_seconds()
    return max(1, math.ceil(left))
