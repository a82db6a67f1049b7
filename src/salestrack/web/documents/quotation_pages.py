"""Quotation pages: the builder (new and draft edit) with totals recalculated by the server
(a "Recalculate" button without JavaScript, live as you type with it), a quotation's page
with its actions (send, accept, reject, revise) and its PDF.

Every figure comes from ``documents.quotations`` (``preview`` for the builder), the same
code the API runs, so the page never computes a tax of its own. Money pages: managers and
admins (``money:write``) build and decide, viewers read, sales reps are refused (403).
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Request
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.responses import JSONResponse, Response

from salestrack.auth import clock
from salestrack.auth.roles import Permission
from salestrack.core import crud
from salestrack.core.errors import Conflict, Unprocessable
from salestrack.documents import gst, quotation_views, quotations
from salestrack.documents.charges import LABELS, ChargeType
from salestrack.documents.models import Quotation
from salestrack.documents.quotation_schemas import (
    QuotationAccept,
    QuotationIn,
    QuotationReject,
    QuotationSend,
)
from salestrack.http.deps import SessionDep
from salestrack.leads.models import Customer, Lead
from salestrack.money.models import Inventory
from salestrack.web.kit.choices import page_id
from salestrack.web.kit.deps import FormDep, WebUser, user_with
from salestrack.web.kit.forms import FORM
from salestrack.web.kit.render import SECURITY_HEADERS, redirect, render

router = APIRouter(prefix="/quotations", include_in_schema=False)
Reader = Annotated[WebUser, user_with(Permission.money_read)]
Writer = Annotated[WebUser, user_with(Permission.money_write)]
FIELDS = (
    "lead_id",
    "customer_id",
    "inventory_id",
    "unit_label",
    "area_sqft",
    "place_of_supply",
    "valid_until",
    "delivery_date",
    "terms",
    "notes",
)
LINE_FIELDS = ("per_sqft", "amount", "discount", "description")
PER_SQFT = (ChargeType.base_price, ChargeType.floor_rise, ChargeType.preferred_location)


def _read(form: dict[str, str], user: WebUser) -> tuple[QuotationIn | None, dict[str, str]]:
    """The builder's fields as a quotation body, or the errors beside each field."""
    errors: dict[str, str] = {}
    data: dict[str, Any] = {n: form[n].strip() for n in FIELDS if form.get(n, "").strip()}
    if "terms" in form and not form["terms"].strip():
        data["terms"] = ""
    lines: list[dict[str, Any]] = []
    for kind in ChargeType:
        raw = {f: form.get(f"{f}_{kind}", "").strip() for f in LINE_FIELDS}
        if not (raw["per_sqft"] or raw["amount"]):
            continue
        line: dict[str, Any] = {"charge_type": kind.value, "description": raw["description"]}
        for name, key in (
            ("per_sqft", "rate_per_sqft"),
            ("amount", "amount"),
            ("discount", "discount"),
        ):
            if raw[name]:
                try:
                    line[key] = user.fmt.parse_amount(raw[name])
                except ValueError:
                    errors[f"{name}_{kind}"] = "Enter an amount, for example 3,00,000."
        lines.append(line)
    data["lines"] = lines
    if "area_sqft" in data:
        try:
            data["area_sqft"] = user.fmt.parse_amount(data["area_sqft"])
        except ValueError:
            errors["area_sqft"] = "Enter the area in square feet, for example 1,450."
    if errors:
        return None, errors
    try:
        return QuotationIn.model_validate(data), {}
    except ValidationError as exc:
        for error in exc.errors():
            loc = tuple(error.get("loc") or ())
            name = str(loc[0]) if loc else FORM
            if name == "lines" and len(loc) > 1 and isinstance(loc[1], int):
                name = f"amount_{lines[loc[1]]['charge_type']}"
            elif name not in FIELDS:
                name = FORM
            message = str(error.get("msg", "is not valid")).removeprefix("Value error, ")
            errors.setdefault(name, message[:1].upper() + message[1:])
        return None, errors


def _preview(session: Session, user: WebUser, body: QuotationIn | None, errors: dict[str, str]):  # type: ignore[no-untyped-def]
    """(lines, totals, interstate) for the form, or None with the refusal in ``errors``."""
    if body is None:
        return None
    try:
        with session.begin_nested():
            return quotations.preview(session, actor=user.actor, data=body)
    except (Unprocessable, Conflict) as exc:
        where = exc.field if exc.field in FIELDS else FORM
        errors[where] = exc.detail[:1].upper() + exc.detail[1:]
        return None


def _builder(
    request: Request,
    session: Session,
    user: WebUser,
    values: dict[str, str],
    *,
    errors: dict[str, str] | None = None,
    priced: Any = None,
    quotation_id: uuid.UUID | None = None,
    status: int = 200,
) -> Response:
    tenant_id = user.actor.tenant_id
    units = session.scalars(
        crud.scoped(Inventory, tenant_id).order_by(Inventory.project, Inventory.unit_type)
    ).all()
    buyer = _buyer_name(session, tenant_id, values)
    context = {
        "values": values,
        "errors": errors or {},
        "priced": priced,
        "quotation_id": quotation_id,
        "buyer": buyer,
        "units": [(str(u.id), f"{u.project} · {u.unit_type}") for u in units],
        "states": sorted(((c, f"{n} ({c})") for c, n in gst.STATES.items()), key=lambda p: p[1]),
        "charges": [(k.value, LABELS[k], k in PER_SQFT) for k in ChargeType],
    }
    return render(request, "documents/quotation_form.html", context, status=status)


def _buyer_name(session: Session, tenant_id: uuid.UUID, values: dict[str, str]) -> str:
    models: tuple[tuple[str, Any], ...] = (("customer_id", Customer), ("lead_id", Lead))
    for field, model in models:
        text = values.get(field, "")
        if text:
            try:
                row: Any = crud.get_live(
                    session, model, tenant_id=tenant_id, row_id=uuid.UUID(text), label=field
                )
            except ValueError:
                continue
            return str(row.name)
    return ""


@router.get("/new")
def new_quotation(request: Request, session: SessionDep, user: Writer) -> Response:
    """The builder for a lead's or a customer's quotation (``?lead_id=`` / ``?customer_id=``)."""
    values = {k: v for k, v in request.query_params.items() if k in ("lead_id", "customer_id")}
    if not values:
        raise Unprocessable("open the builder from a lead or a customer", field="lead_id")
    for key, model in (("lead_id", Lead), ("customer_id", Customer)):
        if key in values:
            crud.get_live(
                session,
                model,
                tenant_id=user.actor.tenant_id,
                row_id=page_id(values[key]),
                label=key,
            )
    return _builder(request, session, user, values)


def _save(
    request: Request,
    session: Session,
    user: WebUser,
    form: dict[str, str],
    quotation_id: uuid.UUID | None,
) -> Response:
    body, errors = _read(form, user)
    priced = _preview(session, user, body, errors)
    if form.get("action") != "save" or errors or body is None:
        status = 422 if errors and form.get("action") == "save" else 200
        return _builder(
            request,
            session,
            user,
            form,
            errors=errors,
            priced=priced,
            quotation_id=quotation_id,
            status=status,
        )
    if quotation_id is None:
        row = quotations.create_quotation(session, actor=user.actor, data=body)
    else:
        row = quotations.update_draft(
            session, actor=user.actor, quotation_id=quotation_id, data=body
        )
    return redirect(request, f"/quotations/{row.id}?done=saved")


@router.post("/new")
def create_quotation(
    request: Request, session: SessionDep, user: Writer, form: FormDep
) -> Response:
    """Recalculate (the totals, nothing saved) or save the draft."""
    return _save(request, session, user, form, None)


@router.post("/preview")
def preview(session: SessionDep, user: Writer, form: FormDep) -> Response:
    """The builder's live totals (JSON, same origin): what Recalculate would show."""
    body, errors = _read(form, user)
    priced = _preview(session, user, body, errors)
    if priced is None:
        return JSONResponse({"errors": errors}, status_code=422, headers=SECURITY_HEADERS)
    lines, totals, interstate = priced
    fmt = user.fmt
    return JSONResponse(
        {
            "interstate": interstate,
            "lines": {ln.charge_type.value: fmt.money(ln.total) for ln in lines},
            "totals": {k: fmt.money(v) for k, v in vars(totals).items()},
        },
        headers=SECURITY_HEADERS,
    )


def _form_values(row: Any, lines: list[Any]) -> dict[str, str]:
    values = {n: "" if getattr(row, n) is None else str(getattr(row, n)) for n in FIELDS}
    values["area_sqft"] = format(row.area_sqft.normalize(), "f")
    for line in lines:
        kind = line.charge_type
        if line.rate_per_sqft is not None:
            values[f"per_sqft_{kind}"] = str(line.rate_per_sqft)
        else:
            values[f"amount_{kind}"] = str(line.amount)
        if line.discount:
            values[f"discount_{kind}"] = str(line.discount)
        values[f"description_{kind}"] = (
            line.description if line.description != LABELS[ChargeType(kind)] else ""
        )
    return values


@router.get("/{quotation_id}/edit")
def edit_quotation(
    request: Request, session: SessionDep, user: Writer, quotation_id: str
) -> Response:
    row = quotations.get_quotation(session, actor=user.actor, quotation_id=page_id(quotation_id))
    values = _form_values(row, quotations.lines_of(session, row))
    return _builder(request, session, user, values, quotation_id=row.id)


@router.post("/{quotation_id}/edit")
def save_draft(
    request: Request, session: SessionDep, user: Writer, quotation_id: str, form: FormDep
) -> Response:
    return _save(request, session, user, form, page_id(quotation_id))


def _detail(
    request: Request,
    session: Session,
    user: WebUser,
    quotation_id: uuid.UUID,
    *,
    error: str = "",
    status: int = 200,
) -> Response:
    row = quotations.get_quotation(session, actor=user.actor, quotation_id=quotation_id)
    today = clock.tenant_today(session, user.actor.tenant_id)
    shown = quotation_views.view(session, tenant_id=user.actor.tenant_id, row=row, today=today)
    stmt = quotations.filtered(tenant_id=user.actor.tenant_id, today=today, series_id=row.series_id)
    versions = quotation_views.views(
        session,
        tenant_id=user.actor.tenant_id,
        rows=list(session.scalars(stmt.order_by(Quotation.version.desc()))),
        today=today,
    )
    context = {
        "q": shown,
        "versions": versions,
        "buyer": _buyer_name(
            session,
            user.actor.tenant_id,
            {"lead_id": str(row.lead_id or ""), "customer_id": str(row.customer_id or "")},
        ),
        "can_write": user.can(Permission.money_write),
        "done": request.query_params.get("done", ""),
        "error": error,
        "place": gst.state_name(row.place_of_supply),
    }
    return render(request, "documents/quotation_detail.html", context, status=status)


@router.get("/{quotation_id}")
def quotation_page(
    request: Request, session: SessionDep, user: Reader, quotation_id: str
) -> Response:
    return _detail(request, session, user, page_id(quotation_id))


@router.get("/{quotation_id}/pdf")
def quotation_pdf(session: SessionDep, user: Reader, quotation_id: str) -> Response:
    row = quotations.get_quotation(session, actor=user.actor, quotation_id=page_id(quotation_id))
    today = clock.tenant_today(session, user.actor.tenant_id)
    content = quotation_views.quotation_pdf(
        session, tenant_id=user.actor.tenant_id, row=row, today=today
    )
    name = (row.number or f"quotation-draft-v{row.version}").replace("/", "-")
    return Response(
        content,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}.pdf"'},
    )


def _act(
    request: Request, session: Session, user: WebUser, quotation_id: str, action: Any, done: str
) -> Response:
    row_id = page_id(quotation_id)
    try:
        with session.begin_nested():
            result = action(row_id)
    except (Unprocessable, Conflict) as exc:
        return _detail(request, session, user, row_id, error=exc.detail, status=exc.status)
    target = getattr(result, "id", row_id)
    return redirect(request, f"/quotations/{target}?done={done}")


def _model(schema: Any, form: dict[str, str]) -> Any:
    data = {k: v.strip() for k, v in form.items() if v.strip()}
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        raise Unprocessable(f"{where}: {first.get('msg', 'is not valid')}") from None


@router.post("/{quotation_id}/send")
def send(
    request: Request, session: SessionDep, user: Writer, quotation_id: str, form: FormDep
) -> Response:
    return _act(
        request,
        session,
        user,
        quotation_id,
        lambda i: quotations.send_quotation(
            session, actor=user.actor, quotation_id=i, data=_model(QuotationSend, form)
        ),
        "sent",
    )


@router.post("/{quotation_id}/accept")
def accept(
    request: Request, session: SessionDep, user: Writer, quotation_id: str, form: FormDep
) -> Response:
    return _act(
        request,
        session,
        user,
        quotation_id,
        lambda i: quotations.accept_quotation(
            session, actor=user.actor, quotation_id=i, data=_model(QuotationAccept, form)
        )[0],
        "accepted",
    )


@router.post("/{quotation_id}/reject")
def reject(
    request: Request, session: SessionDep, user: Writer, quotation_id: str, form: FormDep
) -> Response:
    return _act(
        request,
        session,
        user,
        quotation_id,
        lambda i: quotations.reject_quotation(
            session, actor=user.actor, quotation_id=i, data=_model(QuotationReject, form)
        ),
        "rejected",
    )


@router.post("/{quotation_id}/revise")
def revise(
    request: Request, session: SessionDep, user: Writer, quotation_id: str, form: FormDep
) -> Response:
    del form
    return _act(
        request,
        session,
        user,
        quotation_id,
        lambda i: quotations.revise_quotation(session, actor=user.actor, quotation_id=i),
        "revised",
    )
