"""Merging two leads of one buyer: everything of the duplicate moves to the survivor.

Milestones, engagements, status history (numbered on after the survivor's own), touches,
bookings and customers (and with them their ledger) are re-pointed at the survivor; the
survivor takes the duplicate's phone, e-mail and company where it has none, and its
status where the duplicate got further. The duplicate is soft-deleted with
``merged_into`` naming the survivor, and the merge is in the audit log of both. The report
summaries follow by themselves: every moved row is a change of the survivor's facts, and
the deleted duplicate stops counting, so each report stays equal to a recount.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from salestrack.auth.context import Actor
from salestrack.core import crud, hooks
from salestrack.core.errors import Unprocessable
from salestrack.intake import touches
from salestrack.intake.models import LeadTouch
from salestrack.journey.models import LeadEngagement, LeadMilestone, LeadStatusHistory
from salestrack.leads import service as leads
from salestrack.leads.models import Customer, Lead, LeadStatus
from salestrack.leads.schemas import LeadUpdate
from salestrack.money.models import Booking

MOVED = (
    ("milestones", LeadMilestone),
    ("engagements", LeadEngagement),
    ("touches", LeadTouch),
    ("bookings", Booking),
    ("customers", Customer),
)
RANK = {s: i for i, s in enumerate(("new", "contacted", "qualified", "negotiation", "converted"))}


def _move(
    session: Session, model: Any, tenant_id: uuid.UUID, old: uuid.UUID, new: uuid.UUID
) -> int:
    rows = session.scalars(
        select(model).where(model.tenant_id == tenant_id, model.lead_id == old)
    ).all()
    for row in rows:
        row.lead_id = new
    return len(rows)


def _move_history(session: Session, tenant_id: uuid.UUID, old: uuid.UUID, new: uuid.UUID) -> int:
    H = LeadStatusHistory
    last = session.scalar(
        select(func.coalesce(func.max(H.seq), 0)).where(H.tenant_id == tenant_id, H.lead_id == new)
    )
    rows = session.scalars(
        select(H).where(H.tenant_id == tenant_id, H.lead_id == old).order_by(H.seq)
    ).all()
    for offset, row in enumerate(rows, start=1):
        row.lead_id, row.seq = new, int(last or 0) + offset
    session.flush()
    return len(rows)


def _fill_ins(survivor: Lead, duplicate: Lead) -> dict[str, Any]:
    """What the survivor takes from the duplicate."""
    values: dict[str, Any] = {}
    for name in ("email", "phone", "company"):
        if not getattr(survivor, name) and getattr(duplicate, name):
            values[name] = getattr(duplicate, name)
    theirs, mine = str(duplicate.status), str(survivor.status)
    if theirs != LeadStatus.lost.value and (
        mine == LeadStatus.lost.value or RANK.get(theirs, 0) > RANK.get(mine, 0)
    ):
        values["status"] = theirs
    return values


def merge_leads(
    session: Session, *, actor: Actor, survivor_id: uuid.UUID, duplicate_id: uuid.UUID
) -> Lead:
    """Merge ``duplicate_id`` into ``survivor_id`` (both live leads of the tenant; 404
    otherwise, 422 for a lead merged into itself)."""
    if survivor_id == duplicate_id:
        raise Unprocessable("a lead cannot be merged into itself", field="duplicate_id")
    pair = sorted((survivor_id, duplicate_id))  # one lock order: no deadlock
    # A capture of the same buyer holds its phone's and e-mail's lock while it looks for
    # an open lead; taken here first (as capture takes them, before any row), the two take
    # turns: a capture racing the merge no longer misses both leads and makes a third.
    seen = [leads.get_lead(session, actor=actor, lead_id=lead_id) for lead_id in pair]
    touches.serialise(
        session, actor.tenant_id, *(v for lead in seen for v in (lead.phone_e164, lead.email_norm))
    )
    for lead in seen:
        session.expire(lead)  # read again under the row lock below
    locked = {
        lead_id: leads.get_lead(session, actor=actor, lead_id=lead_id, for_update=True)
        for lead_id in pair
    }
    survivor, duplicate = locked[survivor_id], locked[duplicate_id]
    tenant_id = actor.tenant_id
    moved = {
        name: _move(session, model, tenant_id, duplicate_id, survivor_id) for name, model in MOVED
    }
    session.flush()
    moved["status_history"] = _move_history(session, tenant_id, duplicate_id, survivor_id)
    fill = _fill_ins(survivor, duplicate)
    crud.change(
        session, actor=actor, row=duplicate, values={"merged_into": survivor_id}, entity="lead"
    )
    crud.soft_delete(session, actor=actor, row=duplicate, entity="lead")
    if fill:
        leads.update_lead(session, actor=actor, lead_id=survivor_id, data=LeadUpdate(**fill))
    for log in hooks.RECORD_CHANGE.handlers(session):
        log(
            session,
            actor=actor,
            entity="lead",
            entity_id=survivor_id,
            action="merge",
            changes={"merged": str(duplicate_id), "lead_code": duplicate.lead_code, **moved},
        )
    return survivor
