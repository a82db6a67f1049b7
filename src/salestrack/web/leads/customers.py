"""Customer pages: a searchable list and one customer with the lead they came from.

The detail page is built from sections so other domains can add theirs without touching
this module: ``install_web`` names the section providers once, in order
(``install_customer_sections``); the money pages' provider returns the ledger block
(template + context), or None for a user who may not see money.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from salestrack.auth.roles import Permission
from salestrack.http.deps import SessionDep
from salestrack.leads import selectors, service
from salestrack.leads.models import Customer, CustomerStatus
from salestrack.leads.selectors import CustomerFilters
from salestrack.web.kit.choices import page_id
from salestrack.web.kit.deps import WebUser, user_with
from salestrack.web.kit.paging import ListFilters, filtered_page, search_text
from salestrack.web.kit.render import render

router = APIRouter(prefix="/customers", include_in_schema=False)
Reader = Annotated[WebUser, user_with(Permission.customers_read)]


@dataclass(frozen=True)
class CustomerSection:
    """A block of the customer page: ``template`` is included with ``section`` in scope."""

    title: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)


CustomerSectionProvider = Callable[[Session, WebUser, Customer], CustomerSection | None]


def install_customer_sections(app: FastAPI, providers: Sequence[CustomerSectionProvider]) -> None:
    """The providers called, in order, for each customer page (``install_web`` calls this)."""
    app.state.customer_sections = tuple(providers)


def _providers(request: Request) -> tuple[CustomerSectionProvider, ...]:
    providers: tuple[CustomerSectionProvider, ...] = request.app.state.customer_sections
    return providers


# The list's filters in link order, each with how its text is read.
FILTERS = ListFilters(CustomerFilters, {"q": search_text, "status": CustomerStatus})


@router.get("")
def customer_list(request: Request, session: SessionDep, user: Reader) -> Response:
    """Customers newest first; search by name, code, email or phone; filter by status."""
    filters, values, errors = FILTERS.read(request.query_params)
    tenant_id = user.actor.tenant_id
    page = filtered_page(request, session, tenant_id, selectors.customer_page, filters)
    lead_ids = {row.lead_id for row in page.rows if row.lead_id is not None}
    return render(
        request,
        "customers/list.html",
        {
            "rows": page.rows,
            "leads": selectors.leads_by_id(session, tenant_id=tenant_id, ids=lead_ids),
            **page.filter_context(values, errors),
            "statuses": list(CustomerStatus),
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
        found = selectors.leads_by_id(
            session, tenant_id=user.actor.tenant_id, ids={customer.lead_id}
        )
        lead = found.get(customer.lead_id)
    sections = [
        section
        for provider in _providers(request)
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
