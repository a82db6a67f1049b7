"""Who a lead is, for duplicate detection: the phone in E.164 and the e-mail normalised.

Phones are parsed with ``phonenumbers`` (Google's libphonenumber data), taking a number
without a country code as one of the tenant's own country (the territory of its locale:
``en_IN`` → India), so ``098100 00001``, ``+91 98100-00001`` and ``9810000001`` are one
number. E-mails are compared trimmed and lower-cased (the local part is case-sensitive in
theory, never in practice).
"""

from __future__ import annotations

import uuid
from typing import Any

import phonenumbers
from sqlalchemy import select, union_all
from sqlalchemy.orm import Session

from salestrack.auth.models import Tenant
from salestrack.core import batching
from salestrack.leads.models import Lead, LeadStatus

REGION_KEY = "salestrack.leads.region"
OPEN_STATUSES = tuple(
    s.value for s in LeadStatus if s not in (LeadStatus.converted, LeadStatus.lost)
)


def region_of(locale: str) -> str | None:
    """The country part of a locale (``en_IN`` → ``IN``), None without one."""
    for part in locale.replace("-", "_").split("_")[1:]:
        if len(part) == 2 and part.isalpha():
            return part.upper()
    return None


def tenant_region(session: Session, tenant_id: uuid.UUID) -> str | None:
    """The tenant's default phone region, read once per session."""
    cache: dict[uuid.UUID, str | None] = session.info.setdefault(REGION_KEY, {})
    if tenant_id not in cache:
        tenant = session.get(Tenant, tenant_id)
        cache[tenant_id] = region_of(tenant.locale) if tenant else None
    return cache[tenant_id]


def normal_phone(raw: str | None, region: str | None) -> str | None:
    """The number in E.164, or None when it is not a possible phone number."""
    if not raw or not raw.strip():
        return None
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normal_email(raw: str | None) -> str | None:
    value = (raw or "").strip().lower()
    return value or None


def stamp(session: Session, lead: Lead) -> None:
    """Keep the lead's normalised phone and e-mail in step with what it holds."""
    phone = normal_phone(lead.phone, tenant_region(session, lead.tenant_id))
    email = normal_email(lead.email)
    if lead.phone_e164 != phone:
        lead.phone_e164 = phone
    if lead.email_norm != email:
        lead.email_norm = email


def on_created(session: Session, _actor: Any, lead: Lead) -> None:
    stamp(session, lead)
    forget_absent(session, lead)
    if batching.current(session) is None:
        session.flush()


def on_updated(session: Session, _actor: Any, lead: Lead, before: dict[str, Any]) -> None:
    if "phone" in before or "email" in before or "status" in before:
        forget_absent(session, lead)  # its identities, now perhaps an open lead's
    if "phone" in before or "email" in before:
        stamp(session, lead)
        forget_absent(session, lead)  # and its new ones
        session.flush()


def open_match(
    session: Session,
    *,
    tenant_id: uuid.UUID,
    phone: str | None,
    email: str | None,
    for_update: bool = False,
) -> Lead | None:
    """The oldest open lead (live, neither converted nor lost) with this phone or e-mail.

    The phone and the e-mail are looked up each on its own index (one statement, ``UNION
    ALL``): an ``OR`` ordered by creation made SQLite walk every lead of the tenant in
    creation order. The lead found is then read (and locked, ``for_update``) by its id, and
    still open, or the next oldest is looked for."""
    while True:
        found = _oldest_open(session, tenant_id, phone, email)
        if found is None:
            return None
        stmt = select(Lead).where(Lead.tenant_id == tenant_id, Lead.id == found, *_open())
        if for_update:
            stmt = stmt.with_for_update()
        lead = session.scalars(stmt).first()
        if lead is not None:
            return lead


def _open() -> list[Any]:
    return [Lead.deleted_at.is_(None), Lead.status.in_(OPEN_STATUSES)]


def _by_identity(tenant_id: uuid.UUID, phones: list[str], emails: list[str]) -> Any:
    """Open leads with one of these phones or e-mails, each looked up on its index."""
    parts = [
        select(Lead.id, Lead.created_at, Lead.phone_e164, Lead.email_norm).where(
            Lead.tenant_id == tenant_id, column.in_(values), *_open()
        )
        for column, values in ((Lead.phone_e164, phones), (Lead.email_norm, emails))
        if values
    ]
    return union_all(*parts) if len(parts) > 1 else parts[0]


def _oldest_open(
    session: Session, tenant_id: uuid.UUID, phone: str | None, email: str | None
) -> uuid.UUID | None:
    if not phone and not email:
        return None
    found = _by_identity(tenant_id, [phone] if phone else [], [email] if email else [])
    rows = found.subquery()
    stmt = select(rows.c.id).order_by(rows.c.created_at, rows.c.id).limit(1)
    oldest: uuid.UUID | None = session.scalar(stmt)
    return oldest


ABSENT = "absent"  # a batch's cache key: identities known to have no open lead


def note_absent(session: Session, identities: set[str]) -> None:
    """In a batch: these normalised phones / e-mails have no open lead (read once for the
    batch, under the locks that keep other writers from creating one)."""
    found = batching.current(session)
    if found is not None:
        found.cache.setdefault(ABSENT, set()).update(identities)


def known_absent(session: Session, *identities: str | None) -> bool:
    """True when the batch already knows no open lead has any of ``identities``."""
    found = batching.current(session)
    absent: set[str] = found.cache.get(ABSENT, set()) if found is not None else set()
    keys = [k for k in identities if k]
    return bool(keys) and all(k in absent for k in keys)


def forget_absent(session: Session, lead: Lead) -> None:
    """A lead of the batch now has (or may have) these identities: look them up again."""
    found = batching.current(session)
    if found is not None and ABSENT in found.cache:
        found.cache[ABSENT].difference_update({lead.phone_e164, lead.email_norm})


def open_identities(
    session: Session, *, tenant_id: uuid.UUID, phones: set[str], emails: set[str]
) -> set[str]:
    """Which of ``phones`` (E.164) and ``emails`` (normalised) an open lead has (one query)."""
    if not phones and not emails:
        return set()
    stmt = _by_identity(tenant_id, sorted(phones), sorted(emails))
    found: set[str] = set()
    for _id, _created, phone, email in session.execute(stmt):
        if phone in phones:
            found.add(phone)
        if email in emails:
            found.add(email)
    return found
