"""The tenant's document settings: letterhead, bank details, GST state and rates, logo.

One row per tenant (``document_settings``) and one per charge type it taxes
(``document_tax_rates``). Saving replaces the whole (a PUT), in the caller's transaction,
and is in the audit log (the logo as its type and size, never its bytes).
"""

from __future__ import annotations

import io
import uuid
import warnings
from typing import Any

from PIL import Image, UnidentifiedImageError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from salestrack.auth.context import Actor
from salestrack.auth.models import Tenant
from salestrack.core import crud
from salestrack.core.db import upsert_insert
from salestrack.core.errors import Unprocessable
from salestrack.documents import gst
from salestrack.documents.charges import ChargeType
from salestrack.documents.models import DocumentSettings, TaxRate
from salestrack.documents.pdf import BankDetails, Letterhead
from salestrack.documents.settings_schemas import DocumentSettingsIn

ENTITY = "document_settings"
LOGO_MAX_BYTES = 512 * 1024
LOGO_MAX_SIDE = 4000  # pixels: a letterhead logo, never a poster (and no decompression bomb)
LOGO_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg"}


def get_settings(session: Session, tenant_id: uuid.UUID) -> DocumentSettings | None:
    return session.get(DocumentSettings, tenant_id)


def tax_rates(session: Session, tenant_id: uuid.UUID) -> dict[ChargeType, TaxRate]:
    """The tenant's GST rate per charge type (types it has not set are missing)."""
    rows = session.scalars(select(TaxRate).where(TaxRate.tenant_id == tenant_id))
    return {ChargeType(row.charge_type): row for row in rows}


def view(session: Session, tenant_id: uuid.UUID) -> dict[str, Any]:
    """The settings as the API shows them (defaults before the first save)."""
    row = get_settings(session, tenant_id)
    values = DocumentSettingsIn().model_dump(exclude={"tax_rates"})
    values.update(logo_type=None, updated_at=None)
    if row is not None:
        values = {name: getattr(row, name) for name in values}
    rates = sorted(
        tax_rates(session, tenant_id).values(),
        key=lambda r: list(ChargeType).index(ChargeType(r.charge_type)),
    )
    return {
        **values,
        "state_name": gst.state_name(values["state_code"]),
        "has_logo": row is not None and row.logo is not None,
        "tax_rates": rates,
    }


def _checked(data: DocumentSettingsIn) -> dict[str, Any]:
    """The values to store: GSTIN and PAN checksums, the state from the GSTIN, and the
    three agreeing (422 naming the field otherwise)."""
    values = data.model_dump(exclude={"tax_rates"})
    for name, check in (("gstin", gst.check_gstin), ("pan", gst.check_pan)):
        if values[name] is not None:
            try:
                values[name] = check(values[name])
            except ValueError as exc:
                raise Unprocessable(f"{name} {exc}", field=name) from None
    gstin = values["gstin"]
    if values["state_code"] is not None and values["state_code"] not in gst.STATES:
        raise Unprocessable("state_code is not a GST state code", field="state_code")
    if gstin is not None:
        if values["state_code"] is None:
            values["state_code"] = gstin[:2]
        elif values["state_code"] != gstin[:2]:
            raise Unprocessable(
                f"the GSTIN is registered in state {gstin[:2]}, not {values['state_code']}",
                field="state_code",
            )
        if values["pan"] is not None and values["pan"] != gstin[2:12]:
            raise Unprocessable("the PAN is not the one inside the GSTIN", field="pan")
    return values


def _locked_row(session: Session, actor: Actor) -> DocumentSettings:
    """The tenant's settings row, created if missing, locked for this transaction."""
    insert = upsert_insert(session)
    session.execute(
        insert(DocumentSettings)
        .values(tenant_id=actor.tenant_id, updated_by=actor.user_id)
        .on_conflict_do_nothing()
    )
    stmt = (
        select(DocumentSettings)
        .where(DocumentSettings.tenant_id == actor.tenant_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return session.scalars(stmt).one()


def save_settings(session: Session, *, actor: Actor, data: DocumentSettingsIn) -> None:
    """Replace the tenant's settings and tax rates (422 for a bad GSTIN, PAN or state)."""
    values = _checked(data)
    row = _locked_row(session, actor)
    changes = {}
    for name, new in values.items():
        if getattr(row, name) != new:
            changes[name] = {"from": getattr(row, name), "to": new}
            setattr(row, name, new)
    row.updated_by = actor.user_id
    before = {t.value: (r.rate, r.sac_code) for t, r in tax_rates(session, actor.tenant_id).items()}
    after = {r.charge_type.value: (r.rate, r.sac_code) for r in data.tax_rates}
    if before != after:
        changes["tax_rates"] = {"from": _rates_text(before), "to": _rates_text(after)}
        session.execute(delete(TaxRate).where(TaxRate.tenant_id == actor.tenant_id))
        session.add_all(
            TaxRate(tenant_id=actor.tenant_id, charge_type=t, rate=rate, sac_code=sac)
            for t, (rate, sac) in after.items()
        )
    session.flush()
    if changes:
        _log(session, actor, changes)


def _rates_text(rates: dict[str, tuple[Any, str]]) -> dict[str, str]:
    return {t: f"{rate}%" + (f" SAC {sac}" if sac else "") for t, (rate, sac) in rates.items()}


def _log(session: Session, actor: Actor, changes: dict[str, Any]) -> None:
    crud.log_action(
        session,
        actor=actor,
        entity=ENTITY,
        entity_id=actor.tenant_id,
        action="update",
        changes=changes,
    )


def check_logo(content: bytes) -> str:
    """The logo's media type if it is a PNG or JPEG image of sane size; 422 otherwise."""
    if not content:
        raise Unprocessable("the logo file is empty", field="logo")
    if len(content) > LOGO_MAX_BYTES:
        raise Unprocessable(
            f"the logo is {len(content)} bytes; at most {LOGO_MAX_BYTES} are accepted",
            field="logo",
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content)) as image:
                kind, (width, height) = image.format, image.size
                image.verify()
    except (
        UnidentifiedImageError,
        OSError,
        ValueError,
        SyntaxError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ):
        raise Unprocessable("the logo is not a readable PNG or JPEG image", field="logo") from None
    if kind not in LOGO_TYPES:
        raise Unprocessable(f"the logo is {kind}; give a PNG or JPEG image", field="logo")
    if max(width, height) > LOGO_MAX_SIDE:
        raise Unprocessable(
            f"the logo is {width}x{height} pixels; at most {LOGO_MAX_SIDE} on a side",
            field="logo",
        )
    _decodes(content)
    return LOGO_TYPES[kind]


def _decodes(content: bytes) -> None:
    """422 unless the pixels themselves decode. ``verify`` reads a PNG's chunks, not its
    compressed data: a logo whose data is broken would pass it and then fail every PDF the
    tenant prints. Run once the size is known to be sane (no decompression bomb)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content)) as image:
                image.load()
    except (OSError, ValueError, SyntaxError, EOFError, Image.DecompressionBombWarning):
        raise Unprocessable("the logo's image data is broken", field="logo") from None


def set_logo(session: Session, *, actor: Actor, content: bytes) -> str:
    """Store the tenant's logo (checked by ``check_logo``); its media type."""
    media_type = check_logo(content)
    row = _locked_row(session, actor)
    row.logo, row.logo_type, row.updated_by = content, media_type, actor.user_id
    session.flush()
    _log(session, actor, {"logo": {"from": None, "to": f"{media_type}, {len(content)} bytes"}})
    return media_type


def delete_logo(session: Session, *, actor: Actor) -> None:
    row = get_settings(session, actor.tenant_id)
    if row is None or row.logo is None:
        return
    row.logo, row.logo_type, row.updated_by = None, None, actor.user_id
    session.flush()
    _log(session, actor, {"logo": {"from": "set", "to": None}})


def letterhead(session: Session, tenant_id: uuid.UUID) -> Letterhead:
    """What the PDF kit prints at the top and the bottom of this tenant's documents."""
    row = get_settings(session, tenant_id)
    tenant_name = session.scalar(select(Tenant.name).where(Tenant.tenant_id == tenant_id)) or ""
    if row is None:
        return Letterhead(name=tenant_name)
    bank = None
    if row.bank_account_number:
        bank = BankDetails(
            bank=row.bank_name,
            account_name=row.bank_account_name or row.legal_name or tenant_name,
            account_number=row.bank_account_number,
            ifsc=row.bank_ifsc,
            branch=row.bank_branch,
        )
    return Letterhead(
        name=row.legal_name or tenant_name,
        address=row.address,
        contact=row.contact,
        gstin=row.gstin,
        pan=row.pan,
        state=gst.state_name(row.state_code),
        state_code=row.state_code,
        logo=row.logo,
        bank=bank,
    )
