"""The lead's status history: every change of ``lead.status`` appends one entry.

Callers hold the lead's row lock (``get_lead(..., for_update=True)``; SQLite's
``BEGIN IMMEDIATE`` serialises writers anyway), so reading the status, deciding the next
one and appending entry ``seq + 1`` happen as one step. Entries are never edited or
deleted: deleting a milestone leaves the status and the history as they are.
"""

from __future__ import annotations

import uuid

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from salestrack.auth.context import Actor
from salestrack.core import batching, crud
from salestrack.journey.models import LeadStatusHistory, StatusCause
from salestrack.leads.models import Lead, LeadStatus


def append(
    session: Session,
    *,
    actor: Actor,
    lead_id: uuid.UUID,
    from_status: str | None,
    to_status: str,
    cause: StatusCause,
    cause_id: uuid.UUID | None,
    new_lead: bool = False,
) -> LeadStatusHistory:
    """Append the next entry of the lead's history (the caller holds the lead's lock);
    ``new_lead``: the lead was created just now, so this is its first entry."""
    last = None
    if not new_lead:
        last = session.scalar(
            select(func.max(LeadStatusHistory.seq)).where(
                LeadStatusHistory.tenant_id == actor.tenant_id,
                LeadStatusHistory.lead_id == lead_id,
            )
        )
    entry = LeadStatusHistory(
        tenant_id=actor.tenant_id,
        lead_id=lead_id,
        seq=(last or 0) + 1,
        from_status=None if from_status is None else LeadStatus(from_status).value,
        to_status=LeadStatus(to_status).value,
        cause=cause,
        cause_id=cause_id,
        actor_id=actor.user_id,
    )
    session.add(entry)
    if batching.current(session) is None:
        session.flush()
    return entry


def move(
    session: Session,
    *,
    actor: Actor,
    lead: Lead,
    to_status: LeadStatus,
    cause: StatusCause,
    cause_id: uuid.UUID | None,
) -> LeadStatusHistory | None:
    """Set the locked ``lead``'s status and record why; nothing when it does not change."""
    from_status = LeadStatus(lead.status)
    if from_status is to_status:
        return None
    crud.change(session, actor=actor, row=lead, values={"status": to_status}, entity="lead")
    return append(
        session,
        actor=actor,
        lead_id=lead.id,
        from_status=from_status,
        to_status=to_status,
        cause=cause,
        cause_id=cause_id,
    )


def history_query(*, tenant_id: uuid.UUID, lead_id: uuid.UUID) -> Select[tuple[LeadStatusHistory]]:
    return select(LeadStatusHistory).where(
        LeadStatusHistory.tenant_id == tenant_id, LeadStatusHistory.lead_id == lead_id
    )
