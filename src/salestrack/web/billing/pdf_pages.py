"""The billing documents' PDFs and the customer's statement of account, for the pages.

The API serves the same files to a token (``GET /api/v1/sales/.../pdf``); these routes
serve them to a logged-in session, so a link on a page downloads them. Money: viewers,
managers and admins read; sales reps are refused (403); another tenant's id is 404.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter
from starlette.responses import Response

from salestrack.auth import clock
from salestrack.auth.roles import Permission
from salestrack.billing import issue, pdfs, statement
from salestrack.core.errors import Unprocessable
from salestrack.core.schema_base import parse_day
from salestrack.http.deps import SessionDep
from salestrack.leads import service as customers
from salestrack.web.kit.choices import page_id
from salestrack.web.kit.deps import WebUser, user_with

router = APIRouter(include_in_schema=False)
Reader = Annotated[WebUser, user_with(Permission.money_read)]


def _pdf(content: bytes, name: str) -> Response:
    return Response(
        content,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}.pdf"'},
    )


def _day(text: str, name: str) -> date | None:
    """A day from the link (empty: none); a bad one is refused (422), never guessed."""
    if not text:
        return None
    try:
        return parse_day(text)
    except ValueError:
        raise Unprocessable(f"{name}: give a day as YYYY-MM-DD", field=name) from None


@router.get("/billing-documents/{document_id}/pdf")
def document_pdf(session: SessionDep, user: Reader, document_id: str) -> Response:
    """A demand letter, receipt, credit or debit note, as the customer receives it."""
    row = issue.get_document(session, actor=user.actor, document_id=page_id(document_id))
    content = pdfs.document_pdf(session, row=row)
    return _pdf(content, row.number.replace("/", "-"))


@router.get("/customers/{customer_id}/statement.pdf")
def statement_pdf(
    session: SessionDep, user: Reader, customer_id: str, date_from: str = "", date_to: str = ""
) -> Response:
    """The customer's statement of account, optionally between two days."""
    customer = customers.CUSTOMERS.get(session, actor=user.actor, row_id=page_id(customer_id))
    shown = statement.statement(
        session,
        actor=user.actor,
        customer_id=customer.id,
        date_from=_day(date_from, "date_from"),
        date_to=_day(date_to, "date_to"),
    )
    today = clock.tenant_today(session, user.actor.tenant_id)
    content = pdfs.statement_pdf(session, tenant_id=user.actor.tenant_id, shown=shown, today=today)
    return _pdf(content, f"statement-{customer.customer_code}")
