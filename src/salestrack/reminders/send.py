"""The worker's sending: claim a due reminder, re-check it, hand it to the SMTP server once.

One reminder per claim, in three short transactions with no transaction open while the
SMTP server is talked to:

1. **claim** (``jobs.claim``: ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, ``BEGIN
   IMMEDIATE`` on SQLite). A reminder whose claim ran out while its message data was
   being sent (``phase = data``: the worker was killed) is *not* claimed again but
   finished as ``uncertain``. Then the checks: the user is active, the reminder has not
   expired, the user still wants this kind, there is something to say; otherwise the
   reminder is finished with that outcome and nothing is sent. Without an SMTP server it
   is finished as ``no_smtp``.
2. **before the message data** (after the server accepted the recipient): everything is
   read again and the e-mail written from what is true now; then ``phase = data`` is
   committed, only if this worker still holds the claim. Another worker that took the
   reminder over (a lease that ran out) makes this one abandon the conversation.
3. **record** the server's answer: sent; back to pending with exponential backoff (not
   reached, 4xx); failed (5xx, or attempts used up); ``uncertain`` (the connection broke
   after the message data began: it may have been delivered, so it is never sent again).

So a reminder is mailed at most once by salestrack. The one case SMTP leaves open is a
worker killed, or a connection lost, between the start of the message data and the
recording of the answer: the reminder is then ``uncertain`` (delivered or not, never
twice). See docs/reminders.md.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from salestrack.auth import preferences
from salestrack.auth.models import User, UserPreference
from salestrack.auth.roles import Role
from salestrack.core import jobs, mail
from salestrack.core.config import Settings
from salestrack.core.db import utcnow
from salestrack.core.tenancy import tenant_transaction
from salestrack.reminders.content import Letter, Person, compose
from salestrack.reminders.models import Outcome, Phase, Reminder, ReminderKind

log = logging.getLogger("salestrack.worker.reminders")
_WANTED = {
    ReminderKind.digest: "digest_enabled",
    ReminderKind.team_digest: "team_digest_enabled",
    ReminderKind.alert: "alerts_enabled",
}


@dataclass(frozen=True)
class _Claimed:
    job: jobs.Claimed
    kind: ReminderKind
    slot: str
    person: Person


@dataclass
class SendReminders:
    """Sends up to ``batch`` due reminders of a tenant per visit."""

    settings: Settings
    batch: int = 20
    now: Callable[[], datetime] = utcnow
    name: str = "reminders.send"
    _target: mail.SmtpTarget | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self._target = mail.configured_target(self.settings)

    def run(self, factory: sessionmaker[Session], tenant_id: uuid.UUID) -> int:
        policy = mail.retry_policy(self.settings)
        return jobs.work_through(
            self.batch,
            lambda: self._claim(factory, tenant_id, policy),
            lambda claimed: self._send(factory, tenant_id, policy, claimed),
        )

    # -- 1. claim and check ------------------------------------------------------------

    def _claim(
        self, factory: sessionmaker[Session], tenant_id: uuid.UUID, policy: jobs.RetryPolicy
    ) -> _Claimed | bool | None:
        """A claimed reminder to send; True when one was claimed and finished here (nothing
        to send); None when none is due."""
        now = self.now()
        with tenant_transaction(factory, tenant_id) as session:
            _give_up_interrupted(session, tenant_id, now)
            claimed, _given_up = jobs.claim(
                session, Reminder, tenant_id=tenant_id, policy=policy, limit=1, now=now
            )
            if not claimed:
                return None
            job = claimed[0]
            reminder = session.get(Reminder, (tenant_id, job.id))
            assert reminder is not None
            kind = ReminderKind(reminder.kind)
            person, skip = _check(session, tenant_id, reminder, now)
            if skip is None and person is not None:
                letter = self._compose(session, tenant_id, kind, reminder.slot, person)
                if isinstance(letter, Outcome):
                    skip = letter
                elif self._target is None:
                    skip = Outcome.no_smtp
                    reminder.items = letter.items
            if skip is not None or person is None:
                _finish(session, tenant_id, job, policy, outcome=skip or Outcome.user_inactive)
                return True
            reminder.recipient = person.email
            reminder.message_id = mail.message_id_for(
                f"reminder.{reminder.id}", self.settings.mail_from
            )
            return _Claimed(job, kind, reminder.slot, person)

    def _compose(
        self,
        session: Session,
        tenant_id: uuid.UUID,
        kind: ReminderKind,
        slot: str,
        person: Person,
    ) -> Letter | Outcome:
        return compose(
            session,
            tenant_id=tenant_id,
            kind=kind,
            slot=slot,
            person=person,
            public_url=self.settings.public_url,
        )

    # -- 2. talk to the server ----------------------------------------------------------

    def _send(
        self,
        factory: sessionmaker[Session],
        tenant_id: uuid.UUID,
        policy: jobs.RetryPolicy,
        claimed: _Claimed,
    ) -> None:
        assert self._target is not None
        finished: dict[str, Any] = {}

        def before_data() -> EmailMessage | None:
            message, outcome = self._last_look(factory, tenant_id, policy, claimed)
            if outcome is not None:
                finished["outcome"] = outcome
            return message

        result = mail.send(
            self._target,
            sender=self.settings.mail_from,
            recipient=claimed.person.email,
            compose=before_data,
        )
        self._record(factory, tenant_id, policy, claimed, result, finished.get("outcome"))

    def _last_look(
        self,
        factory: sessionmaker[Session],
        tenant_id: uuid.UUID,
        policy: jobs.RetryPolicy,
        claimed: _Claimed,
    ) -> tuple[EmailMessage | None, Outcome | None]:
        """Right before the message data: check again, write the e-mail from what is true
        now and commit ``phase = data`` if this worker still holds the claim."""
        now = self.now()
        assert self._target is not None
        with tenant_transaction(factory, tenant_id) as session:
            reminder = session.get(Reminder, (tenant_id, claimed.job.id), with_for_update=True)
            if reminder is None or reminder.claimed_by != claimed.job.token:
                return None, None  # another worker holds it now
            person, skip = _check(session, tenant_id, reminder, now)
            letter: Letter | Outcome = skip or Outcome.user_inactive
            if skip is None and person is not None:
                letter = self._compose(session, tenant_id, claimed.kind, claimed.slot, person)
            if isinstance(letter, Outcome):
                _finish(session, tenant_id, claimed.job, policy, outcome=letter, now=now)
                return None, letter
            held = session.execute(
                update(Reminder)
                .where(
                    Reminder.tenant_id == tenant_id,
                    Reminder.id == claimed.job.id,
                    Reminder.claimed_by == claimed.job.token,
                    Reminder.status == jobs.JobStatus.running,
                )
                .values(
                    phase=Phase.data,
                    items=letter.items,
                    # Long enough for the data and the server's answer: never taken over
                    # while this worker is still waiting for it.
                    lease_until=now + self._data_lease(),
                )
            )
            if not getattr(held, "rowcount", 0):
                return None, None
            message = mail.build_message(
                sender=self.settings.mail_from,
                recipient=claimed.person.email,
                subject=letter.subject,
                text=letter.text,
                html=letter.html,
                message_id=reminder.message_id,
                language=letter.language,
            )
        return message, None

    def _data_lease(self) -> timedelta:
        """Sending the data and waiting for the answer take at most two timeouts; the
        usual lease on top covers a slow database."""
        assert self._target is not None
        seconds = 2 * self._target.timeout_seconds + self.settings.worker_lease_seconds
        return timedelta(seconds=seconds)

    # -- 3. record ----------------------------------------------------------------------

    def _record(
        self,
        factory: sessionmaker[Session],
        tenant_id: uuid.UUID,
        policy: jobs.RetryPolicy,
        claimed: _Claimed,
        result: mail.Result,
        skipped: Outcome | None,
    ) -> None:
        if result.delivery is mail.Delivery.abandoned:
            log.info("reminder %s: %s", claimed.job.id, skipped or "taken over by another worker")
            return
        now = self.now()
        with tenant_transaction(factory, tenant_id) as session:
            status = _finish_with(session, tenant_id, policy, claimed.job, result, now)
        log.info(
            "reminder %s (%s, tenant %s) attempt %d: %s %s",
            claimed.job.id,
            claimed.kind,
            tenant_id,
            claimed.job.attempt,
            status or "taken over by another worker",
            result.detail,
        )


def _check(
    session: Session, tenant_id: uuid.UUID, reminder: Reminder, now: datetime
) -> tuple[Person | None, Outcome | None]:
    """The recipient, or why the reminder is not sent at all."""
    user = session.get(User, (tenant_id, reminder.user_id))
    if user is None or not user.is_active or user.deleted_at is not None:
        return None, Outcome.user_inactive
    if now >= reminder.expires_at:
        return None, Outcome.expired
    row = session.get(UserPreference, (tenant_id, user.id))
    chosen = preferences.effective(row, Role(user.role))
    if not chosen[_WANTED[ReminderKind(reminder.kind)]]:
        return None, Outcome.turned_off
    locale = chosen["locale"]
    person = Person(
        user_id=user.id,
        email=user.email,
        name=user.full_name or user.email,
        locale=locale if isinstance(locale, str) else None,
    )
    return person, None


def _give_up_interrupted(session: Session, tenant_id: uuid.UUID, now: datetime) -> None:
    """Reminders whose worker stopped while their message data was being sent: the server
    may have delivered them, so they are finished as ``uncertain`` and never sent again."""
    session.execute(
        update(Reminder)
        .where(
            Reminder.tenant_id == tenant_id,
            Reminder.status == jobs.JobStatus.running,
            Reminder.phase == Phase.data,
            Reminder.lease_until < now,
        )
        .values(
            status=jobs.JobStatus.failed,
            outcome=Outcome.uncertain,
            lease_until=None,
            finished_at=now,
            last_error=(
                "the worker stopped after the message data began: the SMTP server may have "
                "delivered it; not sent again"
            ),
        )
    )


def _finish(
    session: Session,
    tenant_id: uuid.UUID,
    job: jobs.Claimed,
    policy: jobs.RetryPolicy,
    *,
    outcome: Outcome,
    now: datetime | None = None,
) -> None:
    """Done without mailing anything (``outcome`` says why)."""
    jobs.finish(
        session,
        Reminder,
        tenant_id=tenant_id,
        job=job,
        policy=policy,
        error=None,
        values={"outcome": outcome},
        now=now,
    )


def _finish_with(
    session: Session,
    tenant_id: uuid.UUID,
    policy: jobs.RetryPolicy,
    job: jobs.Claimed,
    result: mail.Result,
    now: datetime,
) -> jobs.JobStatus | None:
    """Record the server's answer (only the claim's holder may)."""
    values: dict[str, Any] = {}
    error: str | None = result.detail
    last = jobs.Claimed(id=job.id, token=job.token, attempt=policy.max_attempts)
    if result.delivery is mail.Delivery.sent:
        error, values = None, {"outcome": Outcome.sent, "sent_at": now}
    elif result.delivery is mail.Delivery.retry:
        values = {"phase": Phase.queued}
        if job.attempt >= policy.max_attempts:
            values["outcome"] = Outcome.rejected
    elif result.delivery is mail.Delivery.uncertain:
        job, values = last, {"outcome": Outcome.uncertain}
    else:  # rejected
        job, values = last, {"outcome": Outcome.rejected}
    return jobs.finish(
        session,
        Reminder,
        tenant_id=tenant_id,
        job=job,
        policy=policy,
        error=error,
        values=values,
        now=now,
    )
