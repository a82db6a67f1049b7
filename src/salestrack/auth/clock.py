"""Calendar days in the tenant's time zone (journey dates are local days, storage is UTC)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from salestrack.auth.models import Tenant
from salestrack.core.db import utcnow
from salestrack.core.tenancy import note_zone, noted_zone

_ZONE = select(Tenant.timezone).where(Tenant.tenant_id == bindparam("tenant_id"))


def tenant_zone(session: Session, tenant_id: uuid.UUID) -> ZoneInfo:
    """The tenant's zone; UTC if the name is unknown on this machine. An API request's
    transaction read it with its user check (``auth.verification``); otherwise the first
    call of a transaction reads it and notes it, so an import of many rows asks once."""
    session.connection()  # the transaction begins (an API request's read the zone)
    known, name = noted_zone(session, tenant_id)
    if not known:
        name = session.scalar(_ZONE, {"tenant_id": tenant_id})
        note_zone(session, tenant_id, name)
    return ZoneInfo(name) if name and known_zone(name) else ZoneInfo("UTC")


def known_zone(name: str) -> bool:
    """Whether ``name`` is an IANA zone a tenant may have: one of the time zone database's,
    not ``localtime`` (the server's own zone, the very thing a tenant's day must not
    depend on) nor ``Factory`` (no zone); ``posix/...`` and ``right/...`` copies are not
    zones of their own. A directory name (``Asia``) or a path is simply not one."""
    return name in _zone_names()


@cache
def _zone_names() -> frozenset[str]:
    return frozenset(available_timezones() - {"localtime", "Factory"})


def local(moment: datetime, zone: ZoneInfo) -> datetime:
    """``moment`` in ``zone``; in UTC for a moment at the edge of the calendar that the zone
    cannot show (saved before input moments were bounded to 1900-2999)."""
    try:
        return moment.astimezone(zone)
    except (OverflowError, ValueError):
        return moment.astimezone(UTC)


def local_day(moment: datetime, zone: ZoneInfo) -> date:
    return local(moment, zone).date()


def today(zone: ZoneInfo) -> date:
    return local_day(utcnow(), zone)


def tenant_today(session: Session, tenant_id: uuid.UUID) -> date:
    """Today in the tenant's time zone: what a date left out of a write means (a lead's,
    a booking's, a ledger entry's, a document's), whichever entry point made it."""
    return today(tenant_zone(session, tenant_id))


def given_or_today(session: Session, tenant_id: uuid.UUID, given: date | None) -> date:
    """A write's date as sent, or the tenant's today when it was left out."""
    return given if given is not None else tenant_today(session, tenant_id)
