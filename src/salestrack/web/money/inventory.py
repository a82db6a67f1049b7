"""Inventory: every project's unit types with units booked and left, and their forms.

The list and the "add" form share ``/inventory`` (a first-day tenant sees the form at
once); editing is ``/inventory/{id}/edit``. Writes go through ``money.inventory``, so a
second row for the same project and unit type, or fewer units than bookings hold, is
refused beside the field as the API refuses it (409).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from salestrack.auth.roles import Permission
from salestrack.http.deps import SessionDep
from salestrack.money import inventory, selectors
from salestrack.money.schemas import InventoryCreate, InventoryUpdate
from salestrack.web.kit.choices import page_id
from salestrack.web.kit.deps import FormDep, WebUser, user_with
from salestrack.web.kit.forms import Blank, FormResult, submit_form
from salestrack.web.kit.render import redirect, render

router = APIRouter(prefix="/inventory", include_in_schema=False)
Reader = Annotated[WebUser, user_with(Permission.money_read)]
Writer = Annotated[WebUser, user_with(Permission.money_write)]
CREATE_BLANKS: dict[str, Any] = {
    "project": Blank.REQUIRED,
    "unit_type": Blank.REQUIRED,
    "total_units": Blank.REQUIRED,
    "notes": Blank.OMIT,
}
UPDATE_BLANKS: dict[str, Any] = {**CREATE_BLANKS, "notes": ""}


def _list_page(
    request: Request, session: Session, user: WebUser, form: FormResult[Any] | None = None
) -> Response:
    context = {
        "rows": selectors.stock_views(session, tenant_id=user.actor.tenant_id),
        "form": form or FormResult({"total_units": ""}),
        "done": request.query_params.get("done"),
    }
    return render(request, "inventory/list.html", context, status=422 if form else 200)


@router.get("")
def inventory_list(request: Request, session: SessionDep, user: Reader) -> Response:
    return _list_page(request, session, user)


@router.post("")
def create(request: Request, session: SessionDep, user: Writer, form: FormDep) -> Response:
    result, row = submit_form(
        session,
        InventoryCreate,
        form,
        lambda data: inventory.create_inventory(session, actor=user.actor, data=data),
        blanks=CREATE_BLANKS,
        fmt=user.fmt,
    )
    if row is None:
        return _list_page(request, session, user, result)
    return redirect(request, "/inventory?done=created")


def _edit_page(
    request: Request, session: Session, user: WebUser, row: Any, result: FormResult[Any]
) -> Response:
    view = inventory.views(session, tenant_id=user.actor.tenant_id, rows=[row])[0]
    context = {"row": view, "form": result}
    return render(request, "inventory/form.html", context, status=422 if result.errors else 200)


@router.get("/{inventory_id}/edit")
def edit(request: Request, session: SessionDep, user: Writer, inventory_id: str) -> Response:
    row = inventory.get_inventory(session, actor=user.actor, inventory_id=page_id(inventory_id))
    values = {name: str(getattr(row, name)) for name in UPDATE_BLANKS}
    return _edit_page(request, session, user, row, FormResult(values))


@router.post("/{inventory_id}/edit")
def update(
    request: Request, session: SessionDep, user: Writer, inventory_id: str, form: FormDep
) -> Response:
    row = inventory.get_inventory(session, actor=user.actor, inventory_id=page_id(inventory_id))
    result, saved = submit_form(
        session,
        InventoryUpdate,
        form,
        lambda data: inventory.update_inventory(
            session, actor=user.actor, inventory_id=row.id, data=data
        ),
        blanks=UPDATE_BLANKS,
        fmt=user.fmt,
    )
    if saved is None:
        session.refresh(row)
        return _edit_page(request, session, user, row, result)
    return redirect(request, "/inventory?done=updated")
