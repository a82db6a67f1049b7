"""Lead capture: one enquiry from a website, a portal, an ad form or the hosted form.

Every way in runs ``capture``: the attribution is mapped by the tenant's rules, and the
buyer is looked up by phone and e-mail. A new buyer becomes a lead (first touch = last
touch, assigned by the tenant's rules, first milestone and summaries as for any lead); a
buyer with an open lead gets a re-enquiry on it instead, per the tenant's policy.
"""

from __future__ import annotations

import uuid
from typing import Literal

from sqlalchemy.orm import Session

from salestrack.auth.context import Actor
from salestrack.intake import attribution, touches
from salestrack.intake.context import arriving_project
from salestrack.intake.schemas import CaptureIn
from salestrack.leads import service as leads
from salestrack.leads.models import Lead
from salestrack.leads.schemas import LeadCreate

Outcome = Literal["created", "re_enquiry"]


def _subject(data: CaptureIn, channel: str) -> str:
    via = data.utm_source or channel
    about = f" about {data.project}" if data.project else ""
    return f"Enquired again via {via}{about}"


def capture(
    session: Session,
    *,
    actor: Actor,
    data: CaptureIn,
    channel: str,
    key_id: uuid.UUID | None = None,
) -> tuple[Lead, Outcome]:
    """Take one enquiry in: the lead it created or re-enquired on, and which of the two."""
    mapped = attribution.attribute(session, tenant_id=actor.tenant_id, touch=data)
    extra = touches.touch_values(data, project=data.project, unit=data.unit, message=data.message)
    existing = touches.duplicate_of(session, actor=actor, phone=data.phone, email=data.email)
    if existing is not None:
        touches.reenquire(
            session,
            actor=actor,
            lead=existing,
            mapped=mapped,
            subject=_subject(data, channel),
            message=data.message,
            by_phone=bool(data.phone),
        )
        touches.record_touch(
            session,
            actor=actor,
            lead=existing,
            first=False,
            channel=channel,
            key_id=key_id,
            mapped=mapped,
            extra=extra,
        )
        return existing, "re_enquiry"
    source_id, campaign_id = mapped
    new = LeadCreate(
        name=data.name,
        phone=data.phone,
        email=data.email,
        source_id=source_id,
        campaign_id=campaign_id,
        notes=data.message,
    )
    with arriving_project(session, data.project):
        lead = leads.create_lead(session, actor=actor, data=new)
    touches.record_touch(
        session,
        actor=actor,
        lead=lead,
        first=True,
        channel=channel,
        key_id=key_id,
        mapped=mapped,
        extra=extra,
    )
    return lead, "created"
