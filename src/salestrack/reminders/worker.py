"""What reminders give the worker: queue due reminders, send them, forget old ones."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import delete
from sqlalchemy.orm import Session, sessionmaker

from salestrack.core import jobs
from salestrack.core.config import Settings
from salestrack.core.db import utcnow
from salestrack.core.tenancy import tenant_transaction
from salestrack.reminders.models import Reminder
from salestrack.reminders.schedule import ScheduleReminders
from salestrack.reminders.send import SendReminders


@dataclass
class ForgetOldReminders:
    """Deletes finished reminders older than ``keep_days`` (hourly per tenant). A slot can
    only be queued while it has not expired (a day at most), so a row kept two days or more
    has done its part in keeping that slot from being mailed twice."""

    keep_days: int
    interval_seconds: float = 3600.0
    name: str = "reminders.forget_old"
    _last: dict[uuid.UUID, float] = field(default_factory=dict)

    def run(self, factory: sessionmaker[Session], tenant_id: uuid.UUID) -> int:
        now = time.monotonic()
        last = self._last.get(tenant_id)
        if last is not None and now - last < self.interval_seconds:
            return 0
        self._last[tenant_id] = now
        cutoff = utcnow() - timedelta(days=self.keep_days)
        with tenant_transaction(factory, tenant_id) as session:
            removed = session.execute(
                delete(Reminder).where(
                    Reminder.tenant_id == tenant_id,
                    Reminder.status.in_([jobs.JobStatus.succeeded, jobs.JobStatus.failed]),
                    Reminder.finished_at < cutoff,
                )
            )
        return int(getattr(removed, "rowcount", 0) or 0)


def tasks(settings: Settings) -> list[ScheduleReminders | SendReminders | ForgetOldReminders]:
    """The reminder tasks, in the order the worker runs them for each tenant."""
    return [
        ScheduleReminders(interval_seconds=settings.worker_schedule_seconds),
        SendReminders(settings=settings),
        ForgetOldReminders(keep_days=settings.reminder_log_days),
    ]
