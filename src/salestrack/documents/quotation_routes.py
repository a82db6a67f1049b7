"""HTTP routes of quotations (thin: ``documents.quotations`` decides).

Quotations are money: managers and admins write them, whoever reads money reads them, and a
sales rep gets 403 (``auth.roles``: reps see no money), as for bookings and the ledger.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import Depends
from sqlalchemy.orm import Session
from starlette.responses import Response

from salestrack.auth import clock
from salestrack.auth.context import Actor
from salestrack.auth.deps import require
from salestrack.auth.roles import Permission
from salestrack.core.pagination import CursorParam, LimitParam, Page, paginate
from salestrack.documents import quotation_views, quotations
from salestrack.documents.models import Quotation, QuotationStatus
from salestrack.documents.quotation_schemas import (
    QuotationAccept,
    QuotationIn,
    QuotationPublic,
    QuotationReject,
    QuotationSend,
)
from salestrack.http.deps import SessionDep
from salestrack.http.routing import api_router, in_thread

router = api_router(prefix="/api/v1/sales/quotations", tags=["quotations"])
Reader = Annotated[Actor, Depends(require(Permission.money_read))]
Writer = Annotated[Actor, Depends(require(Permission.money_write))]
PDF: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/pdf": {}}, "description": "the quotation as a PDF"}
}


def _shown(session: Session, actor: Actor, row: Quotation) -> dict[str, Any]:
    today = clock.tenant_today(session, actor.tenant_id)
    return quotation_views.view(session, tenant_id=actor.tenant_id, row=row, today=today)


@router.post("", response_model=QuotationPublic, status_code=201)
def create_quotation(session: SessionDep, actor: Writer, body: QuotationIn) -> Any:
    """A draft (version 1) priced with the tenant's GST rates per charge type (422 naming a
    charge without a rate); CGST+SGST in the tenant's state, IGST for another place of
    supply; each line's tax rounded to the paisa, totals the sums of the lines."""
    row = quotations.create_quotation(session, actor=actor, data=body)
    return _shown(session, actor, row)


@router.get("", response_model=Page[QuotationPublic])
def list_quotations(
    session: SessionDep,
    actor: Reader,
    lead_id: uuid.UUID | None = None,
    customer_id: uuid.UUID | None = None,
    series_id: uuid.UUID | None = None,
    status: QuotationStatus | None = None,
    limit: LimitParam = 50,
    cursor: CursorParam = None,
) -> Any:
    """Quotations newest first, by lead, customer, series (every version) and status."""
    today = clock.tenant_today(session, actor.tenant_id)
    stmt = quotations.filtered(
        tenant_id=actor.tenant_id,
        today=today,
        lead_id=lead_id,
        customer_id=customer_id,
        series_id=series_id,
        status=status,
    )
    rows, next_cursor = paginate(session, stmt, Quotation, limit=limit, cursor=cursor)
    items = quotation_views.views(session, tenant_id=actor.tenant_id, rows=rows, today=today)
    return {"items": items, "next_cursor": next_cursor}


@router.get("/{quotation_id}", response_model=QuotationPublic)
def get_quotation(session: SessionDep, actor: Reader, quotation_id: uuid.UUID) -> Any:
    """One version of a quotation with its lines."""
    row = quotations.get_quotation(session, actor=actor, quotation_id=quotation_id)
    return _shown(session, actor, row)


@router.put("/{quotation_id}", response_model=QuotationPublic)
def update_quotation(
    session: SessionDep, actor: Writer, quotation_id: uuid.UUID, body: QuotationIn
) -> Any:
    """Replace a draft (409 once sent: revise it instead, or for an older version)."""
    row = quotations.update_draft(session, actor=actor, quotation_id=quotation_id, data=body)
    return _shown(session, actor, row)


@router.post("/{quotation_id}/send", response_model=QuotationPublic)
def send_quotation(
    session: SessionDep, actor: Writer, quotation_id: uuid.UUID, body: QuotationSend
) -> Any:
    """Issue the draft: its number (QUO/<financial year>/<n>), date and validity, and the
    lead's proposal milestone carrying number, amount and validity."""
    row = quotations.send_quotation(session, actor=actor, quotation_id=quotation_id, data=body)
    return _shown(session, actor, row)


@router.post("/{quotation_id}/accept", response_model=QuotationPublic)
def accept_quotation(
    session: SessionDep, actor: Writer, quotation_id: uuid.UUID, body: QuotationAccept
) -> Any:
    """The buyer accepts: the booking is created from the quotation (amount, unit,
    delivery), the customer from the lead when needed; 409 if expired or too few units."""
    row, _booking = quotations.accept_quotation(
        session, actor=actor, quotation_id=quotation_id, data=body
    )
    return _shown(session, actor, row)


@router.post("/{quotation_id}/reject", response_model=QuotationPublic)
def reject_quotation(
    session: SessionDep, actor: Writer, quotation_id: uuid.UUID, body: QuotationReject
) -> Any:
    """The buyer declines a sent or expired quotation."""
    row = quotations.reject_quotation(session, actor=actor, quotation_id=quotation_id, data=body)
    return _shown(session, actor, row)


@router.post("/{quotation_id}/revise", response_model=QuotationPublic, status_code=201)
def revise_quotation(session: SessionDep, actor: Writer, quotation_id: uuid.UUID) -> Any:
    """A new draft version re-priced at today's rates; this version stays as it is."""
    row = quotations.revise_quotation(session, actor=actor, quotation_id=quotation_id)
    return _shown(session, actor, row)


@router.get("/{quotation_id}/pdf", response_class=Response, responses=PDF)
@in_thread
def quotation_pdf(session: SessionDep, actor: Reader, quotation_id: uuid.UUID) -> Response:
    """The quotation on the tenant's letterhead (a draft prints DRAFT and no number)."""
    row = quotations.get_quotation(session, actor=actor, quotation_id=quotation_id)
    today = clock.tenant_today(session, actor.tenant_id)
    content = quotation_views.quotation_pdf(
        session, tenant_id=actor.tenant_id, row=row, today=today
    )
    name = (row.number or f"quotation-draft-v{row.version}").replace("/", "-")
    return Response(
        content,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}.pdf"'},
    )
