"""Calendar days in the tenant's time zone (journey dates are local days, storage is UTC)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from salestrack.auth.models import Tenant
from salestrack.core.db import utcnow
from salestrack.core.tenancy import noted_zone

_ZONE = select(Tenant.timezone).where(Tenant.tenant_id == bindparam("tenant_id"))


def tenant_zone(session: Session, tenant_id: uuid.UUID) -> ZoneInfo:
    """The tenant's zone; UTC if the name is unknown on this machine. An API request's
    transaction read it with its user check (``auth.verification``): no query then."""
    session.connection()  # the transaction begins (an API request's read the zone)
    known, name = noted_zone(session, tenant_id)
    if not known:
        name = session.scalar(_ZONE, {"tenant_id": tenant_id})
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


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
