"""HTTP routes for unit inventory and bookings (thin: the services decide)."""

import uuid
from typing import Annotated, Any

from fastapi import Depends, Query

from salestrack.auth.context import Actor
from salestrack.auth.deps import require
from salestrack.auth.roles import Permission
from salestrack.core.pagination import CursorParam, LimitParam, Page, paginate
from salestrack.core.schema_base import Day, SearchText
from salestrack.http.deps import SessionDep
from salestrack.http.routing import api_router
from salestrack.money import booking_queries, bookings, inventory, selectors
from salestrack.money.models import BookingStatus, Inventory
from salestrack.money.schemas import (
    BookingCancel,
    BookingCreate,
    BookingPublic,
    BookingUpdate,
    InventoryCreate,
    InventoryPublic,
    InventoryUpdate,
    LedgerEntryPublic,
    RefundPayout,
)

inventory_router = api_router(prefix="/api/v1/sales/inventory", tags=["inventory"])
bookings_router = api_router(prefix="/api/v1/sales/bookings", tags=["bookings"])

Reader = Annotated[Actor, Depends(require(Permission.money_read))]
Writer = Annotated[Actor, Depends(require(Permission.money_write))]
Text = Annotated[SearchText | None, Query(min_length=1)]


# --- inventory ---------------------------------------------------------------------


@inventory_router.post("", response_model=InventoryPublic, status_code=201)
def create_inventory(session: SessionDep, actor: Writer, body: InventoryCreate) -> Any:
    """Add a project's unit type with its total number of units."""
    row = inventory.create_inventory(session, actor=actor, data=body)
    return inventory.view(row, 0)


@inventory_router.get("", response_model=Page[InventoryPublic])
def list_inventory(
    session: SessionDep,
    actor: Reader,
    project: Text = None,
    unit_type: Text = None,
    limit: LimitParam = 50,
    cursor: CursorParam = None,
) -> Any:
    """Inventory rows newest first, each with units booked and available now."""
    stmt = inventory.filtered(tenant_id=actor.tenant_id, project=project, unit_type=unit_type)
    rows, next_cursor = paginate(session, stmt, Inventory, limit=limit, cursor=cursor)
    items = inventory.views(session, tenant_id=actor.tenant_id, rows=rows)
    return {"items": items, "next_cursor": next_cursor}


@inventory_router.get("/{inventory_id}", response_model=InventoryPublic)
def get_inventory(session: SessionDep, actor: Reader, inventory_id: uuid.UUID) -> Any:
    """One inventory row with its current availability."""
    row = inventory.get_inventory(session, actor=actor, inventory_id=inventory_id)
    return inventory.views(session, tenant_id=actor.tenant_id, rows=[row])[0]


@inventory_router.patch("/{inventory_id}", response_model=InventoryPublic)
def update_inventory(
    session: SessionDep, actor: Writer, inventory_id: uuid.UUID, body: InventoryUpdate
) -> Any:
    """Change a row; total_units cannot drop below the units bookings hold (409)."""
    row = inventory.update_inventory(session, actor=actor, inventory_id=inventory_id, data=body)
    return inventory.views(session, tenant_id=actor.tenant_id, rows=[row])[0]


# --- bookings ----------------------------------------------------------------------


@bookings_router.post("", response_model=BookingPublic, status_code=201)
def create_booking(session: SessionDep, actor: Writer, body: BookingCreate) -> Any:
    """Book units (409 with the units left when too few); confirmed bookings are invoiced.
    Without inventory_id the tenant's one row of the unit_type is used (said back in
    defaults_applied); units_booked and units_available, if sent, are checks (409)."""
    applied: list[str] = []
    row = bookings.create_booking(session, actor=actor, data=body, applied=applied)
    return {
        **booking_queries.view(session, tenant_id=actor.tenant_id, row=row),
        "defaults_applied": applied,
    }


@bookings_router.get("", response_model=Page[BookingPublic])
def list_bookings(
    session: SessionDep,
    actor: Reader,
    status: BookingStatus | None = None,
    customer_id: uuid.UUID | None = None,
    lead_id: uuid.UUID | None = None,
    inventory_id: uuid.UUID | None = None,
    project: Text = None,
    booking_date_from: Day | None = None,
    booking_date_to: Day | None = None,
    limit: LimitParam = 50,
    cursor: CursorParam = None,
) -> Any:
    """Bookings newest first, filtered by status, customer, lead, project and date range."""
    filters = booking_queries.BookingFilters(
        status=status,
        customer_id=customer_id,
        lead_id=lead_id,
        inventory_id=inventory_id,
        project=project,
        booking_date_from=booking_date_from,
        booking_date_to=booking_date_to,
    )
    rows, next_cursor = selectors.booking_page(
        session, tenant_id=actor.tenant_id, filters=filters, limit=limit, cursor=cursor
    )
    items = booking_queries.views(session, tenant_id=actor.tenant_id, rows=rows)
    return {"items": items, "next_cursor": next_cursor}


@bookings_router.get("/{booking_id}", response_model=BookingPublic)
def get_booking(session: SessionDep, actor: Reader, booking_id: uuid.UUID) -> Any:
    """One booking with its inventory's current availability."""
    row = bookings.get_booking(session, actor=actor, booking_id=booking_id)
    return booking_queries.view(session, tenant_id=actor.tenant_id, row=row)


@bookings_router.patch("/{booking_id}", response_model=BookingPublic)
def update_booking(
    session: SessionDep, actor: Writer, booking_id: uuid.UUID, body: BookingUpdate
) -> Any:
    """Change dates, notes, amount (until invoiced) or status (409 off the state machine).
    status cancelled with cancellation_reason (refund, date) is the cancellation of
    POST …/cancel."""
    row = bookings.update_booking(session, actor=actor, booking_id=booking_id, data=body)
    return booking_queries.view(session, tenant_id=actor.tenant_id, row=row)


@bookings_router.post("/{booking_id}/cancel", response_model=BookingPublic)
def cancel_booking(
    session: SessionDep, actor: Writer, booking_id: uuid.UUID, body: BookingCancel
) -> Any:
    """Cancel with a reason and a refund (at most what was paid); posts the credit note."""
    row = bookings.cancel_booking(session, actor=actor, booking_id=booking_id, data=body)
    return booking_queries.view(session, tenant_id=actor.tenant_id, row=row)


@bookings_router.post("/{booking_id}/refund", response_model=LedgerEntryPublic, status_code=201)
def pay_refund(
    session: SessionDep, actor: Writer, booking_id: uuid.UUID, body: RefundPayout
) -> Any:
    """Pay out a cancelled booking's refund: a debit adjustment referencing the booking."""
    return bookings.pay_refund(session, actor=actor, booking_id=booking_id, data=body)
