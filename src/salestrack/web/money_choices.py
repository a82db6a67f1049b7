"""Pick-lists for the money pages: customers and inventory rows with the units left."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from salestrack.core import crud
from salestrack.leads.models import Customer
from salestrack.money import inventory
from salestrack.money.models import Inventory

MAX_CHOICES = 500


@dataclass(frozen=True)
class StockChoice:
    """One inventory row as the booking form offers it."""

    id: str
    label: str
    units_available: int


def customer_choices(session: Session, *, tenant_id: uuid.UUID) -> list[tuple[str, str]]:
    rows = session.scalars(
        crud.scoped(Customer, tenant_id).order_by(Customer.name).limit(MAX_CHOICES)
    )
    return [(str(c.id), f"{c.name} ({c.customer_code})") for c in rows]


def customers_by_id(
    session: Session, *, tenant_id: uuid.UUID, ids: set[uuid.UUID]
) -> dict[uuid.UUID, Customer]:
    """The customers among ``ids`` in one query (deleted ones too: a booking keeps its name)."""
    if not ids:
        return {}
    rows = session.scalars(
        select(Customer).where(Customer.tenant_id == tenant_id, Customer.id.in_(ids))
    )
    return {c.id: c for c in rows}


def stock_views(session: Session, *, tenant_id: uuid.UUID) -> list[dict[str, Any]]:
    """Every live inventory row with units booked and available, by project and unit type."""
    rows = list(
        session.scalars(
            crud.scoped(Inventory, tenant_id)
            .order_by(Inventory.project, Inventory.unit_type)
            .limit(MAX_CHOICES)
        )
    )
    return inventory.views(session, tenant_id=tenant_id, rows=rows)


def stock_choices(session: Session, *, tenant_id: uuid.UUID) -> list[StockChoice]:
    return [
        StockChoice(
            str(v["id"]),
            f"{v['project']} · {v['unit_type']} — {v['units_available']} of "
            f"{v['total_units']} left",
            int(v["units_available"]),
        )
        for v in stock_views(session, tenant_id=tenant_id)
    ]
