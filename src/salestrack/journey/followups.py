"""Follow-ups: a milestone with ``follow_up_required`` is a promise to get back to the lead.

The rule: a follow-up stays open until someone marks it done
(``POST /follow-ups/{milestone_id}/done``) or until a later touch closes it on its own:
another milestone, or a *completed* engagement, on the same lead, recorded after the
follow-up was set and dated on or after the follow-up milestone's date (engagement dates
are read as days in the tenant's time zone). Scheduled or cancelled engagements close
nothing. Closing is recorded on the milestone (when, how, by which event) and is not
undone if that event is later deleted.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import Session

from salestrack.auth import clock
from salestrack.auth.context import Actor
from salestrack.core import crud
from salestrack.core.db import utcnow
from salestrack.core.errors import Conflict
from salestrack.journey.models import FollowUpClosure, LeadMilestone
from salestrack.journey.paging import ascending_page
from salestrack.journey.report_schemas import FollowUpPublic
from salestrack.leads.models import Lead

# Open follow-ups, oldest due first (also what their cursors are made of).
ORDER = (LeadMilestone.follow_up_date, LeadMilestone.created_at, LeadMilestone.id)


def _open(tenant_id: uuid.UUID) -> Select[tuple[LeadMilestone]]:
    return crud.scoped(LeadMilestone, tenant_id).where(
        LeadMilestone.follow_up_required.is_(True), LeadMilestone.follow_up_closed_at.is_(None)
    )


def _close(
    session: Session,
    *,
    actor: Actor,
    row: LeadMilestone,
    how: FollowUpClosure,
    by_id: uuid.UUID | None,
) -> None:
    values: dict[str, Any] = {
        "follow_up_closed_at": utcnow(),
        "follow_up_closed_by": how,
        "follow_up_closed_by_id": by_id,
    }
    crud.change(session, actor=actor, row=row, values=values, entity="milestone")


def close_by_event(
    session: Session,
    *,
    actor: Actor,
    lead_id: uuid.UUID,
    on: date,
    how: FollowUpClosure,
    event_id: uuid.UUID,
) -> None:
    """Close the lead's open follow-ups set on or before ``on`` (not the event's own)."""
    stmt = _open(actor.tenant_id).where(
        LeadMilestone.lead_id == lead_id,
        LeadMilestone.milestone_date <= on,
        LeadMilestone.id != event_id,
    )
    for row in session.scalars(stmt).all():
        _close(session, actor=actor, row=row, how=how, by_id=event_id)


def mark_done(session: Session, *, actor: Actor, milestone_id: uuid.UUID) -> LeadMilestone:
    """Close one follow-up by hand; marking a closed one again changes nothing."""
    row = crud.get_live(
        session,
        LeadMilestone,
        tenant_id=actor.tenant_id,
        row_id=milestone_id,
        label="milestone",
        for_update=True,
    )
    if not row.follow_up_required:
        raise Conflict(f"milestone {milestone_id} has no follow-up to close")
    if row.follow_up_closed_at is None:
        _close(session, actor=actor, row=row, how=FollowUpClosure.done, by_id=None)
    return row


def open_follow_ups(
    session: Session,
    *,
    actor: Actor,
    due_before: date | None,
    assigned_to: uuid.UUID | None,
    overdue_only: bool,
    limit: int,
    cursor: str | None,
) -> tuple[list[FollowUpPublic], str | None]:
    """Open follow-ups of live leads, oldest due first; ``due_before`` is exclusive."""
    today = clock.tenant_today(session, actor.tenant_id)
    stmt = (
        _open(actor.tenant_id)
        .add_columns(Lead)
        .join(
            Lead,
            and_(Lead.tenant_id == LeadMilestone.tenant_id, Lead.id == LeadMilestone.lead_id),
        )
        .where(Lead.deleted_at.is_(None), LeadMilestone.follow_up_date.is_not(None))
    )
    if due_before is not None:
        stmt = stmt.where(LeadMilestone.follow_up_date < due_before)
    if overdue_only:
        stmt = stmt.where(LeadMilestone.follow_up_date < today)
    if assigned_to is not None:
        stmt = stmt.where(Lead.assigned_to == assigned_to)
    rows, next_cursor = ascending_page(session, stmt, ORDER, limit=limit, cursor=cursor)
    items = []
    for milestone, lead in rows:
        assert milestone.follow_up_date is not None
        late = (today - milestone.follow_up_date).days
        items.append(
            FollowUpPublic(
                milestone_id=milestone.id,
                milestone_type=milestone.milestone_type,
                milestone_date=milestone.milestone_date,
                follow_up_date=milestone.follow_up_date,
                follow_up_time=milestone.follow_up_time,
                overdue=late > 0,
                days_overdue=max(late, 0),
                notes=milestone.notes,
                lead_id=lead.id,
                lead_code=lead.lead_code,
                lead_name=lead.name,
                assigned_to=lead.assigned_to,
            )
        )
    return items, next_cursor


# --- what reminders read (the worker, for one tenant) ------------------------------------


def _open_on_live_leads(tenant_id: uuid.UUID) -> Select[tuple[LeadMilestone, Lead]]:
    """Open, dated follow-ups of live leads, with their lead, oldest due first."""
    return (
        _open(tenant_id)
        .add_columns(Lead)
        .join(
            Lead,
            and_(Lead.tenant_id == LeadMilestone.tenant_id, Lead.id == LeadMilestone.lead_id),
        )
        .where(Lead.deleted_at.is_(None), LeadMilestone.follow_up_date.is_not(None))
        .order_by(*ORDER)
    )


def due_by(
    session: Session,
    *,
    tenant_id: uuid.UUID,
    on: date,
    assigned_to: uuid.UUID | None = None,
    overdue_only: bool = False,
    limit: int = 200,
) -> tuple[list[tuple[LeadMilestone, Lead]], int]:
    """Open follow-ups due on or before ``on`` (before it with ``overdue_only``), of one
    assignee's leads or of all; the first ``limit`` and how many there are in all."""
    stmt = _open_on_live_leads(tenant_id)
    stmt = stmt.where(
        LeadMilestone.follow_up_date < on if overdue_only else LeadMilestone.follow_up_date <= on
    )
    if assigned_to is not None:
        stmt = stmt.where(Lead.assigned_to == assigned_to)
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    rows = [(m, lead) for m, lead in session.execute(stmt.limit(limit)).tuples()]
    return rows, int(total or 0)


def timed_between(
    session: Session, *, tenant_id: uuid.UUID, first: date, last: date
) -> list[tuple[LeadMilestone, Lead]]:
    """Open follow-ups with a time, due from ``first`` to ``last``, of assigned leads."""
    stmt = _open_on_live_leads(tenant_id).where(
        LeadMilestone.follow_up_time.is_not(None),
        LeadMilestone.follow_up_date >= first,
        LeadMilestone.follow_up_date <= last,
        Lead.assigned_to.is_not(None),
    )
    return [(m, lead) for m, lead in session.execute(stmt).tuples()]


def open_one(
    session: Session, *, tenant_id: uuid.UUID, milestone_id: uuid.UUID
) -> tuple[LeadMilestone, Lead] | None:
    """The follow-up if it is still open, on a live lead, and not deleted; else None."""
    stmt = _open_on_live_leads(tenant_id).where(LeadMilestone.id == milestone_id)
    row = session.execute(stmt).tuples().first()
    return None if row is None else (row[0], row[1])
