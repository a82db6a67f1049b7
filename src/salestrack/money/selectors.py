"""Reading bookings and inventory for lists and pick-lists: the queries the API's booking
list and the web's money pages share.

Every function is read-only and takes the session and the tenant keyword-only; the
filters themselves are ``booking_queries.BookingFilters``.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Any

from sqlalchemy import func
from sqlalchemy.orm import Session

from salestrack.core import crud
from salestrack.core.pagination import paginate
from salestrack.money import booking_queries, inventory
from salestrack.money.booking_queries import BookingFilters
from salestrack.money.models import Booking, BookingStatus, Inventory

MAX_CHOICES = 500


def booking_page(
    session: Session,
    *,
    tenant_id: uuid.UUID,
    filters: BookingFilters,
    limit: int,
    cursor: str | None,
) -> tuple[list[Booking], str | None]:
    """One page of the bookings matching ``filters``, newest first, and the next cursor."""
    stmt = booking_queries.filtered(tenant_id=tenant_id, filters=filters)
    return paginate(session, stmt, Booking, limit=limit, cursor=cursor)


def booking_status_counts(
    session: Session, *, tenant_id: uuid.UUID, filters: BookingFilters
) -> dict[str, int]:
    """Bookings per status under every filter but the status (zero for a status with none)."""
    stmt = booking_queries.filtered(tenant_id=tenant_id, filters=replace(filters, status=None))
    rows = session.execute(
        stmt.with_only_columns(Booking.status, func.count()).group_by(Booking.status)
    ).all()
    found = {str(status): int(count) for status, count in rows}
    return {status.value: found.get(status.value, 0) for status in BookingStatus}


def customer_bookings(
    session: Session, *, tenant_id: uuid.UUID, customer_id: uuid.UUID
) -> list[Booking]:
    """The customer's live bookings, latest booking date first."""
    stmt = (
        crud.scoped(Booking, tenant_id)
        .where(Booking.customer_id == customer_id)
        .order_by(Booking.booking_date.desc())
    )
    return list(session.scalars(stmt))


def stock_views(session: Session, *, tenant_id: uuid.UUID) -> list[dict[str, Any]]:
    """Every live inventory row with units booked and available, by project and unit type."""
    stmt = (
        crud.scoped(Inventory, tenant_id)
        .order_by(Inventory.project, Inventory.unit_type)
        .limit(MAX_CHOICES)
    )
    return inventory.views(session, tenant_id=tenant_id, rows=list(session.scalars(stmt)))
