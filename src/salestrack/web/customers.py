"""Customer pages: a searchable list and one customer with the lead they came from.

The detail page is built from sections so other domains can add theirs without touching
this module: the money domain appends a provider to ``CUSTOMER_SECTIONS`` that returns
its ledger block (template + context), or None for a user who may not see money.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from salestrack.auth.roles import Permission
from salestrack.core import crud
from salestrack.core.errors import Unprocessable
from salestrack.core.pagination import paginate
from salestrack.http.deps import SessionDep
from salestrack.leads import service
from salestrack.leads.models import Customer, CustomerStatus, Lead
from salestrack.web.choices import page_id
from salestrack.web.deps import WebUser, user_with
from salestrack.web.render import query_string, render

router = APIRouter(prefix="/customers", include_in_schema=False)
Reader = Annotated[WebUser, user_with(Permission.customers_read)]
PAGE_SIZE = 25


@dataclass(frozen=True)
class CustomerSection:
    """A block of the customer page: ``template`` is included with ``section`` in scope."""

    title: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)


CustomerSectionProvider = Callable[[Session, WebUser, Customer], CustomerSection | None]
CUSTOMER_SECTIONS: list[CustomerSectionProvider] = []
"""Providers called in order for each customer page (e.g. the ledger, once money lands)."""


def _leads_by_id(session: Session, tenant_id: uuid.UUID, ids: set[uuid.UUID]) -> dict[Any, Lead]:
    """The live leads among ``ids``, in one query (a deleted lead is simply absent)."""
    if not ids:
        return {}
    rows = session.scalars(crud.scoped(Lead, tenant_id).where(Lead.id.in_(ids)))
    return {lead.id: lead for lead in rows}


@router.get("")
def customer_list(request: Request, session: SessionDep, user: Reader) -> Response:
    """Customers newest first; search by name, code, email or phone; filter by status."""
    params = request.query_params
    values = {k: params.get(k, "").strip() for k in ("q", "status")}
    errors: dict[str, str] = {}
    tenant_id = user.actor.tenant_id
    stmt = service.CUSTOMERS.listing(tenant_id=tenant_id)
    if values["status"]:
        if values["status"] in CustomerStatus.__members__.values():
            stmt = stmt.where(Customer.status == values["status"])
        else:
            errors["status"] = "Not a valid choice; ignored."
    if values["q"]:
        stmt = stmt.where(
            crud.text_search(
                values["q"][:200],
                Customer.name,
                Customer.customer_code,
                Customer.email,
                Customer.phone,
            )
        )
    cursor = params.get("cursor") or None
    try:
        rows, next_cursor = paginate(session, stmt, Customer, limit=PAGE_SIZE, cursor=cursor)
    except Unprocessable:
        cursor = None
        rows, next_cursor = paginate(session, stmt, Customer, limit=PAGE_SIZE, cursor=None)
    lead_ids = {row.lead_id for row in rows if row.lead_id is not None}
    return render(
        request,
        "customers/list.html",
        {
            "rows": rows,
            "leads": _leads_by_id(session, tenant_id, lead_ids),
            "values": values,
            "errors": errors,
            "statuses": list(CustomerStatus),
            "filtered": any(values.values()),
            "next_link": query_string({**values, "cursor": next_cursor}) if next_cursor else None,
            "first_link": (query_string(values) or "?") if cursor else None,
        },
    )


@router.get("/{customer_id}")
def customer_detail(
    request: Request, session: SessionDep, user: Reader, customer_id: str
) -> Response:
    """One customer, the lead they came from, and the sections other domains add."""
    customer: Customer = service.CUSTOMERS.get(
        session, actor=user.actor, row_id=page_id(customer_id)
    )
    return detail_page(request, session, user, customer)


def detail_page(
    request: Request,
    session: Session,
    user: WebUser,
    customer: Customer,
    *,
    forms: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    """The customer page; a section's refused form comes back in ``forms`` (by name) so its
    template can show the errors beside the fields with what was typed."""
    lead = None
    if customer.lead_id is not None:
        lead = _leads_by_id(session, user.actor.tenant_id, {customer.lead_id}).get(customer.lead_id)
    sections = [
        section
        for provider in CUSTOMER_SECTIONS
        if (section := provider(session, user, customer)) is not None
    ]
    return render(
        request,
        "customers/detail.html",
        {
            "customer": customer,
            "lead": lead,
            "sections": sections,
            "forms": forms or {},
            "done": request.query_params.get("done"),
        },
        status=status,
    )
