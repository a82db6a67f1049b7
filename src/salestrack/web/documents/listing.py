"""A buyer's documents, for the lead's and the customer's pages: quotations, and the
billing documents (demands, interest debit notes, receipts, credit notes) with a link to
the statement of account; each kind adds its rows through ``PROVIDERS`` (kind, number,
date, amount, status, page and PDF links), newest first. Shown only to roles that may
read money.

Billing documents belong to the customer: a lead shows those of the customer it became."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import or_
from sqlalchemy.orm import Session

from salestrack.auth import clock
from salestrack.auth.roles import Permission
from salestrack.billing import issue
from salestrack.billing.models import BillingDocument, DocumentKind
from salestrack.core import crud
from salestrack.documents import quotations
from salestrack.documents.models import Quotation
from salestrack.leads import selectors as leads
from salestrack.leads.models import Customer
from salestrack.web.kit.deps import WebUser
from salestrack.web.leads.customers import CustomerSection

LIMIT = 200


@dataclass(frozen=True)
class DocumentRow:
    kind: str
    number: str
    day: date | None
    amount: Decimal
    status: str
    href: str
    pdf_href: str


Provider = Callable[[Session, uuid.UUID, uuid.UUID | None, uuid.UUID | None], list[DocumentRow]]


def quotation_rows(
    session: Session, tenant_id: uuid.UUID, lead_id: uuid.UUID | None, customer_id: uuid.UUID | None
) -> list[DocumentRow]:
    """The buyer's quotations: the customer's and those made for their lead before."""
    today = clock.tenant_today(session, tenant_id)
    buyers = []
    if lead_id is not None:
        buyers.append(Quotation.lead_id == lead_id)
    if customer_id is not None:
        buyers.append(Quotation.customer_id == customer_id)
    stmt = crud.scoped(Quotation, tenant_id).where(or_(*buyers))
    rows = session.scalars(stmt.order_by(Quotation.created_at.desc()).limit(LIMIT))
    return [
        DocumentRow(
            kind=f"Quotation v{row.version}",
            number=row.number or "draft",
            day=row.quotation_date or row.created_at.date(),
            amount=row.grand_total,
            status=quotations.status_on(row, today).value,
            href=f"/quotations/{row.id}",
            pdf_href=f"/quotations/{row.id}/pdf",
        )
        for row in rows
    ]


BILLING_KINDS = {
    DocumentKind.demand: "Demand",
    DocumentKind.debit_note: "Debit note (interest)",
    DocumentKind.receipt: "Receipt",
    DocumentKind.credit_note: "Credit note",
}


def billing_href(row: BillingDocument) -> str:
    """Where a billing document is seen on the site: its booking's payment plan, else the
    customer's ledger."""
    if row.booking_id is not None:
        return f"/bookings/{row.booking_id}#payment-plan"
    return f"/customers/{row.customer_id}#ledger"


def billing_pdf_href(document_id: uuid.UUID) -> str:
    return f"/billing-documents/{document_id}/pdf"


def statement_href(customer_id: uuid.UUID) -> str:
    return f"/customers/{customer_id}/statement.pdf"


def billing_rows(
    session: Session, tenant_id: uuid.UUID, lead_id: uuid.UUID | None, customer_id: uuid.UUID | None
) -> list[DocumentRow]:
    """The customer's demands, debit notes, receipts and credit notes."""
    del lead_id  # they are the customer's (the lead page passes the customer it became)
    if customer_id is None:
        return []
    stmt = issue.documents_of(tenant_id, customer_id=customer_id).limit(LIMIT)
    return [
        DocumentRow(
            kind=BILLING_KINDS[DocumentKind(row.kind)],
            number=row.number,
            day=row.document_date,
            amount=row.amount,
            status="issued",
            href=billing_href(row),
            pdf_href=billing_pdf_href(row.id),
        )
        for row in session.scalars(stmt)
    ]


PROVIDERS: list[Provider] = [quotation_rows, billing_rows]


def customer_of_lead(
    session: Session, *, tenant_id: uuid.UUID, lead_id: uuid.UUID
) -> Customer | None:
    """The (newest live) customer the lead became, if it became one."""
    stmt = leads.filtered_customers(
        tenant_id=tenant_id, filters=leads.CustomerFilters(lead_id=lead_id)
    )
    return session.scalars(stmt.order_by(Customer.created_at.desc()).limit(1)).first()


def buyer_documents(
    session: Session, user: WebUser, *, lead_id: uuid.UUID | None, customer_id: uuid.UUID | None
) -> list[DocumentRow] | None:
    """Every document of the buyer, newest first; None for a role that may not read money."""
    if not user.can(Permission.money_read):
        return None
    found = [
        row
        for provider in PROVIDERS
        for row in provider(session, user.actor.tenant_id, lead_id, customer_id)
    ]
    return sorted(found, key=lambda r: r.day or date.min, reverse=True)


def documents_section(
    session: Session, user: WebUser, customer: Customer
) -> CustomerSection | None:
    """The customer page's documents block (with a link to a new quotation)."""
    rows = buyer_documents(session, user, lead_id=customer.lead_id, customer_id=customer.id)
    if rows is None:
        return None
    return CustomerSection(
        "Documents",
        "documents/_list.html",
        {
            "documents": rows,
            "new_quotation": f"/quotations/new?customer_id={customer.id}",
            "statement": statement_href(customer.id),
            "can_write": user.can(Permission.money_write),
        },
    )
