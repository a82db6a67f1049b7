"""Request and response shapes for leads, customers, campaigns and sources."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import ClassVar

from pydantic import Field

from salestrack.core.schema_base import (
    TODAY_IF_OMITTED,
    Code,
    Day,
    Email,
    InputModel,
    Money,
    Name,
    Notes,
    OutputModel,
    Percent,
    Phone,
    ShortText,
    UpdateModel,
)
from salestrack.leads.models import (
    CampaignStatus,
    CampaignType,
    Channel,
    CustomerStatus,
    LeadStatus,
    SourceType,
)


class Audit(OutputModel):
    created_at: datetime
    created_by: uuid.UUID | None
    updated_at: datetime
    updated_by: uuid.UUID | None


# --- leads -------------------------------------------------------------------------


class LeadBase(InputModel):
    name: Name
    company: ShortText = ""
    email: Email | None = None
    phone: Phone | None = None
    source_id: uuid.UUID | None = None
    campaign_id: uuid.UUID | None = None
    assigned_to: uuid.UUID | None = None
    expected_value: Money | None = None
    notes: Notes = ""


class LeadCreate(LeadBase):
    lead_code: Code | None = None
    status: LeadStatus = LeadStatus.new
    lead_date: Day | None = Field(None, description=TODAY_IF_OMITTED)


class LeadUpdate(UpdateModel):
    NOT_NULL: ClassVar[frozenset[str]] = frozenset(
        {"name", "company", "status", "notes", "lead_date"}
    )
    name: Name | None = None
    company: ShortText | None = None
    email: Email | None = None
    phone: Phone | None = None
    status: LeadStatus | None = None
    source_id: uuid.UUID | None = None
    campaign_id: uuid.UUID | None = None
    assigned_to: uuid.UUID | None = None
    expected_value: Money | None = None
    notes: Notes | None = None
    lead_date: Day | None = None


class LeadPublic(Audit):
    id: uuid.UUID
    lead_code: str
    name: str
    company: str
    email: str | None
    phone: str | None
    status: LeadStatus
    source_id: uuid.UUID | None
    campaign_id: uuid.UUID | None
    assigned_to: uuid.UUID | None
    expected_value: Decimal | None
    notes: str
    lead_date: date


# --- customers ---------------------------------------------------------------------


class CustomerCreate(InputModel):
    customer_code: Code | None = None
    name: Name
    email: Email | None = None
    phone: Phone | None = None
    lead_id: uuid.UUID | None = None
    status: CustomerStatus = CustomerStatus.active


class CustomerUpdate(UpdateModel):
    NOT_NULL: ClassVar[frozenset[str]] = frozenset({"name", "status"})
    name: Name | None = None
    email: Email | None = None
    phone: Phone | None = None
    lead_id: uuid.UUID | None = None
    status: CustomerStatus | None = None


class CustomerPublic(Audit):
    id: uuid.UUID
    customer_code: str
    name: str
    email: str | None
    phone: str | None
    lead_id: uuid.UUID | None
    status: CustomerStatus


# --- campaigns ---------------------------------------------------------------------


class CampaignCreate(InputModel):
    campaign_code: Code | None = None
    campaign_name: Name
    campaign_type: CampaignType
    start_date: Day | None = None
    end_date: Day | None = None
    budget: Money = Decimal("0")
    expected_roi: Percent | None = None
    description: Notes = ""
    assigned_to: uuid.UUID | None = None
    status: CampaignStatus = CampaignStatus.active


class CampaignUpdate(UpdateModel):
    NOT_NULL: ClassVar[frozenset[str]] = frozenset(
        {"campaign_name", "campaign_type", "budget", "description", "status"}
    )
    campaign_name: Name | None = None
    campaign_type: CampaignType | None = None
    start_date: Day | None = None
    end_date: Day | None = None
    budget: Money | None = None
    expected_roi: Percent | None = None
    description: Notes | None = None
    assigned_to: uuid.UUID | None = None
    status: CampaignStatus | None = None


class CampaignPublic(Audit):
    id: uuid.UUID
    campaign_code: str
    campaign_name: str
    campaign_type: CampaignType
    start_date: date | None
    end_date: date | None
    budget: Decimal
    expected_roi: Decimal | None
    description: str
    assigned_to: uuid.UUID | None
    status: CampaignStatus


# --- lead sources ------------------------------------------------------------------


class LeadSourceCreate(InputModel):
    source_type: SourceType
    subsource_name: ShortText = ""
    channel: Channel
    campaign_id: uuid.UUID | None = None
    description: Notes = ""


class LeadSourceUpdate(UpdateModel):
    NOT_NULL: ClassVar[frozenset[str]] = frozenset(
        {"source_type", "subsource_name", "channel", "description"}
    )
    source_type: SourceType | None = None
    subsource_name: ShortText | None = None
    channel: Channel | None = None
    campaign_id: uuid.UUID | None = None
    description: Notes | None = None


class LeadSourcePublic(Audit):
    id: uuid.UUID
    source_type: SourceType
    subsource_name: str
    channel: Channel
    campaign_id: uuid.UUID | None
    description: str
