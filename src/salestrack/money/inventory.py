"""Unit inventory: how many units a project has of a type, and how many are still free.

Availability is never stored: it is ``total_units`` minus the units held by bookings that
are not cancelled. Taking units locks the inventory row first (``FOR UPDATE``; SQLite
serialises writers), so two bookings can never both take the last unit.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from salestrack.auth.context import Actor
from salestrack.core import crud
from salestrack.core.errors import Conflict, Unprocessable
from salestrack.money.models import Booking, BookingStatus, Inventory
from salestrack.money.schemas import InventoryCreate, InventoryUpdate

ENTITY = "inventory"
# As the issue defines it: units are held by pending, confirmed and on-hold bookings. A
# completed booking (the unit handed over) and a cancelled one hold nothing.
HOLDING = (
    BookingStatus.pending,
    BookingStatus.confirmed,
    BookingStatus.on_hold,
)


def held_units(
    session: Session, *, tenant_id: uuid.UUID, inventory_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, int]:
    """Units held per inventory row, in one query."""
    ids = list(set(inventory_ids))
    if not ids:
        return {}
    stmt = (
        select(Booking.inventory_id, func.sum(Booking.unit_count))
        .where(
            Booking.tenant_id == tenant_id,
            Booking.inventory_id.in_(ids),
            Booking.deleted_at.is_(None),
            Booking.status.in_(HOLDING),
        )
        .group_by(Booking.inventory_id)
    )
    held = {row_id: int(total) for row_id, total in session.execute(stmt)}
    return {row_id: held.get(row_id, 0) for row_id in ids}


def view(row: Inventory, held: int) -> dict[str, Any]:
    """The inventory as the API shows it, with its derived numbers."""
    values = {c.key: getattr(row, c.key) for c in row.__mapper__.column_attrs}
    return {**values, "units_booked": held, "units_available": row.total_units - held}


def views(session: Session, *, tenant_id: uuid.UUID, rows: list[Inventory]) -> list[dict[str, Any]]:
    held = held_units(session, tenant_id=tenant_id, inventory_ids=(r.id for r in rows))
    return [view(r, held[r.id]) for r in rows]


def get_inventory(
    session: Session, *, actor: Actor, inventory_id: uuid.UUID, for_update: bool = False
) -> Inventory:
    row: Inventory = crud.get_live(
        session,
        Inventory,
        tenant_id=actor.tenant_id,
        row_id=inventory_id,
        label="inventory",
        for_update=for_update,
    )
    return row


def _check_unique(
    session: Session, actor: Actor, project: str, unit_type: str, row_id: uuid.UUID | None
) -> None:
    stmt = select(Inventory.id).where(
        Inventory.tenant_id == actor.tenant_id,
        Inventory.project == project,
        Inventory.unit_type == unit_type,
    )
    if row_id is not None:
        stmt = stmt.where(Inventory.id != row_id)
    if session.execute(stmt).first() is not None:
        raise Conflict(f"{project} already has an inventory row for {unit_type}", field="unit_type")


def create_inventory(session: Session, *, actor: Actor, data: InventoryCreate) -> Inventory:
    """One row per project and unit type (409 for a second one)."""
    _check_unique(session, actor, data.project, data.unit_type, None)
    row = Inventory(**data.model_dump())
    added: Inventory = crud.add(session, actor=actor, row=row, entity=ENTITY)
    return added


def update_inventory(
    session: Session, *, actor: Actor, inventory_id: uuid.UUID, data: InventoryUpdate
) -> Inventory:
    """Change a row; ``total_units`` may not drop below the units bookings hold (409)."""
    row = get_inventory(session, actor=actor, inventory_id=inventory_id, for_update=True)
    values = data.changes()
    project = values.get("project", row.project)
    unit_type = values.get("unit_type", row.unit_type)
    if (project, unit_type) != (row.project, row.unit_type):
        _check_unique(session, actor, project, unit_type, row.id)
    if "total_units" in values:
        held = held_units(session, tenant_id=actor.tenant_id, inventory_ids=[row.id])[row.id]
        if values["total_units"] < held:
            raise Conflict(
                f"bookings hold {held} units; total_units cannot go below that",
                field="total_units",
                units_booked=held,
            )
    if "unit_type" in values and values["unit_type"] != row.unit_type:
        held = held_units(session, tenant_id=actor.tenant_id, inventory_ids=[row.id])[row.id]
        if held:
            raise Conflict(
                "unit_type cannot change while bookings hold units of it", field="unit_type"
            )
    crud.change(session, actor=actor, row=row, values=values, entity=ENTITY)
    return row


def filtered(
    *, tenant_id: uuid.UUID, project: str | None, unit_type: str | None
) -> Select[tuple[Inventory]]:
    stmt = crud.scoped(Inventory, tenant_id)
    if project is not None:
        stmt = stmt.where(Inventory.project == project)
    if unit_type is not None:
        stmt = stmt.where(Inventory.unit_type == unit_type)
    return stmt


def take_units(
    session: Session, *, actor: Actor, inventory_id: uuid.UUID, units: int
) -> tuple[Inventory, int]:
    """Lock the row and make sure ``units`` are free (409 with the units left if not);
    the row and the units available before this take."""
    row = get_inventory(session, actor=actor, inventory_id=inventory_id, for_update=True)
    held = held_units(session, tenant_id=actor.tenant_id, inventory_ids=[row.id])[row.id]
    available = row.total_units - held
    if units > available:
        raise Conflict(
            f"only {available} {row.unit_type} units left in {row.project}; {units} requested",
            field="unit_count",
            units_available=available,
        )
    return row, available


def rows_of_type(session: Session, *, tenant_id: uuid.UUID, unit_type: str) -> list[Inventory]:
    """The tenant's live inventory rows of ``unit_type``, by project."""
    stmt = filtered(tenant_id=tenant_id, project=None, unit_type=unit_type)
    return list(session.scalars(stmt.order_by(Inventory.project, Inventory.id)))


def pick_for(
    session: Session, *, tenant_id: uuid.UUID, unit_type: str | None
) -> tuple[Inventory, str]:
    """The one inventory row a booking without ``inventory_id`` means, and the sentence
    saying so; 422 listing the rows to choose from when none or several fit."""
    if unit_type is None:
        raise Unprocessable("give inventory_id, or a unit_type to pick it by", field="inventory_id")
    rows = rows_of_type(session, tenant_id=tenant_id, unit_type=unit_type)
    if len(rows) == 1:
        row = rows[0]
        note = f"inventory_id: {row.id} ({row.project}, the only {unit_type} inventory)"
        return row, note
    everything = crud.scoped(Inventory, tenant_id).order_by(Inventory.project, Inventory.unit_type)
    choices = rows or list(session.scalars(everything.limit(50)))
    held = held_units(session, tenant_id=tenant_id, inventory_ids=(r.id for r in choices))
    listed = [
        {
            "inventory_id": str(r.id),
            "project": r.project,
            "unit_type": r.unit_type,
            "units_available": r.total_units - held[r.id],
        }
        for r in choices
    ]
    why = f"{len(rows)} inventory rows are {unit_type}" if rows else f"no inventory is {unit_type}"

    raise Unprocessable(
        f"{why}: give inventory_id (one of the choices)", field="inventory_id", choices=listed
    )
