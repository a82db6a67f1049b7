"""The worker's scan: put each due reminder in the queue, once, whatever the workers.

Every ``interval_seconds`` per tenant, in the tenant's zone:
- a **digest** for each active user with digests on, once their chosen time of day has
  come (slot: the local day; it expires at the end of that day);
- a **team digest** likewise for each manager or admin who has it on;
- an **alert** for each open follow-up with a time, on a live lead assigned to an active
  user with alerts on, once ``alert_minutes`` before it has come and until the follow-up's
  moment (slot: the follow-up and its local date and time).

A reminder is a row unique per (user, kind, slot), added with ``ON CONFLICT DO NOTHING``:
two workers scanning at once, or a worker scanning again, add nothing more. Whether there
is anything to say is decided when it is sent.
"""

from __future__ import annotations

import time as monotonic
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from salestrack.auth import clock, preferences
from salestrack.auth.models import User
from salestrack.auth.roles import Role
from salestrack.core.db import upsert_insert, utcnow
from salestrack.core.tenancy import tenant_transaction
from salestrack.journey import followups
from salestrack.reminders.content import slot_of_alert, slot_of_day
from salestrack.reminders.models import Reminder, ReminderKind


def at_local(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The moment ``day`` at ``at`` in ``zone`` (a time skipped by a clock change reads as
    the moment after it)."""
    return datetime.combine(day, at, tzinfo=zone)


@dataclass(frozen=True)
class _Due:
    user_id: uuid.UUID
    kind: ReminderKind
    slot: str
    due_at: datetime
    expires_at: datetime
    milestone_id: uuid.UUID | None = None


@dataclass
class ScheduleReminders:
    """Queues the tenant's reminders that have come due (every ``interval_seconds``)."""

    interval_seconds: float = 30.0
    now: Callable[[], datetime] = utcnow
    name: str = "reminders.schedule"
    _last: dict[uuid.UUID, float] = field(default_factory=dict)

    def run(self, factory: sessionmaker[Session], tenant_id: uuid.UUID) -> int:
        ticks = monotonic.monotonic()
        last = self._last.get(tenant_id)
        if last is not None and ticks - last < self.interval_seconds:
            return 0
        self._last[tenant_id] = ticks
        with tenant_transaction(factory, tenant_id) as session:
            return queue(session, tenant_id=tenant_id, now=self.now())


def queue(session: Session, *, tenant_id: uuid.UUID, now: datetime) -> int:
    """Add the reminders due at ``now`` that are not queued yet; how many were added."""
    zone = clock.tenant_zone(session, tenant_id)
    people = _people(session, tenant_id)
    due = [*_digests(people, now, zone), *_alerts(session, tenant_id, people, now, zone)]
    taken = _queued(session, tenant_id, {item.slot for item in due})
    insert = upsert_insert(session)
    added = 0
    for item in due:
        if (item.user_id, item.kind, item.slot) in taken:
            continue
        stmt = (
            insert(Reminder)
            .values(
                tenant_id=tenant_id,
                id=uuid.uuid4(),
                user_id=item.user_id,
                kind=item.kind.value,
                slot=item.slot,
                milestone_id=item.milestone_id,
                due_at=item.due_at,
                expires_at=item.expires_at,
                next_attempt_at=item.due_at,
                created_at=now,
                status="pending",
                attempts=0,
                phase="queued",
                items=0,
                recipient="",
                message_id="",
                last_error="",
            )
            .on_conflict_do_nothing(index_elements=["tenant_id", "user_id", "kind", "slot"])
            .returning(Reminder.id)
        )
        added += session.execute(stmt).first() is not None
    return added


def _queued(
    session: Session, tenant_id: uuid.UUID, slots: set[str]
) -> set[tuple[uuid.UUID, ReminderKind, str]]:
    """Which of these slots are queued already (so a scan writes only what is new)."""
    if not slots:
        return set()
    stmt = select(Reminder.user_id, Reminder.kind, Reminder.slot).where(
        Reminder.tenant_id == tenant_id, Reminder.slot.in_(sorted(slots))
    )
    return {(row.user_id, ReminderKind(row.kind), row.slot) for row in session.execute(stmt)}


def _people(session: Session, tenant_id: uuid.UUID) -> dict[uuid.UUID, dict[str, Any]]:
    """Active users and their preferences in force."""
    stored = preferences.stored(session, tenant_id=tenant_id)
    stmt = select(User.id, User.role).where(
        User.tenant_id == tenant_id, User.is_active.is_(True), User.deleted_at.is_(None)
    )
    return {
        row.id: preferences.effective(stored.get(row.id), Role(row.role))
        for row in session.execute(stmt)
    }


def _digests(people: dict[uuid.UUID, dict[str, Any]], now: datetime, zone: ZoneInfo) -> list[_Due]:
    today = clock.local_day(now, zone)
    ends = at_local(today + timedelta(days=1), time(0, 0), zone)
    found = []
    for user_id, chosen in people.items():
        due_at = at_local(today, chosen["digest_time"], zone)
        if now < due_at:
            continue
        for kind, wanted in (
            (ReminderKind.digest, chosen["digest_enabled"]),
            (ReminderKind.team_digest, chosen["team_digest_enabled"]),
        ):
            if wanted:
                found.append(_Due(user_id, kind, slot_of_day(today), due_at, ends))
    return found


def _alerts(
    session: Session,
    tenant_id: uuid.UUID,
    people: dict[uuid.UUID, dict[str, Any]],
    now: datetime,
    zone: ZoneInfo,
) -> list[_Due]:
    today = clock.local_day(now, zone)
    rows = followups.timed_between(
        session, tenant_id=tenant_id, first=today, last=today + timedelta(days=1)
    )
    found = []
    for milestone, lead in rows:
        owner = lead.assigned_to
        chosen = people.get(owner) if owner is not None else None
        if owner is None or chosen is None or not chosen["alerts_enabled"]:
            continue
        assert milestone.follow_up_date is not None
        assert milestone.follow_up_time is not None
        at = milestone.follow_up_time.replace(second=0, microsecond=0)
        moment = at_local(milestone.follow_up_date, at, zone)
        due_at = moment - timedelta(minutes=chosen["alert_minutes"])
        if due_at <= now < moment:
            slot = slot_of_alert(milestone.id, milestone.follow_up_date, at)
            found.append(_Due(owner, ReminderKind.alert, slot, due_at, moment, milestone.id))
    return found
