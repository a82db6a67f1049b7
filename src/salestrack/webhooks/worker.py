"""What the webhooks give the worker: send due deliveries, and raise ``follow_up.due``.

A delivery is claimed in a short transaction, sent with no transaction open (a slow
receiver holds no lock), and its outcome recorded in another short transaction, only by
the claim's holder. One delivery per claim keeps every lease short and lets several
workers share a tenant's queue.
"""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass, field
from datetime import timedelta

import httpx2 as httpx
from sqlalchemy import Select, and_, delete, exists, select
from sqlalchemy.orm import Session, sessionmaker

from salestrack.auth import clock
from salestrack.core import jobs
from salestrack.core.config import Settings
from salestrack.core.db import utcnow
from salestrack.core.tenancy import tenant_transaction
from salestrack.journey.models import LeadMilestone
from salestrack.leads.models import Lead
from salestrack.webhooks import delivery, events
from salestrack.webhooks.events import EventType
from salestrack.webhooks.models import OutboxEvent, WebhookDelivery, WebhookEndpoint

log = logging.getLogger("salestrack.worker.webhooks")


def retry_policy(settings: Settings) -> jobs.RetryPolicy:
    return jobs.RetryPolicy(
        max_attempts=settings.webhook_max_attempts,
        base_seconds=settings.webhook_retry_base_seconds,
        lease_seconds=settings.worker_lease_seconds,
    )


@dataclass(frozen=True)
class _Work:
    job: jobs.Claimed
    url: str | None
    secret: str
    event_id: uuid.UUID
    body: str


@dataclass
class DeliverWebhooks:
    """Sends up to ``batch`` due deliveries of a tenant per visit."""

    settings: Settings
    http: httpx.Client
    batch: int = 20
    name: str = "webhooks.deliver"

    def run(self, factory: sessionmaker[Session], tenant_id: uuid.UUID) -> int:
        policy = retry_policy(self.settings)
        handled = 0
        for _ in range(self.batch):
            work = self._claim(factory, tenant_id, policy)
            if work is None:
                break
            outcome = self._send(work)
            with tenant_transaction(factory, tenant_id) as session:
                job = work.job
                if outcome.permanent:
                    job = jobs.Claimed(id=job.id, token=job.token, attempt=policy.max_attempts)
                status = jobs.finish(
                    session,
                    WebhookDelivery,
                    tenant_id=tenant_id,
                    job=job,
                    policy=policy,
                    error=outcome.error,
                    values={"response_code": outcome.response_code},
                )
            log.info(
                "delivery %s of event %s (tenant %s): attempt %d %s%s",
                job.id,
                work.event_id,
                tenant_id,
                work.job.attempt,
                status or "taken over by another worker",
                f" ({outcome.error})" if outcome.error else "",
            )
            handled += 1
        return handled

    def _claim(
        self, factory: sessionmaker[Session], tenant_id: uuid.UUID, policy: jobs.RetryPolicy
    ) -> _Work | None:
        with tenant_transaction(factory, tenant_id) as session:
            claimed, _given_up = jobs.claim(
                session, WebhookDelivery, tenant_id=tenant_id, policy=policy, limit=1
            )
            if not claimed:
                return None
            job = claimed[0]
            row = session.execute(
                select(WebhookDelivery.event_id, OutboxEvent.body, WebhookEndpoint)
                .join(
                    OutboxEvent,
                    and_(
                        OutboxEvent.tenant_id == WebhookDelivery.tenant_id,
                        OutboxEvent.id == WebhookDelivery.event_id,
                    ),
                )
                .join(
                    WebhookEndpoint,
                    and_(
                        WebhookEndpoint.tenant_id == WebhookDelivery.tenant_id,
                        WebhookEndpoint.id == WebhookDelivery.endpoint_id,
                    ),
                )
                .where(WebhookDelivery.tenant_id == tenant_id, WebhookDelivery.id == job.id)
            ).one()
            endpoint: WebhookEndpoint = row[2]
            live = endpoint.deleted_at is None
            return _Work(
                job=job,
                url=endpoint.url if live else None,
                secret=endpoint.secret,
                event_id=row[0],
                body=row[1],
            )

    def _send(self, work: _Work) -> delivery.Outcome:
        if work.url is None:
            return delivery.Outcome(error="the endpoint was deleted", permanent=True)
        return delivery.send(
            self.http,
            url=work.url,
            secret=work.secret,
            message_id=str(work.event_id),
            body=work.body,
            allow_private=self.settings.webhook_allow_private,
        )


@dataclass
class RaiseFollowUpsDue:
    """Raises ``follow_up.due`` once per follow-up and due date, when the date arrives in
    the tenant's zone, for tenants with an endpoint that wants it (every ``interval``)."""

    interval_seconds: float = 30.0
    batch: int = 500
    name: str = "webhooks.follow_up_due"
    _last: dict[uuid.UUID, float] = field(default_factory=dict)

    def run(self, factory: sessionmaker[Session], tenant_id: uuid.UUID) -> int:
        now = time.monotonic()
        last = self._last.get(tenant_id)
        if last is not None and now - last < self.interval_seconds:
            return 0
        self._last[tenant_id] = now
        with tenant_transaction(factory, tenant_id) as session:
            wanted = EventType.follow_up_due.value
            if not any(
                wanted in subscribed for _id, subscribed in events.subscribers(session, tenant_id)
            ):
                return 0
            raised = 0
            for milestone, lead in session.execute(_due(session, tenant_id, self.batch)).all():
                event_id = events.emit(
                    session,
                    tenant_id=tenant_id,
                    event_type=EventType.follow_up_due,
                    data={
                        "milestone_id": milestone.id,
                        "milestone_type": milestone.milestone_type,
                        "milestone_date": milestone.milestone_date,
                        "follow_up_date": milestone.follow_up_date,
                        "notes": milestone.notes,
                        "lead_id": lead.id,
                        "lead_code": lead.lead_code,
                        "lead_name": lead.name,
                        "assigned_to": lead.assigned_to,
                    },
                    subject_id=milestone.id,
                    subject_date=milestone.follow_up_date,
                )
                raised += event_id is not None
            return raised


def _due(session: Session, tenant_id: uuid.UUID, limit: int) -> Select[tuple[LeadMilestone, Lead]]:
    """Open follow-ups of live leads due today or earlier with no event for that date."""
    today = clock.tenant_today(session, tenant_id)
    raised = exists().where(
        OutboxEvent.tenant_id == LeadMilestone.tenant_id,
        OutboxEvent.event_type == EventType.follow_up_due.value,
        OutboxEvent.subject_id == LeadMilestone.id,
        OutboxEvent.subject_date == LeadMilestone.follow_up_date,
    )
    return (
        select(LeadMilestone, Lead)
        .join(
            Lead, and_(Lead.tenant_id == LeadMilestone.tenant_id, Lead.id == LeadMilestone.lead_id)
        )
        .where(
            LeadMilestone.tenant_id == tenant_id,
            LeadMilestone.deleted_at.is_(None),
            LeadMilestone.follow_up_required.is_(True),
            LeadMilestone.follow_up_closed_at.is_(None),
            LeadMilestone.follow_up_date <= today,
            Lead.deleted_at.is_(None),
            ~raised,
        )
        .order_by(LeadMilestone.follow_up_date, LeadMilestone.id)
        .limit(limit)
    )


@dataclass
class ForgetOldDeliveries:
    """Keeps the delivery log to ``keep_days``: finished deliveries older than that are
    deleted, then events left with no delivery, except time-based ones (their row is what
    makes ``follow_up.due`` once per follow-up and date). Runs hourly per tenant."""

    keep_days: int
    interval_seconds: float = 3600.0
    name: str = "webhooks.forget_old"
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
                delete(WebhookDelivery).where(
                    WebhookDelivery.tenant_id == tenant_id,
                    WebhookDelivery.status.in_([jobs.JobStatus.succeeded, jobs.JobStatus.failed]),
                    WebhookDelivery.finished_at < cutoff,
                )
            )
            still_sent = exists().where(
                WebhookDelivery.tenant_id == OutboxEvent.tenant_id,
                WebhookDelivery.event_id == OutboxEvent.id,
            )
            session.execute(
                delete(OutboxEvent).where(
                    OutboxEvent.tenant_id == tenant_id,
                    OutboxEvent.subject_id.is_(None),
                    OutboxEvent.occurred_at < cutoff,
                    ~still_sent,
                )
            )
        return int(getattr(removed, "rowcount", 0) or 0)


def tasks(
    settings: Settings, http: httpx.Client
) -> list[DeliverWebhooks | RaiseFollowUpsDue | ForgetOldDeliveries]:
    """The webhook tasks, in the order the worker runs them for each tenant."""
    return [
        RaiseFollowUpsDue(interval_seconds=settings.worker_schedule_seconds),
        DeliverWebhooks(settings=settings, http=http),
        ForgetOldDeliveries(keep_days=settings.webhook_log_days),
    ]
