"""Pick-lists for the money pages: customers and inventory rows with the units left."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.orm import Session

from salestrack.leads import selectors as leads
from salestrack.leads.models import Customer
from salestrack.money import selectors as money


@dataclass(frozen=True)
class StockChoice:
    """One inventory row as the booking form offers it."""

    id: str
    label: str
    units_available: int


def customer_choices(session: Session, *, tenant_id: uuid.UUID) -> list[tuple[str, str]]:
    rows = leads.customer_choices(session, tenant_id=tenant_id)
    return [(str(c.id), f"{c.name} ({c.customer_code})") for c in rows]


def customers_by_id(
    session: Session, *, tenant_id: uuid.UUID, ids: set[uuid.UUID]
) -> dict[uuid.UUID, Customer]:
    """The customers among ``ids`` (deleted ones too: a booking keeps its name)."""
    return leads.customers_by_id(session, tenant_id=tenant_id, ids=ids)


def stock_choices(session: Session, *, tenant_id: uuid.UUID) -> list[StockChoice]:
    return [
        StockChoice(
            str(v["id"]),
            f"{v['project']} · {v['unit_type']} — {v['units_available']} of "
            f"{v['total_units']} left",
            int(v["units_available"]),
        )
        for v in money.stock_views(session, tenant_id=tenant_id)
    ]
