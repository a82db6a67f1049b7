"""Recording, changing and deleting milestones, and the lead hooks that create the first one.

What a milestone accepts (422 otherwise):
- ``lead_generated`` is recorded by the server when the lead is created (dated
  ``lead_date``, kept in step when ``lead_date`` changes); clients cannot post, re-date or
  delete it.
- Location (name, latitude, longitude), ``visited_by`` and ``outcome`` belong to visits:
  ``site_visit``, ``revisit`` and ``demo``. Latitude and longitude come together.
- ``milestone_date`` left out is today in the tenant's zone.
- ``follow_up_date`` may not be before the milestone. A follow-up asked for without a date
  is due two days after the milestone, and a positive ``site_visit`` asks for one unless
  the client says otherwise (``rules.follow_up_defaults``; the answer's
  ``defaults_applied`` says what was filled in).
- ``milestone_type`` and ``lead_id`` are fixed once recorded.
Deleting a milestone is a soft delete; the lead's status and its history stay as they are.
"""

from __future__ import annotations

import uuid
from datetime import time
from typing import Any

from sqlalchemy import Select
from sqlalchemy.orm import Session, sessionmaker

from salestrack.auth import clock
from salestrack.auth.context import Actor
from salestrack.auth.models import User
from salestrack.core import crud
from salestrack.core.errors import Conflict, Unprocessable
from salestrack.journey import followups, rules, status
from salestrack.journey.models import (
    FollowUpClosure,
    LeadMilestone,
    MilestoneType,
    StatusCause,
)
from salestrack.journey.paging import ascending_page
from salestrack.journey.schemas import MilestoneCreate, MilestoneUpdate
from salestrack.leads import service as leads
from salestrack.leads.models import Lead, LeadStatus

ENTITY = "milestone"
ORDER = (
    LeadMilestone.milestone_date,
    LeadMilestone.sort_time,
    LeadMilestone.created_at,
    LeadMilestone.id,
)
MIDNIGHT = time(0, 0)


def _check(milestone_type: MilestoneType, values: dict[str, Any]) -> None:
    """The cross-field rules, checked on the merged values of a create or an update."""
    if milestone_type not in rules.VISIT_TYPES:
        given = [f for f in rules.VISIT_ONLY_FIELDS if values.get(f) is not None]
        if given:
            visits = ", ".join(sorted(t.value for t in rules.VISIT_TYPES))
            raise Unprocessable(
                f"{', '.join(given)}: only visits ({visits}) have a location, "
                f"visitor or outcome, not {milestone_type.value}",
                field=given[0],
            )
    if (values.get("location_latitude") is None) != (values.get("location_longitude") is None):
        raise Unprocessable(
            "location_latitude and location_longitude go together", field="location_latitude"
        )
    follow_up_date = values.get("follow_up_date")
    if values.get("follow_up_required") and follow_up_date is None:
        raise Unprocessable("follow_up_required needs a follow_up_date", field="follow_up_required")
    if values.get("follow_up_time") is not None and follow_up_date is None:
        raise Unprocessable("follow_up_time needs a follow_up_date", field="follow_up_time")
    if follow_up_date is not None and follow_up_date < values["milestone_date"]:
        raise Unprocessable(
            "follow_up_date may not be before milestone_date", field="follow_up_date"
        )


def _check_visitor(session: Session, actor: Actor, values: dict[str, Any]) -> None:
    if "visited_by" in values:
        crud.check_references(
            session, tenant_id=actor.tenant_id, refs={"visited_by": (User, values["visited_by"])}
        )


def record_milestone(
    session: Session,
    *,
    actor: Actor,
    data: MilestoneCreate,
    applied: list[str] | None = None,
) -> LeadMilestone:
    """Record a milestone and move the lead's status by the rules, in the caller's transaction.

    The lead's row is locked first, so ``status_before``/``status_after`` are the real
    statuses even when several milestones for one lead arrive at once. 404 for a lead not
    in the actor's tenant; 409 for ``reengaged`` on a lead that is not lost. What the
    follow-up rules filled in is appended to ``applied`` (for the answer).
    """
    milestone_type = MilestoneType(data.milestone_type)
    if milestone_type is MilestoneType.lead_generated:
        raise Unprocessable("lead_generated is recorded by the server when the lead is created")
    values = data.model_dump()
    meta = values.pop("metadata")
    filled: list[str] = []
    if values["milestone_date"] is None:
        today = clock.tenant_today(session, actor.tenant_id)
        values["milestone_date"] = today
        filled.append(f"milestone_date: {today.isoformat()} (today)")
    filled += rules.follow_up_defaults(milestone_type, values, given=data.model_fields_set)
    if applied is not None:
        applied.extend(filled)
    _check(milestone_type, values)
    _check_visitor(session, actor, values)
    lead = leads.get_lead(
        session, actor=actor, lead_id=data.lead_id, for_update=True, keys_stay=True
    )
    before = LeadStatus(lead.status)
    after = rules.status_after_milestone(before, milestone_type)
    row = LeadMilestone(
        **values,
        meta=meta,
        sort_time=values["milestone_time"] or MIDNIGHT,
        status_before=before.value,
        status_after=after.value,
    )
    crud.add(session, actor=actor, row=row, entity=ENTITY)
    status.move(
        session,
        actor=actor,
        lead=lead,
        to_status=after,
        cause=StatusCause.milestone,
        cause_id=row.id,
    )
    followups.close_by_event(
        session,
        actor=actor,
        lead_id=lead.id,
        on=row.milestone_date,
        how=FollowUpClosure.milestone,
        event_id=row.id,
    )
    return row


def get_milestone(
    session: Session, *, actor: Actor, milestone_id: uuid.UUID, for_update: bool = False
) -> LeadMilestone:
    return crud.get_live(
        session,
        LeadMilestone,
        tenant_id=actor.tenant_id,
        row_id=milestone_id,
        label=ENTITY,
        for_update=for_update,
    )


def update_milestone(
    session: Session,
    *,
    actor: Actor,
    milestone_id: uuid.UUID,
    data: MilestoneUpdate,
    applied: list[str] | None = None,
) -> LeadMilestone:
    """Change a milestone's details; its type, lead and recorded statuses stay. A follow-up
    asked for now without a date gets the default date (appended to ``applied``)."""
    row = get_milestone(session, actor=actor, milestone_id=milestone_id, for_update=True)
    values = data.changes()
    if (
        values.get("follow_up_required")
        and values.get("follow_up_date", row.follow_up_date) is None
    ):
        merged_day = {
            "follow_up_required": True,
            "milestone_date": values.get("milestone_date", row.milestone_date),
        }
        filled = rules.follow_up_defaults(
            MilestoneType(row.milestone_type), merged_day, given={"follow_up_required"}
        )
        values["follow_up_date"] = merged_day["follow_up_date"]
        if applied is not None:
            applied.extend(filled)
    if "metadata" in values:
        values["meta"] = values.pop("metadata")
    milestone_type = MilestoneType(row.milestone_type)
    if (
        milestone_type is MilestoneType.lead_generated
        and values.get("milestone_date", row.milestone_date) != row.milestone_date
    ):
        raise Unprocessable(
            "lead_generated is dated by the lead's lead_date: change the lead",
            field="milestone_date",
        )
    merged = {name: values.get(name, getattr(row, name)) for name in _CHECKED}
    _check(milestone_type, merged)
    _check_visitor(session, actor, values)
    if "milestone_time" in values:
        values["sort_time"] = values["milestone_time"] or MIDNIGHT
    if values.get("follow_up_required") and not row.follow_up_required:
        # A follow-up asked for anew starts open, whatever closed an earlier one.
        values.update(
            follow_up_closed_at=None, follow_up_closed_by=None, follow_up_closed_by_id=None
        )
    crud.change(session, actor=actor, row=row, values=values, entity=ENTITY)
    return row


_CHECKED = (
    "milestone_date",
    "follow_up_required",
    "follow_up_date",
    "follow_up_time",
    *rules.VISIT_ONLY_FIELDS,
)


def delete_milestone(session: Session, *, actor: Actor, milestone_id: uuid.UUID) -> None:
    """Soft delete; the status it caused and the history stay (the history is append-only)."""
    row = get_milestone(session, actor=actor, milestone_id=milestone_id, for_update=True)
    if row.milestone_type == MilestoneType.lead_generated:
        raise Conflict("the lead_generated milestone goes only with its lead")
    crud.soft_delete(session, actor=actor, row=row, entity=ENTITY)


def lead_milestones(*, tenant_id: uuid.UUID, lead_id: uuid.UUID) -> Select[tuple[LeadMilestone]]:
    return crud.scoped(LeadMilestone, tenant_id).where(LeadMilestone.lead_id == lead_id)


def list_milestones(
    session: Session, *, actor: Actor, lead_id: uuid.UUID, limit: int, cursor: str | None
) -> tuple[list[LeadMilestone], str | None]:
    """The lead's milestones in chronological order (404 for a lead not in the tenant)."""
    leads.read_lead(session, actor=actor, lead_id=lead_id)
    stmt = lead_milestones(tenant_id=actor.tenant_id, lead_id=lead_id)
    rows, next_cursor = ascending_page(session, stmt, ORDER, limit=limit, cursor=cursor)
    return [r[0] for r in rows], next_cursor


# --- hooks on the lead record kind ---------------------------------------------------


def on_lead_created(session: Session, actor: Actor, lead: Lead) -> None:
    """A new lead gets its ``lead_generated`` milestone and the first history entry."""
    row = LeadMilestone(
        lead_id=lead.id,
        milestone_type=MilestoneType.lead_generated,
        milestone_date=lead.lead_date,
        sort_time=MIDNIGHT,
        status_before=None,
        status_after=LeadStatus(lead.status).value,
        follow_up_required=False,
        notes="",
        meta={},
    )
    crud.add(session, actor=actor, row=row, entity=ENTITY)
    status.append(
        session,
        actor=actor,
        lead_id=lead.id,
        from_status=None,
        to_status=lead.status,
        cause=StatusCause.created,
        cause_id=row.id,
        new_lead=True,
    )


def on_lead_updated(session: Session, actor: Actor, lead: Lead, before: dict[str, Any]) -> None:
    """A PATCH of ``status`` enters the history; a new ``lead_date`` re-dates lead_generated."""
    if "status" in before and before["status"] != lead.status:
        status.append(
            session,
            actor=actor,
            lead_id=lead.id,
            from_status=before["status"],
            to_status=lead.status,
            cause=StatusCause.manual,
            cause_id=None,
        )
    if "lead_date" in before and before["lead_date"] != lead.lead_date:
        stmt = lead_milestones(tenant_id=actor.tenant_id, lead_id=lead.id).where(
            LeadMilestone.milestone_type == MilestoneType.lead_generated
        )
        for row in session.scalars(stmt).all():
            crud.change(
                session,
                actor=actor,
                row=row,
                values={"milestone_date": lead.lead_date},
                entity=ENTITY,
            )


def install(factory: sessionmaker[Session]) -> None:
    """A new lead gets its ``lead_generated`` milestone and first status; a changed lead
    date moves that milestone: on every session of ``factory`` (called by the wiring)."""
    leads.LEADS.created.connect(factory, on_lead_created)
    leads.LEADS.updated.connect(factory, on_lead_updated)
