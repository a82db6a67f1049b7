"""Lead rules: codes, references, filters. Routes stay thin and call these."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select
from sqlalchemy.orm import Session

from salestrack.auth.context import Actor
from salestrack.auth.models import User
from salestrack.core import crud
from salestrack.core.errors import Unprocessable
from salestrack.core.records import CodeRule, RecordKind
from salestrack.leads.models import Campaign, Customer, Lead, LeadSource, LeadStatus
from salestrack.leads.schemas import LeadCreate, LeadUpdate


def _campaign_dates(row: Campaign | None, values: dict[str, Any]) -> None:
    start = values.get("start_date", row.start_date if row else None)
    end = values.get("end_date", row.end_date if row else None)
    if start and end and end < start:
        raise Unprocessable("end_date may not be before start_date")


LEADS = RecordKind(
    model=Lead,
    entity="lead",
    label="lead",
    references={"source_id": LeadSource, "campaign_id": Campaign, "assigned_to": User},
    code=CodeRule("lead_code", "LEAD"),
)
CUSTOMERS = RecordKind(
    model=Customer,
    entity="customer",
    label="customer",
    references={"lead_id": Lead},
    code=CodeRule("customer_code", "CUST", yearly=False),
)
CAMPAIGNS = RecordKind(
    model=Campaign,
    entity="campaign",
    label="campaign",
    references={"assigned_to": User},
    code=CodeRule("campaign_code", "CAMP"),
    validate=_campaign_dates,
)
SOURCES = RecordKind(
    model=LeadSource,
    entity="lead_source",
    label="lead source",
    references={"campaign_id": Campaign},
)


def create_lead(session: Session, *, actor: Actor, data: LeadCreate) -> Lead:
    """Create a lead; its code is generated (LEAD-YYYY-NNNN) unless one is given."""
    lead: Lead = LEADS.create(session, actor=actor, data=data)
    return lead


def get_lead(
    session: Session, *, actor: Actor, lead_id: uuid.UUID, for_update: bool = False
) -> Lead:
    lead: Lead = LEADS.get(session, actor=actor, row_id=lead_id, for_update=for_update)
    return lead


def update_lead(session: Session, *, actor: Actor, lead_id: uuid.UUID, data: LeadUpdate) -> Lead:
    lead: Lead = LEADS.update(session, actor=actor, row_id=lead_id, data=data)
    return lead


def delete_lead(session: Session, *, actor: Actor, lead_id: uuid.UUID) -> None:
    LEADS.delete(session, actor=actor, row_id=lead_id)


@dataclass(frozen=True)
class LeadFilters:
    status: LeadStatus | None = None
    source_id: uuid.UUID | None = None
    campaign_id: uuid.UUID | None = None
    assigned_to: uuid.UUID | None = None
    created_from: date | None = None
    created_to: date | None = None
    lead_date_from: date | None = None
    lead_date_to: date | None = None
    q: str | None = None


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def filtered_leads(*, tenant_id: uuid.UUID, filters: LeadFilters) -> Select[tuple[Lead]]:
    """The tenant's live leads matching ``filters`` (dates inclusive, search case-blind)."""
    stmt = crud.scoped(Lead, tenant_id)
    fields = ("status", "source_id", "campaign_id", "assigned_to")
    stmt = crud.where_equal(stmt, ((getattr(Lead, f), getattr(filters, f)) for f in fields))
    if filters.created_from:
        stmt = stmt.where(Lead.created_at >= _day_start(filters.created_from))
    if filters.created_to:
        stmt = stmt.where(Lead.created_at < _day_start(filters.created_to + timedelta(days=1)))
    if filters.lead_date_from:
        stmt = stmt.where(Lead.lead_date >= filters.lead_date_from)
    if filters.lead_date_to:
        stmt = stmt.where(Lead.lead_date <= filters.lead_date_to)
    if filters.q:
        stmt = stmt.where(crud.text_search(filters.q, Lead.name, Lead.company, Lead.lead_code))
    return stmt
