"""A lead created by the API or an import goes through the same duplicate rule as a
capture (``leads.service.ARRIVING``, installed by the wiring)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from salestrack.auth.context import Actor
from salestrack.intake import touches
from salestrack.leads import service as leads
from salestrack.leads.models import Lead
from salestrack.leads.schemas import LeadCreate


def on_arriving(session: Session, actor: Actor, data: LeadCreate) -> Lead | None:
    """The open lead this one duplicates, with the re-enquiry recorded on it (None:
    create the lead)."""
    existing = touches.duplicate_of(session, actor=actor, phone=data.phone, email=data.email)
    if existing is None:
        return None
    mapped = (data.source_id, data.campaign_id)
    touches.reenquire(
        session,
        actor=actor,
        lead=existing,
        mapped=mapped,
        subject=f"Enquired again as {data.name}",
        message=data.notes,
        by_phone=bool(data.phone),
    )
    touches.record_touch(
        session,
        actor=actor,
        lead=existing,
        first=False,
        channel=str(session.info.get(leads.CHANNEL_KEY, "api")),
        key_id=None,
        mapped=mapped,
        extra={"message": data.notes},
    )
    return existing


def on_arriving_many(session: Session, actor: Actor, data: list[LeadCreate]) -> None:
    """A batch is about to arrive: read its buyers' open leads at once."""
    touches.expect(session, actor=actor, identities=[(d.phone, d.email) for d in data])
