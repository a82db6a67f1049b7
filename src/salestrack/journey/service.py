"""The journey's public service API: what routes and other domains call.

Every function takes the session and the actor keyword-only, works in the caller's
transaction (it only flushes) and leaves permission checks to the caller. Stable entry
points for other domains:

- ``record_milestone(session, *, actor, data: MilestoneCreate) -> LeadMilestone``
  e.g. bookings record ``booking`` and ``cancellation`` milestones in their transaction;
  the lead's status moves and its history grows under the lead's row lock.
- ``record_engagement(session, *, actor, data: EngagementCreate) -> LeadEngagement``
- ``status_history(session, *, actor, lead_id) -> list[LeadStatusHistory]``
- ``timeline.CONVERSION_VALUE``: where the money domain plugs in the value.
"""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from salestrack.auth.context import Actor
from salestrack.journey.engagements import (
    delete_engagement,
    get_engagement,
    list_engagements,
    record_engagement,
    update_engagement,
)
from salestrack.journey.followups import mark_done, open_follow_ups
from salestrack.journey.milestones import (
    delete_milestone,
    get_milestone,
    list_milestones,
    record_milestone,
    update_milestone,
)
from salestrack.journey.models import LeadStatusHistory
from salestrack.journey.paging import ascending_page
from salestrack.journey.stats import engagement_stats
from salestrack.journey.status import history_query
from salestrack.journey.timeline import lead_timeline
from salestrack.leads import service as leads

# A lead's status changes in the order they happened (and their cursors).
STATUS_ORDER = (LeadStatusHistory.seq,)


def status_history(
    session: Session,
    *,
    actor: Actor,
    lead_id: uuid.UUID,
    limit: int = 500,
    cursor: str | None = None,
) -> tuple[list[LeadStatusHistory], str | None]:
    """The lead's status changes, oldest first: each one starts where the previous ended."""
    leads.read_lead(session, actor=actor, lead_id=lead_id)
    stmt = history_query(tenant_id=actor.tenant_id, lead_id=lead_id)
    rows, next_cursor = ascending_page(session, stmt, STATUS_ORDER, limit=limit, cursor=cursor)
    return [r[0] for r in rows], next_cursor


__all__ = [
    "delete_engagement",
    "delete_milestone",
    "engagement_stats",
    "get_engagement",
    "get_milestone",
    "lead_timeline",
    "list_engagements",
    "list_milestones",
    "mark_done",
    "open_follow_ups",
    "record_engagement",
    "record_milestone",
    "status_history",
    "update_engagement",
    "update_milestone",
]
