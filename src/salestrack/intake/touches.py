"""Touches: every enquiry of a lead, its first touch and its re-enquiries."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from salestrack.auth.context import Actor
from salestrack.auth.models import Tenant
from salestrack.core import crud, hooks
from salestrack.core.db import utcnow
from salestrack.core.errors import Conflict
from salestrack.intake.models import LeadTouch
from salestrack.intake.schemas import Attribution, DuplicatePolicy
from salestrack.journey import service as journey
from salestrack.journey.models import EngagementChannel, EngagementType
from salestrack.journey.schemas import EngagementCreate
from salestrack.leads import identity
from salestrack.leads import service as leads
from salestrack.leads.models import Lead

TOUCH_FIELDS = (
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "utm_term",
    "utm_content",
    "gclid",
    "fbclid",
    "landing_page",
    "referrer",
)


def policy(session: Session, tenant_id: uuid.UUID) -> DuplicatePolicy:
    """The tenant's policy, unless the caller chose one for this arrival (an import)."""
    chosen = session.info.get(leads.POLICY_KEY)
    if chosen is not None:
        return DuplicatePolicy(chosen)
    tenant = session.get(Tenant, tenant_id)
    return DuplicatePolicy(tenant.duplicate_policy if tenant else "merge")


def set_policy(session: Session, *, actor: Actor, value: DuplicatePolicy) -> None:
    """Change the tenant's duplicate policy (audited as a change of the tenant)."""
    tenant = session.get(Tenant, actor.tenant_id, with_for_update=True)
    assert tenant is not None
    if tenant.duplicate_policy != value.value:
        before = tenant.duplicate_policy
        tenant.duplicate_policy = value.value
        session.flush()
        for log in hooks.RECORD_CHANGE.handlers(session):  # the tenant is no RecordKind
            log(
                session,
                actor=actor,
                entity="tenant",
                entity_id=tenant.tenant_id,
                action="update",
                changes={"duplicate_policy": {"from": before, "to": value.value}},
            )


def serialise(session: Session, tenant_id: uuid.UUID, *identities: str | None) -> None:
    """Make two enquiries of one buyer take turns (PostgreSQL: a transaction lock per phone
    and e-mail, normalised; SQLite runs one writer at a time anyway), so both cannot create
    a lead. A merge takes the same locks for both leads' phones and e-mails."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for value in sorted({v for v in identities if v}):
        session.execute(
            text("SELECT pg_advisory_xact_lock(hashtextextended(:k, 0))"),
            {"k": f"{tenant_id}:{value}"},
        )


SERIALISE_MANY = text(
    "SELECT count(pg_advisory_xact_lock(hashtextextended(u.k, 0))) "
    "FROM unnest(CAST(:keys AS text[])) WITH ORDINALITY AS u(k, n)"
)


def expect(
    session: Session, *, actor: Actor, identities: list[tuple[str | None, str | None]]
) -> None:
    """A batch's arrivals (``(phone, email)`` each), before they come one by one: take every
    buyer's lock (as ``serialise`` would, in one statement) and find which of them have
    an open lead (one query). ``duplicate_of`` then answers the others without a query."""
    region = identity.tenant_region(session, actor.tenant_id)
    phones = {p for p in (identity.normal_phone(p, region) for p, _ in identities) if p}
    emails = {m for m in (identity.normal_email(m) for _, m in identities) if m}
    if not phones and not emails:
        return
    if session.get_bind().dialect.name == "postgresql":
        keys = [f"{actor.tenant_id}:{value}" for value in sorted(phones | emails)]
        session.execute(SERIALISE_MANY, {"keys": keys})
    taken = identity.open_identities(
        session, tenant_id=actor.tenant_id, phones=phones, emails=emails
    )
    identity.note_absent(session, (phones | emails) - taken)


def duplicate_of(
    session: Session, *, actor: Actor, phone: str | None, email: str | None
) -> Lead | None:
    """The open lead this buyer already is, under the tenant's policy: None to create a
    lead (no match, or policy ``create``); 409 under ``reject``."""
    region = identity.tenant_region(session, actor.tenant_id)
    e164, mail = identity.normal_phone(phone, region), identity.normal_email(email)
    if e164 is None and mail is None:
        return None
    if identity.known_absent(session, e164, mail):
        return None  # the batch holds their locks and found no open lead (``expect``)
    serialise(session, actor.tenant_id, e164, mail)
    found = identity.open_match(
        session, tenant_id=actor.tenant_id, phone=e164, email=mail, for_update=True
    )
    if found is None:
        return None
    chosen = policy(session, actor.tenant_id)
    if chosen is DuplicatePolicy.create:
        return None
    if chosen is DuplicatePolicy.reject:
        raise Conflict(
            f"lead {found.lead_code} already has this phone or e-mail",
            field="phone" if e164 and found.phone_e164 == e164 else "email",
            lead_id=str(found.id),
        )
    return found


def record_touch(
    session: Session,
    *,
    actor: Actor,
    lead: Lead,
    first: bool,
    channel: str,
    key_id: uuid.UUID | None,
    mapped: tuple[uuid.UUID | None, uuid.UUID | None],
    extra: dict[str, Any],
) -> LeadTouch:
    source_id, campaign_id = mapped
    row = LeadTouch(
        lead_id=lead.id,
        first=first,
        channel=channel,
        key_id=key_id,
        source_id=source_id,
        campaign_id=campaign_id,
        **extra,
    )
    crud.add(session, actor=actor, row=row, entity="lead_touch")
    return row


def touch_values(touch: Attribution, **more: str) -> dict[str, Any]:
    values: dict[str, Any] = {name: getattr(touch, name) for name in TOUCH_FIELDS}
    values.update(more)
    return values


def reenquire(
    session: Session,
    *,
    actor: Actor,
    lead: Lead,
    mapped: tuple[uuid.UUID | None, uuid.UUID | None],
    subject: str,
    message: str,
    by_phone: bool,
) -> None:
    """Record a re-enquiry on ``lead``: an inbound engagement, and the new touch as its
    last touch. A touch that maps to no source and no campaign (a direct visit) leaves the
    last touch as it was: the last attributable touch is the one worth reporting."""
    source_id, campaign_id = mapped
    if source_id is not None or campaign_id is not None:
        before = {
            "last_source_id": lead.last_source_id if lead.retouched_at else lead.source_id,
            "last_campaign_id": lead.last_campaign_id if lead.retouched_at else lead.campaign_id,
        }
        crud.change(
            session,
            actor=actor,
            row=lead,
            values={
                "last_source_id": source_id if source_id is not None else before["last_source_id"],
                "last_campaign_id": campaign_id
                if campaign_id is not None
                else before["last_campaign_id"],
                "retouched_at": utcnow(),
            },
            entity="lead",
        )
    channel = EngagementChannel.phone if by_phone else EngagementChannel.email
    journey.record_engagement(
        session,
        actor=actor,
        data=EngagementCreate(
            lead_id=lead.id,
            engagement_type=EngagementType.enquiry_received,
            engagement_channel=channel,
            subject=subject[:200],
            notes=message,
        ),
    )


def touches_of(session: Session, *, tenant_id: uuid.UUID, lead_id: uuid.UUID) -> list[LeadTouch]:
    """A lead's touches, first first."""
    return list(
        session.scalars(
            select(LeadTouch)
            .where(LeadTouch.tenant_id == tenant_id, LeadTouch.lead_id == lead_id)
            .order_by(LeadTouch.touched_at, LeadTouch.id)
        )
    )
