"""``/settings/documents``: the admin's page for the letterhead, bank details, GST state
and rates per charge type, and the logo. It saves through ``documents.settings``, exactly
as ``PUT /api/v1/sales/document-settings`` does, so the same checks answer (a GSTIN's
check character, the PAN inside it, the state)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile
from starlette.responses import Response

from salestrack.auth.roles import Permission
from salestrack.core.errors import NotFound
from salestrack.documents import gst, settings
from salestrack.documents.charges import LABELS, ChargeType
from salestrack.documents.settings_schemas import DocumentSettingsIn
from salestrack.http.deps import SessionDep
from salestrack.web.kit.deps import CsrfRefused, FormDep, WebUser, user_with
from salestrack.web.kit.forms import FORM, FormResult, attempt
from salestrack.web.kit.render import redirect, render
from salestrack.web.kit.session import load_session

router = APIRouter(prefix="/settings/documents", include_in_schema=False)
Admin = Annotated[WebUser, user_with(Permission.users_manage)]
TEXT_FIELDS = (
    "legal_name",
    "address",
    "contact",
    "gstin",
    "pan",
    "state_code",
    "bank_name",
    "bank_account_name",
    "bank_account_number",
    "bank_ifsc",
    "bank_branch",
    "quotation_validity_days",
    "quotation_terms",
)
NULLABLE = frozenset({"gstin", "pan", "state_code"})
DONE = {"saved": "Settings saved.", "logo": "Logo saved.", "logo-removed": "Logo removed."}


def _values(session: Session, user: WebUser) -> dict[str, str]:
    """The stored settings as the form's fields (``rate_<type>``, ``sac_<type>`` per type)."""
    view = settings.view(session, user.actor.tenant_id)
    values = {name: "" if view[name] is None else str(view[name]) for name in TEXT_FIELDS}
    for rate in view["tax_rates"]:
        values[f"rate_{rate.charge_type}"] = format(rate.rate.normalize(), "f")
        values[f"sac_{rate.charge_type}"] = rate.sac_code
    return values


def _page(
    request: Request,
    session: Session,
    user: WebUser,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    row = settings.get_settings(session, user.actor.tenant_id)
    context = {
        "values": values if values is not None else _values(session, user),
        "errors": errors or {},
        "states": sorted(
            ((code, f"{name} ({code})") for code, name in gst.STATES.items()),
            key=lambda pair: pair[1],
        ),
        "charge_types": [(t.value, LABELS[t]) for t in ChargeType],
        "has_logo": row is not None and row.logo is not None,
        "done_message": DONE.get(request.query_params.get("done", "")),
        "logo_limit_kib": settings.LOGO_MAX_BYTES // 1024,
    }
    return render(request, "documents/settings.html", context, status=status)


@router.get("")
def settings_page(request: Request, session: SessionDep, user: Admin) -> Response:
    """The form, filled with what is saved."""
    return _page(request, session, user)


def _read(form: dict[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """The form as the settings body; blank rates leave the type unset."""
    data: dict[str, Any] = {}
    for name in TEXT_FIELDS:
        text = form.get(name, "").strip()
        if text or name not in NULLABLE:
            data[name] = text if text or name != "quotation_validity_days" else "15"
    rates = []
    for charge_type in ChargeType:
        rate = form.get(f"rate_{charge_type}", "").strip()
        sac = form.get(f"sac_{charge_type}", "").strip()
        if rate:
            rates.append({"charge_type": charge_type.value, "rate": rate, "sac_code": sac})
    data["tax_rates"] = rates
    return data, {k: v for k, v in form.items() if isinstance(v, str)}


def _field_of(loc: tuple[Any, ...], data: dict[str, Any]) -> str:
    if len(loc) >= 3 and loc[0] == "tax_rates" and isinstance(loc[1], int):
        kind = data["tax_rates"][loc[1]]["charge_type"]
        return f"{'sac' if loc[2] == 'sac_code' else 'rate'}_{kind}"
    return str(loc[0]) if loc and str(loc[0]) in TEXT_FIELDS else FORM


@router.post("")
def save_settings(request: Request, session: SessionDep, user: Admin, form: FormDep) -> Response:
    """Save the whole form; refused fields come back marked, with what was typed."""
    data, values = _read(form)
    result: FormResult[DocumentSettingsIn] = FormResult(values)
    try:
        result.model = DocumentSettingsIn.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            message = str(error.get("msg", "is not valid")).removeprefix("Value error, ")
            result.errors.setdefault(_field_of(tuple(error.get("loc") or ()), data), message)
    model = result.model
    if model is not None and not result.errors:
        fields = (*TEXT_FIELDS, FORM)
        attempt(
            session,
            lambda: settings.save_settings(session, actor=user.actor, data=model),
            result,
            fields,
        )
    if result.errors:
        return _page(request, session, user, values=values, errors=result.errors, status=422)
    return redirect(request, "/settings/documents?done=saved")


async def logo_upload(request: Request) -> AsyncIterator[UploadFile | None]:
    """The posted logo, after the form's CSRF token is checked; closed after the handler."""
    form = await request.form()
    try:
        token = form.get("csrf_token")
        if not isinstance(token, str) or not load_session(request).csrf_matches(token):
            raise CsrfRefused
        file = form.get("logo")
        yield file if isinstance(file, UploadFile) else None
    finally:
        await form.close()


@router.post("/logo")
def upload_logo(
    request: Request,
    session: SessionDep,
    user: Admin,
    upload: Annotated[UploadFile | None, Depends(logo_upload)],
) -> Response:
    """Replace the logo with the uploaded PNG or JPEG (checked like the API's)."""
    result: FormResult[Any] = FormResult({})
    if upload is None or not upload.filename:
        result.errors["logo"] = "Choose a PNG or JPEG file."
    else:
        content = upload.file.read(settings.LOGO_MAX_BYTES + 1)
        attempt(
            session,
            lambda: settings.set_logo(session, actor=user.actor, content=content),
            result,
            ("logo",),
        )
    if result.errors:
        return _page(request, session, user, errors=result.errors, status=422)
    return redirect(request, "/settings/documents?done=logo")


@router.post("/logo/delete")
def remove_logo(request: Request, session: SessionDep, user: Admin, form: FormDep) -> Response:
    del form
    settings.delete_logo(session, actor=user.actor)
    return redirect(request, "/settings/documents?done=logo-removed")


@router.get("/logo")
def logo(session: SessionDep, user: Admin) -> Response:
    """The stored logo, for the page's preview."""
    row = settings.get_settings(session, user.actor.tenant_id)
    if row is None or row.logo is None or row.logo_type is None:
        raise NotFound("no logo has been uploaded")
    return Response(row.logo, media_type=row.logo_type, headers={"Cache-Control": "no-store"})
