"""HTTP routes for leads, customers, campaigns and lead sources (thin: services decide)."""

import uuid
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Query

from salestrack.auth.context import Actor
from salestrack.auth.deps import require
from salestrack.auth.roles import Permission
from salestrack.core.pagination import CursorParam, LimitParam, Page
from salestrack.core.schema_base import Day, SearchText
from salestrack.http.deps import SessionDep
from salestrack.http.routing import api_router, query_model
from salestrack.leads import schemas, selectors, service
from salestrack.leads.models import (
    CampaignStatus,
    CampaignType,
    Channel,
    CustomerStatus,
    LeadStatus,
    SourceType,
)
from salestrack.leads.record_routes import add_record_routes

leads_router = api_router(prefix="/api/v1/sales/leads", tags=["leads"])
customers_router = api_router(prefix="/api/v1/sales/customers", tags=["customers"])
campaigns_router = api_router(prefix="/api/v1/sales/campaigns", tags=["campaigns"])
sources_router = api_router(prefix="/api/v1/sales/lead-sources", tags=["lead sources"])

Search = Annotated[SearchText | None, Query(description="text search")]


@dataclass(frozen=True)
class LeadQuery(selectors.LeadFilters):
    """The list filters as query parameters (the search text bounded like every input)."""

    q: Search = None


def _page(found: tuple[list[Any], str | None]) -> dict[str, Any]:
    items, next_cursor = found
    return {"items": items, "next_cursor": next_cursor}


@leads_router.get("", response_model=Page[schemas.LeadPublic])
def list_leads(
    session: SessionDep,
    actor: Annotated[Actor, Depends(require(Permission.leads_read))],
    filters: Annotated[LeadQuery, query_model(LeadQuery)],
    limit: LimitParam = 50,
    cursor: CursorParam = None,
) -> dict[str, Any]:
    """Leads newest first, filtered, one page at a time."""
    return _page(
        selectors.lead_page(
            session,
            tenant_id=actor.tenant_id,
            filters=filters,
            limit=limit,
            cursor=cursor,
            plain=True,
        )
    )


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
    """Customers newest first; search matches name, code, email and phone."""
    filters = selectors.CustomerFilters(status=status, lead_id=lead_id, q=q)
    return _page(
        selectors.customer_page(
            session, tenant_id=actor.tenant_id, filters=filters, limit=limit, cursor=cursor
        )
    )


@campaigns_router.get("", response_model=Page[schemas.CampaignPublic])
def list_campaigns(
    session: SessionDep,
    actor: Annotated[Actor, Depends(require(Permission.campaigns_read))],
    status: CampaignStatus | None = None,
    campaign_type: CampaignType | None = None,
    assigned_to: uuid.UUID | None = None,
    active_on: Annotated[Day | None, Query(description="running on this day")] = None,
    q: Search = None,
    limit: LimitParam = 50,
    cursor: CursorParam = None,
) -> dict[str, Any]:
    """Campaigns newest first."""
    filters = selectors.CampaignFilters(
        status=status,
        campaign_type=campaign_type,
        assigned_to=assigned_to,
        active_on=active_on,
        q=q,
    )
    return _page(
        selectors.campaign_page(
            session, tenant_id=actor.tenant_id, filters=filters, limit=limit, cursor=cursor
        )
    )


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
    filters = selectors.SourceFilters(
        source_type=source_type, channel=channel, campaign_id=campaign_id
    )
    return _page(
        selectors.source_page(
            session, tenant_id=actor.tenant_id, filters=filters, limit=limit, cursor=cursor
        )
    )


add_record_routes(
    leads_router,
    kind=service.LEADS,
    create_schema=schemas.LeadCreate,
    update_schema=schemas.LeadUpdate,
    public_schema=schemas.LeadPublic,
    read=Permission.leads_read,
    write=Permission.leads_write,
    arrive=service.arrive,
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
