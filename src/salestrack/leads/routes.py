"""HTTP routes for leads, customers, campaigns and lead sources (thin: services decide)."""

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from fastapi import Depends, Query
from sqlalchemy import or_

from salestrack.auth.context import Actor
from salestrack.auth.deps import require
from salestrack.auth.roles import Permission
from salestrack.core import crud
from salestrack.core.pagination import CursorParam, LimitParam, Page, paginate
from salestrack.http.deps import SessionDep
from salestrack.http.routing import add_record_routes, api_router
from salestrack.leads import schemas, service
from salestrack.leads.models import (
    Campaign,
    CampaignStatus,
    CampaignType,
    Channel,
    Customer,
    CustomerStatus,
    LeadSource,
    LeadStatus,
    SourceType,
)

leads_router = api_router(prefix="/api/v1/sales/leads", tags=["leads"])
customers_router = api_router(prefix="/api/v1/sales/customers", tags=["customers"])
campaigns_router = api_router(prefix="/api/v1/sales/campaigns", tags=["campaigns"])
sources_router = api_router(prefix="/api/v1/sales/lead-sources", tags=["lead sources"])

Search = Annotated[str | None, Query(max_length=200, description="text search")]


@dataclass(frozen=True)
class LeadQuery(service.LeadFilters):
    """The list filters as query parameters (the search text bounded like every input)."""

    q: Annotated[str | None, Query(max_length=200, description="text search")] = None


def _page(session: Any, stmt: Any, model: Any, limit: int, cursor: str | None) -> dict[str, Any]:
    items, next_cursor = paginate(session, stmt, model, limit=limit, cursor=cursor)
    return {"items": items, "next_cursor": next_cursor}


@leads_router.get("", response_model=Page[schemas.LeadPublic])
def list_leads(
    session: SessionDep,
    actor: Annotated[Actor, Depends(require(Permission.leads_read))],
    filters: Annotated[LeadQuery, Depends()],
    limit: LimitParam = 50,
    cursor: CursorParam = None,
) -> dict[str, Any]:
    """Leads newest first, filtered, one page at a time."""
    stmt = service.filtered_leads(tenant_id=actor.tenant_id, filters=filters)
    return _page(session, stmt, service.LEADS.model, limit, cursor)


@customers_router.get("", response_model=Page[schemas.CustomerPublic])
def list_customers(
    session: SessionDep,
    actor: Annotated[Actor, Depends(require(Permission.customers_read))],
    status: CustomerStatus | None = None,
    lead_id: uuid.UUID | None = None,
    q: Search = None,
    limit: LimitParam = 50,
    cursor: CursorParam = None,
) -> dict[str, Any]:
    """Customers newest first; search matches name, code and email."""
    stmt = crud.scoped(Customer, actor.tenant_id)
    if status:
        stmt = stmt.where(Customer.status == status)
    if lead_id:
        stmt = stmt.where(Customer.lead_id == lead_id)
    if q:
        stmt = stmt.where(
            crud.text_search(q, Customer.name, Customer.customer_code, Customer.email)
        )
    return _page(session, stmt, Customer, limit, cursor)


@campaigns_router.get("", response_model=Page[schemas.CampaignPublic])
def list_campaigns(
    session: SessionDep,
    actor: Annotated[Actor, Depends(require(Permission.campaigns_read))],
    status: CampaignStatus | None = None,
    campaign_type: CampaignType | None = None,
    assigned_to: uuid.UUID | None = None,
    active_on: Annotated[date | None, Query(description="running on this day")] = None,
    q: Search = None,
    limit: LimitParam = 50,
    cursor: CursorParam = None,
) -> dict[str, Any]:
    """Campaigns newest first."""
    stmt = crud.scoped(Campaign, actor.tenant_id)
    stmt = crud.where_equal(
        stmt,
        (
            (Campaign.status, status),
            (Campaign.campaign_type, campaign_type),
            (Campaign.assigned_to, assigned_to),
        ),
    )
    if active_on:
        stmt = stmt.where(
            or_(Campaign.start_date.is_(None), Campaign.start_date <= active_on),
            or_(Campaign.end_date.is_(None), Campaign.end_date >= active_on),
        )
    if q:
        stmt = stmt.where(crud.text_search(q, Campaign.campaign_name, Campaign.campaign_code))
    return _page(session, stmt, Campaign, limit, cursor)


@sources_router.get("", response_model=Page[schemas.LeadSourcePublic])
def list_sources(
    session: SessionDep,
    actor: Annotated[Actor, Depends(require(Permission.sources_read))],
    source_type: SourceType | None = None,
    channel: Channel | None = None,
    campaign_id: uuid.UUID | None = None,
    limit: LimitParam = 50,
    cursor: CursorParam = None,
) -> dict[str, Any]:
    """Lead sources newest first."""
    stmt = crud.scoped(LeadSource, actor.tenant_id)
    stmt = crud.where_equal(
        stmt,
        (
            (LeadSource.source_type, source_type),
            (LeadSource.channel, channel),
            (LeadSource.campaign_id, campaign_id),
        ),
    )
    return _page(session, stmt, LeadSource, limit, cursor)


add_record_routes(
    leads_router,
    kind=service.LEADS,
    create_schema=schemas.LeadCreate,
    update_schema=schemas.LeadUpdate,
    public_schema=schemas.LeadPublic,
    read=Permission.leads_read,
    write=Permission.leads_write,
)
add_record_routes(
    customers_router,
    kind=service.CUSTOMERS,
    create_schema=schemas.CustomerCreate,
    update_schema=schemas.CustomerUpdate,
    public_schema=schemas.CustomerPublic,
    read=Permission.customers_read,
    write=Permission.customers_write,
)
add_record_routes(
    campaigns_router,
    kind=service.CAMPAIGNS,
    create_schema=schemas.CampaignCreate,
    update_schema=schemas.CampaignUpdate,
    public_schema=schemas.CampaignPublic,
    read=Permission.campaigns_read,
    write=Permission.campaigns_write,
)
add_record_routes(
    sources_router,
    kind=service.SOURCES,
    create_schema=schemas.LeadSourceCreate,
    update_schema=schemas.LeadSourceUpdate,
    public_schema=schemas.LeadSourcePublic,
    read=Permission.sources_read,
    write=Permission.sources_write,
)

__all__ = ["LeadStatus", "campaigns_router", "customers_router", "leads_router", "sources_router"]
