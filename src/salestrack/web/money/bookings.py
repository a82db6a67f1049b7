"""Booking pages: the list by status with filters, and the form that books units.

Everything goes through ``salestrack.money`` (``booking_queries``, ``bookings``) as the
API does, so availability, the state machine and the invoice on confirmation are the
API's rules. One booking's page and its actions are in ``booking_actions``.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import replace
from typing import Annotated, Any

from fastapi import APIRouter, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from salestrack.auth.roles import Permission
from salestrack.core.schema_base import parse_day
from salestrack.http.deps import SessionDep
from salestrack.money import booking_queries, bookings, selectors
from salestrack.money.models import BookingStatus
from salestrack.money.schemas import BookingCreate
from salestrack.web.kit.deps import FormDep, WebUser, user_with
from salestrack.web.kit.forms import Blank, submit_form
from salestrack.web.kit.paging import ListFilters, filtered_page, search_text
from salestrack.web.kit.render import query_string, redirect, render
from salestrack.web.money.choices import customer_choices, customers_by_id, stock_choices

router = APIRouter(prefix="/bookings", include_in_schema=False)
Reader = Annotated[WebUser, user_with(Permission.money_read)]
Writer = Annotated[WebUser, user_with(Permission.money_write)]
# The list's filters in link order, each with how its text is read.
FILTERS = ListFilters(
    booking_queries.BookingFilters,
    {
        "status": BookingStatus,
        "project": search_text,
        "customer_id": uuid.UUID,
        "booking_date_from": parse_day,
        "booking_date_to": parse_day,
    },
)
CREATE_BLANKS: dict[str, Any] = {
    "customer_id": Blank.REQUIRED,
    "inventory_id": Blank.REQUIRED,
    "booking_amount": Blank.REQUIRED,
    "unit_count": Blank.OMIT,
    "booking_date": Blank.OMIT,
    "delivery_date": None,
    "status": Blank.OMIT,
    "booking_code": Blank.OMIT,
    "notes": Blank.OMIT,
}
INITIAL_STATUSES = [
    (s.value, s.value.replace("_", " ").capitalize())
    for s in BookingStatus
    if s in bookings.INITIAL
]


def parse_filters(
    params: Mapping[str, str],
) -> tuple[booking_queries.BookingFilters, dict[str, str], dict[str, str]]:
    """Filters from the query string; a bad value or an end before the start is reported
    beside its field and ignored."""
    filters, values, errors = FILTERS.read(params)
    lo, hi = filters.booking_date_from, filters.booking_date_to
    if lo and hi and hi < lo:
        errors["booking_date_to"] = "The end is before the start; ignored."
        filters = replace(filters, booking_date_to=None)
    return filters, values, errors


@router.get("")
def booking_list(request: Request, session: SessionDep, user: Reader) -> Response:
    """Bookings newest first with counts per status; filter by status, project, customer, dates."""
    filters, values, errors = parse_filters(request.query_params)
    tenant_id = user.actor.tenant_id
    page = filtered_page(request, session, tenant_id, selectors.booking_page, filters)
    counts = selectors.booking_status_counts(session, tenant_id=tenant_id, filters=filters)
    without_status = {k: v for k, v in values.items() if k != "status"}
    return render(
        request,
        "bookings/list.html",
        {
            "rows": booking_queries.views(session, tenant_id=tenant_id, rows=page.rows),
            "customers": customers_by_id(
                session, tenant_id=tenant_id, ids={r.customer_id for r in page.rows}
            ),
            "counts": counts,
            "total": sum(counts.values()),
            "status_link": lambda s: query_string({**without_status, "status": s}) or "?",
            **page.filter_context(values, errors),
            "statuses": list(BookingStatus),
            "customer_options": customer_choices(session, tenant_id=tenant_id),
            "done": request.query_params.get("done"),
        },
    )


def _form_page(
    request: Request,
    session: Session,
    user: WebUser,
    values: dict[str, str],
    errors: dict[str, str] | None = None,
) -> Response:
    tenant_id = user.actor.tenant_id
    context = {
        "values": values,
        "errors": errors or {},
        "customer_options": customer_choices(session, tenant_id=tenant_id),
        "stock": stock_choices(session, tenant_id=tenant_id),
        "initial_statuses": INITIAL_STATUSES,
    }
    return render(request, "bookings/form.html", context, status=422 if errors else 200)


@router.get("/new")
def new_booking(request: Request, session: SessionDep, user: Writer) -> Response:
    params = request.query_params
    values = {
        "customer_id": params.get("customer_id", ""),
        "inventory_id": params.get("inventory_id", ""),
        "unit_count": "1",
        "booking_date": user.fmt.today().isoformat(),
        "status": BookingStatus.pending.value,
    }
    return _form_page(request, session, user, values)


@router.post("/new")
def create_booking(request: Request, session: SessionDep, user: Writer, form: FormDep) -> Response:
    """Book units; too few left (409) or a bad reference (422) come back beside the field."""
    result, booking = submit_form(
        session,
        BookingCreate,
        form,
        lambda data: bookings.create_booking(session, actor=user.actor, data=data),
        blanks=CREATE_BLANKS,
        fmt=user.fmt,
        amounts=frozenset({"booking_amount"}),
    )
    if booking is None:
        return _form_page(request, session, user, result.values, result.errors)
    return redirect(request, f"/bookings/{booking.id}?done=created")
