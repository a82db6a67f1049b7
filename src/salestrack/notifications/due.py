"""What the notifications give the worker: "follow-up due", raised on the day.

A follow-up is due on its ``follow_up_date`` in the tenant's time zone. Every
``interval_seconds`` the worker looks, per tenant, for open follow-ups of live leads due
today or in the last ``LOOKBACK_DAYS`` days whose owner (the lead's ``assigned_to``, an
active user) has not been told about that follow-up and due day, and tells them. The
notification's unique key (kind, follow-up, due day, owner) makes this once per slot even
with several workers looking at the same moment (``ON CONFLICT DO NOTHING``); a follow-up
moved to another day is due again on that day, and a lead handed to someone else tells its
new owner. A follow-up closed, or a lead deleted, before its day raises nothing.

The look-back bounds what a first scan raises on old data: follow-ups overdue for longer
are on the follow-ups page, not worth a notification each; a worker stopped for less than
that catches up.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import Select, and_, exists, select
from sqlalchemy.orm import Session, sessionmaker

from salestrack.auth import clock
from salestrack.auth.models import User
from salestrack.core.db import upsert_insert, utcnow
from salestrack.core.tenancy import tenant_transaction
from salestrack.journey.models import LeadMilestone
from salestrack.leads.models import Lead
from salestrack.notifications.models import Notification, NotificationKind

LOOKBACK_DAYS = 7


def _due(session: Session, tenant_id: uuid.UUID, limit: int) -> Select[Any]:
    """Open follow-ups due in the window whose active owner was not told of this slot."""
    today = clock.tenant_today(session, tenant_id)
    told = exists().where(
        Notification.tenant_id == LeadMilestone.tenant_id,
        Notification.kind == NotificationKind.follow_up_due.value,
        Notification.subject_id == LeadMilestone.id,
        Notification.subject_date == LeadMilestone.follow_up_date,
        Notification.user_id == Lead.assigned_to,
    )
    return (
        select(LeadMilestone, Lead)
        .join(
            Lead, and_(Lead.tenant_id == LeadMilestone.tenant_id, Lead.id == LeadMilestone.lead_id)
        )
        .join(User, and_(User.tenant_id == Lead.tenant_id, User.id == Lead.assigned_to))
        .where(
            LeadMilestone.tenant_id == tenant_id,
            LeadMilestone.deleted_at.is_(None),
            LeadMilestone.follow_up_required.is_(True),
            LeadMilestone.follow_up_closed_at.is_(None),
            LeadMilestone.follow_up_date <= today,
            LeadMilestone.follow_up_date >= today - timedelta(days=LOOKBACK_DAYS),
            Lead.deleted_at.is_(None),
            User.is_active.is_(True),
            User.deleted_at.is_(None),
            ~told,
        )
        .order_by(LeadMilestone.follow_up_date, LeadMilestone.id)
        .limit(limit)
    )


def raise_due(session: Session, tenant_id: uuid.UUID, *, limit: int = 500) -> int:
    """Tell the owners of the tenant's follow-ups that fell due; how many were told."""
    rows = session.execute(_due(session, tenant_id, limit)).all()
    if not rows:
        return 0
    now = utcnow()
    values = [
        {
            "tenant_id": tenant_id,
            "id": uuid.uuid4(),
            "user_id": lead.assigned_to,
            "kind": NotificationKind.follow_up_due.value,
            "subject_id": milestone.id,
            "subject_date": milestone.follow_up_date,
            "lead_id": lead.id,
            "actor_id": None,
            "amount": None,
            "data": {
                "lead_code": lead.lead_code,
                "lead_name": lead.name,
                "milestone_type": str(milestone.milestone_type),
                "notes": milestone.notes[:200],
            },
            "created_at": now,
            "read_at": None,
        }
        for milestone, lead in rows
    ]
    insert = upsert_insert(session)(Notification).values(values).on_conflict_do_nothing()
    inserted = session.execute(insert.returning(Notification.id)).all()
    return len(inserted)


@dataclass
class RaiseFollowUpsDue:
    """The worker task: ``raise_due`` per tenant, at most every ``interval_seconds``."""

    interval_seconds: float = 30.0
    batch: int = 500
    name: str = "notifications.follow_up_due"
    _last: dict[uuid.UUID, float] = field(default_factory=dict)

    def run(self, factory: sessionmaker[Session], tenant_id: uuid.UUID) -> int:
        now = time.monotonic()
        last = self._last.get(tenant_id)
        if last is not None and now - last < self.interval_seconds:
            return 0
        self._last[tenant_id] = now
        with tenant_transaction(factory, tenant_id) as session:
            return raise_due(session, tenant_id, limit=self.batch)
