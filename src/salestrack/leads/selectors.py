"""Reading leads, customers, campaigns and lead sources: the filters and queries that the
API's list routes and the web pages share, so a search finds the same rows in both.

Every function is read-only, takes the session and the tenant keyword-only and sees only
live (not soft-deleted) rows unless it says otherwise.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, bindparam, func, or_, select
from sqlalchemy.orm import Session

from salestrack.core import crud, reads
from salestrack.core.pagination import newest_first, paginate, prepared_page
from salestrack.core.schema_base import Day
from salestrack.leads.models import (
    Campaign,
    CampaignStatus,
    CampaignType,
    Channel,
    Customer,
    CustomerStatus,
    Lead,
    LeadSource,
    LeadStatus,
    SourceType,
)

MAX_CHOICES = 500


@dataclass(frozen=True)
class LeadFilters:
    status: LeadStatus | None = None
    source_id: uuid.UUID | None = None
    campaign_id: uuid.UUID | None = None
    assigned_to: uuid.UUID | None = None
    created_from: Day | None = None
    created_to: Day | None = None
    lead_date_from: Day | None = None
    lead_date_to: Day | None = None
    q: str | None = None


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


# Each filter's condition, on a parameter of the filter's name (``_lead_filter_values``).
_LEAD_CONDITIONS: dict[str, Callable[[], ColumnElement[bool]]] = {
    "status": lambda: Lead.status == bindparam("status"),
    "source_id": lambda: Lead.source_id == bindparam("source_id"),
    "campaign_id": lambda: Lead.campaign_id == bindparam("campaign_id"),
    "assigned_to": lambda: Lead.assigned_to == bindparam("assigned_to"),
    "created_from": lambda: Lead.created_at >= bindparam("created_from"),
    "created_to": lambda: Lead.created_at < bindparam("created_to"),
    "lead_date_from": lambda: Lead.lead_date >= bindparam("lead_date_from"),
    "lead_date_to": lambda: Lead.lead_date <= bindparam("lead_date_to"),
    "q": lambda: crud.text_search_on("q", Lead.name, Lead.company, Lead.lead_code),
}


def _lead_filter_values(filters: LeadFilters) -> dict[str, Any]:
    """The parameters of the filters given (dates inclusive, search case-blind)."""
    values: dict[str, Any] = {
        name: getattr(filters, name)
        for name in ("status", "source_id", "campaign_id", "assigned_to")
        if getattr(filters, name) is not None
    }
    if filters.created_from:
        values["created_from"] = _day_start(filters.created_from)
    if filters.created_to:
        values["created_to"] = _day_start(filters.created_to + timedelta(days=1))
    if filters.lead_date_from:
        values["lead_date_from"] = filters.lead_date_from
    if filters.lead_date_to:
        values["lead_date_to"] = filters.lead_date_to
    if filters.q:
        values["q"] = crud.contains_pattern(filters.q)
    return values


def filtered_leads(*, tenant_id: uuid.UUID, filters: LeadFilters) -> Select[tuple[Lead]]:
    """The tenant's live leads matching ``filters`` (dates inclusive, search case-blind)."""
    values = _lead_filter_values(filters)
    stmt = crud.scoped(Lead, tenant_id).where(*(_LEAD_CONDITIONS[name]() for name in values))
    return stmt.params(values)


def _lead_page_statement(shape: tuple[tuple[str, ...], bool]) -> Select[Any]:
    names, after_cursor = shape
    stmt = select(*Lead.__table__.columns).where(
        Lead.tenant_id == bindparam("tenant_id"),
        Lead.deleted_at.is_(None),
        *(_LEAD_CONDITIONS[name]() for name in names),
    )
    return newest_first(stmt, Lead, after_cursor=after_cursor)


# The API's lead list: one prepared read per combination of filters (and cursor or not).
_LEAD_PAGES = reads.Shapes(_lead_page_statement)


def lead_page(
    session: Session,
    *,
    tenant_id: uuid.UUID,
    filters: LeadFilters,
    limit: int,
    cursor: str | None,
    plain: bool = False,
) -> tuple[list[Any], str | None]:
    """One page of the leads matching ``filters``, newest first, and the next cursor (as
    column mappings with ``plain``, for an answer that only serializes them: a prepared
    read, ``core.reads``)."""
    if not plain:
        stmt = filtered_leads(tenant_id=tenant_id, filters=filters)
        return paginate(session, stmt, Lead, limit=limit, cursor=cursor)
    values = _lead_filter_values(filters)
    params = {**values, "tenant_id": tenant_id}
    shape = (tuple(values),)
    return prepared_page(session, _LEAD_PAGES, shape, params, limit=limit, cursor=cursor)


def lead_status_counts(
    session: Session, *, tenant_id: uuid.UUID, filters: LeadFilters
) -> dict[str, int]:
    """Leads per status under every filter but the status (zero for a status with none)."""
    stmt = filtered_leads(tenant_id=tenant_id, filters=replace(filters, status=None))
    rows = session.execute(
        stmt.with_only_columns(Lead.status, func.count()).group_by(Lead.status)
    ).all()
    found = {str(status): int(count) for status, count in rows}
    return {status.value: found.get(status.value, 0) for status in LeadStatus}


def find_leads(session: Session, *, tenant_id: uuid.UUID, text: str, limit: int) -> list[Lead]:
    """Leads whose code is ``text`` first, then those whose name, company or code contain it."""
    exact = session.scalars(
        crud.scoped(Lead, tenant_id).where(func.lower(Lead.lead_code) == text.lower()).limit(1)
    ).all()
    stmt = filtered_leads(tenant_id=tenant_id, filters=LeadFilters(q=text))
    found = session.scalars(stmt.order_by(Lead.name, Lead.lead_code).limit(limit)).all()
    seen = {lead.id for lead in exact}
    return [*exact, *(lead for lead in found if lead.id not in seen)][:limit]


def leads_by_id(
    session: Session, *, tenant_id: uuid.UUID, ids: set[uuid.UUID]
) -> dict[uuid.UUID, Lead]:
    """The live leads among ``ids`` in one query (a deleted lead is simply absent)."""
    if not ids:
        return {}
    rows = session.scalars(crud.scoped(Lead, tenant_id).where(Lead.id.in_(ids)))
    return {lead.id: lead for lead in rows}


@dataclass(frozen=True)
class CustomerFilters:
    status: CustomerStatus | None = None
    lead_id: uuid.UUID | None = None
    q: str | None = None


def filtered_customers(
    *, tenant_id: uuid.UUID, filters: CustomerFilters
) -> Select[tuple[Customer]]:
    """The live customers matching ``filters``; the search matches name, code, email, phone."""
    stmt = crud.scoped(Customer, tenant_id)
    pairs = ((Customer.status, filters.status), (Customer.lead_id, filters.lead_id))
    stmt = crud.where_equal(stmt, pairs)
    if filters.q:
        columns = (Customer.name, Customer.customer_code, Customer.email, Customer.phone)
        stmt = stmt.where(crud.text_search(filters.q, *columns))
    return stmt


def customer_page(
    session: Session,
    *,
    tenant_id: uuid.UUID,
    filters: CustomerFilters,
    limit: int,
    cursor: str | None,
) -> tuple[list[Customer], str | None]:
    """One page of the customers matching ``filters``, newest first, and the next cursor."""
    stmt = filtered_customers(tenant_id=tenant_id, filters=filters)
    return paginate(session, stmt, Customer, limit=limit, cursor=cursor)


def customers_by_id(
    session: Session, *, tenant_id: uuid.UUID, ids: set[uuid.UUID]
) -> dict[uuid.UUID, Customer]:
    """The customers among ``ids`` in one query, deleted ones too (a booking keeps its name)."""
    if not ids:
        return {}
    rows = session.scalars(
        select(Customer).where(Customer.tenant_id == tenant_id, Customer.id.in_(ids))
    )
    return {c.id: c for c in rows}


def customer_choices(session: Session, *, tenant_id: uuid.UUID) -> list[Customer]:
    """The live customers by name, for a pick-list (at most ``MAX_CHOICES``)."""
    stmt = crud.scoped(Customer, tenant_id).order_by(Customer.name).limit(MAX_CHOICES)
    return list(session.scalars(stmt))


@dataclass(frozen=True)
class CampaignFilters:
    status: CampaignStatus | None = None
    campaign_type: CampaignType | None = None
    assigned_to: uuid.UUID | None = None
    active_on: date | None = None
    q: str | None = None


def filtered_campaigns(
    *, tenant_id: uuid.UUID, filters: CampaignFilters
) -> Select[tuple[Campaign]]:
    """The live campaigns matching ``filters``; the search matches name and code."""
    stmt = crud.scoped(Campaign, tenant_id)
    pairs = (
        (Campaign.status, filters.status),
        (Campaign.campaign_type, filters.campaign_type),
        (Campaign.assigned_to, filters.assigned_to),
    )
    stmt = crud.where_equal(stmt, pairs)
    if filters.active_on:
        stmt = stmt.where(
            or_(Campaign.start_date.is_(None), Campaign.start_date <= filters.active_on),
            or_(Campaign.end_date.is_(None), Campaign.end_date >= filters.active_on),
        )
    if filters.q:
        stmt = stmt.where(
            crud.text_search(filters.q, Campaign.campaign_name, Campaign.campaign_code)
        )
    return stmt


def campaign_page(
    session: Session,
    *,
    tenant_id: uuid.UUID,
    filters: CampaignFilters,
    limit: int,
    cursor: str | None,
) -> tuple[list[Campaign], str | None]:
    """One page of the campaigns matching ``filters``, newest first, and the next cursor."""
    stmt = filtered_campaigns(tenant_id=tenant_id, filters=filters)
    return paginate(session, stmt, Campaign, limit=limit, cursor=cursor)


def campaign_choices(session: Session, *, tenant_id: uuid.UUID) -> list[Campaign]:
    """The live campaigns by name, for a pick-list (at most ``MAX_CHOICES``)."""
    stmt = crud.scoped(Campaign, tenant_id).order_by(Campaign.campaign_name).limit(MAX_CHOICES)
    return list(session.scalars(stmt))


@dataclass(frozen=True)
class SourceFilters:
    source_type: SourceType | None = None
    channel: Channel | None = None
    campaign_id: uuid.UUID | None = None


def source_page(
    session: Session,
    *,
    tenant_id: uuid.UUID,
    filters: SourceFilters,
    limit: int,
    cursor: str | None,
) -> tuple[list[LeadSource], str | None]:
    """One page of the live lead sources matching ``filters``, newest first."""
    pairs = (
        (LeadSource.source_type, filters.source_type),
        (LeadSource.channel, filters.channel),
        (LeadSource.campaign_id, filters.campaign_id),
    )
    stmt = crud.where_equal(crud.scoped(LeadSource, tenant_id), pairs)
    return paginate(session, stmt, LeadSource, limit=limit, cursor=cursor)


def source_choices(session: Session, *, tenant_id: uuid.UUID) -> list[LeadSource]:
    """The live lead sources by type and name, for a pick-list (at most ``MAX_CHOICES``)."""
    stmt = (
        crud.scoped(LeadSource, tenant_id)
        .order_by(LeadSource.source_type, LeadSource.subsource_name)
        .limit(MAX_CHOICES)
    )
    return list(session.scalars(stmt))
