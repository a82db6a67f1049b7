"""Reading bookings: filters, and the derived numbers every booking response carries."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from salestrack.core import crud
from salestrack.core.schema_base import Day
from salestrack.money import inventory
from salestrack.money.models import Booking, BookingStatus, Inventory


@dataclass(frozen=True)
class BookingFilters:
    status: BookingStatus | None = None
    customer_id: uuid.UUID | None = None
    lead_id: uuid.UUID | None = None
    inventory_id: uuid.UUID | None = None
    project: str | None = None
    booking_date_from: Day | None = None
    booking_date_to: Day | None = None


def filtered(*, tenant_id: uuid.UUID, filters: BookingFilters) -> Select[tuple[Booking]]:
    """The tenant's live bookings matching ``filters`` (dates inclusive)."""
    stmt = crud.scoped(Booking, tenant_id)
    for field in ("status", "customer_id", "lead_id", "inventory_id"):
        value = getattr(filters, field)
        if value is not None:
            stmt = stmt.where(getattr(Booking, field) == value)
    if filters.project is not None:
        in_project = select(Inventory.id).where(
            Inventory.tenant_id == tenant_id, Inventory.project == filters.project
        )
        stmt = stmt.where(Booking.inventory_id.in_(in_project))
    if filters.booking_date_from:
        stmt = stmt.where(Booking.booking_date >= filters.booking_date_from)
    if filters.booking_date_to:
        stmt = stmt.where(Booking.booking_date <= filters.booking_date_to)
    return stmt


def views(session: Session, *, tenant_id: uuid.UUID, rows: list[Booking]) -> list[dict[str, Any]]:
    """Bookings as the API shows them: with project, units held and units available
    (two queries for any number of bookings)."""
    ids = {r.inventory_id for r in rows}
    stock = (
        {
            row.id: row
            for row in session.scalars(
                select(Inventory).where(Inventory.tenant_id == tenant_id, Inventory.id.in_(ids))
            )
        }
        if ids
        else {}
    )
    held = inventory.held_units(session, tenant_id=tenant_id, inventory_ids=ids)
    result = []
    for row in rows:
        values = {c.key: getattr(row, c.key) for c in row.__mapper__.column_attrs}
        unit_stock = stock[row.inventory_id]
        values["project"] = unit_stock.project
        values["units_booked"] = 0 if row.status == BookingStatus.cancelled else row.unit_count
        values["units_available"] = unit_stock.total_units - held[row.inventory_id]
        result.append(values)
    return result


def view(session: Session, *, tenant_id: uuid.UUID, row: Booking) -> dict[str, Any]:
    return views(session, tenant_id=tenant_id, rows=[row])[0]
