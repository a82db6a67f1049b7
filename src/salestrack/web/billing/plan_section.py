"""A booking's payment plan on its page: each instalment with its state (upcoming, due,
demanded, part-paid, paid, overdue), the form that sets the plan, "Raise demand" for each
due instalment, "Charge interest" (a debit note) for each overdue one, and the PDF of
every document issued for the booking.

Every figure and state is ``billing.plans.plan_view``'s, the API's reading of the plan;
the form only says what each instalment is (a share or an amount, due on a date or on a
construction stage) and the service checks that they add up to the agreement value.
Managers and admins set plans and raise demands (``money:write``); viewers read.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Request
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.responses import Response

from salestrack.auth import clock
from salestrack.auth.roles import Permission
from salestrack.billing import demands, issue, plans, stages
from salestrack.billing.models import DocumentKind, PaymentPlan
from salestrack.billing.schemas import DemandRaise, InterestRaise, PlanIn
from salestrack.core.errors import Conflict, NotFound, Unprocessable
from salestrack.http.deps import SessionDep
from salestrack.money import booking_queries, bookings
from salestrack.money.models import Booking
from salestrack.web.documents.listing import BILLING_KINDS, billing_pdf_href
from salestrack.web.kit.choices import page_id
from salestrack.web.kit.deps import FormDep, WebUser, user_with
from salestrack.web.kit.forms import FORM, FormResult, attempt
from salestrack.web.kit.render import redirect
from salestrack.web.money.booking_actions import BookingSection, booking_page

router = APIRouter(prefix="/bookings", include_in_schema=False)
Writer = Annotated[WebUser, user_with(Permission.money_write)]
ROW_FIELDS = ("label", "percentage", "amount", "due_date", "stage_id")
MAX_ROWS = 100  # the API's limit of instalments per plan
SPARE_ROWS = 3  # blank rows under the plan's, to add instalments without script
MIN_ROWS = 4
ROW_NUMBER = re.compile(r"[1-9][0-9]{0,2}")


def _rows_typed(form: dict[str, str]) -> list[int]:
    """The row numbers (1, 2 ...) the posted form has, in order."""
    found = set()
    for key in form:
        name, _, number = key.rpartition("_")
        # ASCII digits only, and few: str.isdigit() accepts "²", which int() refuses, and
        # int() refuses more than 4,300 digits; a forged key is no row, never a 500.
        if name in ROW_FIELDS and ROW_NUMBER.fullmatch(number) and int(number) <= MAX_ROWS:
            found.add(int(number))
    return sorted(found)


def read_plan(form: dict[str, str], user: WebUser) -> tuple[FormResult[PlanIn], list[int]]:
    """The plan form as the API's ``PlanIn``, and the form row of each instalment sent;
    blank rows are skipped, and each complaint lands beside the field (or on the row) it
    is about, with what was typed kept."""
    values = {k: v.strip() for k, v in form.items()}
    errors: dict[str, str] = {}
    lines: list[dict[str, Any]] = []
    row_of: list[int] = []  # the form's row of each instalment sent to the service
    for row in _rows_typed(values):
        raw = {name: values.get(f"{name}_{row}", "") for name in ROW_FIELDS}
        if not any(raw.values()):
            continue
        line: dict[str, Any] = {"label": raw["label"]}
        for name in ("percentage", "amount"):
            if raw[name]:
                try:
                    line[name] = user.fmt.parse_amount(raw[name])
                except ValueError:
                    errors[f"{name}_{row}"] = "Enter a number, for example 10 or 5,00,000."
        for name in ("due_date", "stage_id"):
            if raw[name]:
                line[name] = raw[name]
        lines.append(line)
        row_of.append(row)
    if not lines:
        errors[FORM] = "Give at least one instalment."
    if errors:
        return FormResult(values, None, errors), row_of
    try:
        model = PlanIn.model_validate({"instalments": lines, "notes": values.get("notes", "")})
    except ValidationError as exc:
        for error in exc.errors():
            errors.setdefault(_error_field(tuple(error.get("loc") or ()), row_of), _msg(error))
        return FormResult(values, None, errors), row_of
    return FormResult(values, model, {}), row_of


def _msg(error: Any) -> str:
    text = str(error.get("msg", "is not valid")).removeprefix("Value error, ")
    return text[:1].upper() + text[1:]


def _error_field(loc: tuple[Any, ...], row_of: list[int]) -> str:
    """("instalments", 2, "amount") -> "amount_<form row>"; a row's own rule -> "row_<n>"."""
    if len(loc) >= 2 and loc[0] == "instalments" and isinstance(loc[1], int):
        row = row_of[loc[1]] if loc[1] < len(row_of) else 0
        if len(loc) >= 3 and str(loc[2]) in ROW_FIELDS:
            return f"{loc[2]}_{row}"
        return f"row_{row}"
    if loc and loc[0] == "notes":
        return "notes"
    return FORM


def _service_field(field: str | None, row_of: list[int]) -> str:
    """The service names ``instalments.<i>.stage_id``; the page shows it on that row."""
    parts = (field or "").split(".")
    if len(parts) == 3 and parts[0] == "instalments" and parts[1].isdigit():
        index = int(parts[1])
        if index < len(row_of) and parts[2] in ROW_FIELDS:
            return f"{parts[2]}_{row_of[index]}"
    return FORM


def _values_of(view: dict[str, Any] | None, user: WebUser) -> dict[str, str]:
    """The plan's instalments as the form's typed values (row 1, 2 ...)."""
    values: dict[str, str] = {}
    if view is None:
        return values
    values["notes"] = view["notes"]
    for row, item in enumerate(view["instalments"], 1):
        values[f"label_{row}"] = item["label"]
        if item["percentage"] is not None:
            values[f"percentage_{row}"] = format(Decimal(item["percentage"]).normalize(), "f")
        else:
            values[f"amount_{row}"] = user.fmt.number(item["amount"])
        if item["due_date"] is not None:
            values[f"due_date_{row}"] = item["due_date"].isoformat()
        if item["stage_id"] is not None:
            values[f"stage_id_{row}"] = str(item["stage_id"])
    return values


def _plan_of(session: Session, user: WebUser, booking: Booking) -> PaymentPlan | None:
    try:
        _booking, plan = plans.plan_of(session, actor=user.actor, booking_id=booking.id)
    except NotFound:
        return None  # the booking is the tenant's (its page found it): it has no plan
    return plan


def _plan_view(session: Session, user: WebUser, booking: Booking) -> dict[str, Any] | None:
    plan = _plan_of(session, user, booking)
    if plan is None:
        return None
    today = clock.tenant_today(session, user.actor.tenant_id)
    return plans.plan_view(session, actor=user.actor, booking=booking, plan=plan, today=today)


def plan_section(
    session: Session, user: WebUser, booking: Booking, forms: dict[str, FormResult[Any]]
) -> BookingSection | None:
    """The payment plan block of the booking page; None for roles that may not read money."""
    if not user.can(Permission.money_read):
        return None
    tenant_id = user.actor.tenant_id
    view = _plan_view(session, user, booking)
    project = booking_queries.view(session, tenant_id=tenant_id, row=booking)["project"]
    stage_rows = list(session.scalars(stages.stages_of(tenant_id, project)))
    documents = list(session.scalars(issue.documents_of(tenant_id, booking_id=booking.id)))
    typed = forms.get("plan")
    values = typed.values if typed is not None else _values_of(view, user)
    filled = (
        len(_rows_typed(values)) if typed is not None else len(view["instalments"] if view else [])
    )
    return BookingSection(
        "Payment plan",
        "billing/_plan.html",
        {
            "plan": view,
            # Once a demand is raised the instalments are fixed (the service refuses, 409).
            "fixed": view is not None and any(i["demand_id"] for i in view["instalments"]),
            "plannable": booking.status in plans.PLANNABLE and booking.invoice_entry_id is not None,
            "project": project,
            "stages": [
                (str(s.id), s.name + (" (reached)" if s.reached_on else "")) for s in stage_rows
            ],
            "documents": [
                {
                    "kind": BILLING_KINDS[d.kind],
                    "number": d.number,
                    "day": d.document_date,
                    "amount": d.amount,
                    "pdf": billing_pdf_href(d.id),
                }
                for d in documents
            ],
            "pdf_of": {str(d.id): billing_pdf_href(d.id) for d in documents},
            "typed": values,
            "errors": typed.errors if typed is not None else {},
            "rows": range(1, min(max(filled + SPARE_ROWS, MIN_ROWS), MAX_ROWS) + 1),
            "action_error": forms["plan_action"].errors.get(FORM)
            if "plan_action" in forms
            else None,
            "can_write": user.can(Permission.money_write),
            "today": user.fmt.today().isoformat(),
        },
    )


@router.post("/{booking_id}/payment-plan")
def set_plan(
    request: Request, session: SessionDep, user: Writer, booking_id: str, form: FormDep
) -> Response:
    """Give the booking its plan, or new instalments while no demand was raised on it."""
    booking = bookings.get_booking(session, actor=user.actor, booking_id=page_id(booking_id))
    result, row_of = read_plan(form, user)
    saved = None
    status = 422
    if result.model is not None:
        data = result.model
        current = _plan_of(session, user, booking)
        try:
            with session.begin_nested():
                if current is None:
                    saved = plans.create_plan(
                        session, actor=user.actor, booking_id=booking.id, data=data
                    )
                else:
                    saved = plans.replace_plan(
                        session, actor=user.actor, plan_id=current.id, data=data
                    )
        except (Unprocessable, Conflict) as exc:
            status = exc.status
            where = _service_field(exc.field, row_of)
            result.errors[where] = exc.detail[:1].upper() + exc.detail[1:]
    if saved is None:
        session.refresh(booking)
        return booking_page(request, session, user, booking, forms={"plan": result}, status=status)
    return redirect(request, f"/bookings/{booking.id}?billing=plan#payment-plan")


@router.post("/{booking_id}/payment-plan/withdraw")
def withdraw_plan(
    request: Request, session: SessionDep, user: Writer, booking_id: str, form: FormDep
) -> Response:
    """Withdraw a plan no demand was raised on: the booking is invoiced as one amount
    again (once a demand was raised it is refused on the page, 409)."""
    del form  # nothing to read
    booking = bookings.get_booking(session, actor=user.actor, booking_id=page_id(booking_id))
    _booking, plan = plans.plan_of(session, actor=user.actor, booking_id=booking.id)
    result: FormResult[Any] = FormResult({})
    attempt(
        session,
        lambda: plans.withdraw_plan(session, actor=user.actor, plan_id=plan.id),
        result,
        (),
    )
    if result.errors:
        session.refresh(booking)
        return booking_page(
            request, session, user, booking, forms={"plan_action": result}, status=409
        )
    return redirect(request, f"/bookings/{booking.id}?billing=withdrawn#payment-plan")


@router.post("/{booking_id}/instalments/{instalment_id}/demand")
def raise_demand(
    request: Request,
    session: SessionDep,
    user: Writer,
    booking_id: str,
    instalment_id: str,
    form: FormDep,
) -> Response:
    """Raise a due instalment's demand (its invoice on the ledger, numbered INV/...);
    an instalment not due or already demanded is refused on the page (409)."""
    booking = bookings.get_booking(session, actor=user.actor, booking_id=page_id(booking_id))
    _booking, plan = plans.plan_of(session, actor=user.actor, booking_id=booking.id)
    instalment = plans.get_instalment(
        session, actor=user.actor, instalment_id=page_id(instalment_id)
    )
    if instalment.plan_id != plan.id:
        raise NotFound("no such instalment on this booking")
    result: FormResult[Any] = FormResult(dict(form))
    document = None
    try:
        data = DemandRaise.model_validate(
            {"demand_date": form.get("demand_date", "").strip() or None}
        )
    except ValidationError as exc:
        result.errors[FORM] = "Demand date: " + _msg(exc.errors()[0]).lower()
    else:
        document = attempt(
            session,
            lambda: demands.raise_demand(
                session, actor=user.actor, instalment_id=instalment.id, data=data
            ),
            result,
            (),
        )
    if document is None:
        session.refresh(booking)
        return booking_page(
            request, session, user, booking, forms={"plan_action": result}, status=409
        )
    return redirect(
        request, f"/bookings/{booking.id}?billing=demand&number={document.number}#payment-plan"
    )


@router.post("/{booking_id}/demands/{demand_id}/interest")
def charge_interest(
    request: Request,
    session: SessionDep,
    user: Writer,
    booking_id: str,
    demand_id: str,
    form: FormDep,
) -> Response:
    """A debit note for the interest on an overdue demand up to today, at the tenant's
    rate; without a rate, or with nothing due, it is refused on the page (409)."""
    del form  # nothing to read: the interest runs to today
    booking = bookings.get_booking(session, actor=user.actor, booking_id=page_id(booking_id))
    demand = issue.get_document(session, actor=user.actor, document_id=page_id(demand_id))
    if demand.booking_id != booking.id or demand.kind != DocumentKind.demand:
        raise NotFound("no such demand on this booking")
    result: FormResult[Any] = FormResult({})
    note = attempt(
        session,
        lambda: demands.raise_interest(
            session, actor=user.actor, demand_id=demand.id, data=InterestRaise()
        ),
        result,
        (),
    )
    if note is None:
        session.refresh(booking)
        return booking_page(
            request, session, user, booking, forms={"plan_action": result}, status=409
        )
    return redirect(
        request, f"/bookings/{booking.id}?billing=interest&number={note.number}#payment-plan"
    )
