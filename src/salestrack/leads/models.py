"""Leads, customers, campaigns and lead sources."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import Date, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from salestrack.core.db import (
    Audited,
    Base,
    TenantKeyed,
    UTCDateTime,
    tenant_fk,
    tenant_pk,
    tenant_root_fk,
)


class LeadStatus(StrEnum):
    new = "new"
    contacted = "contacted"
    qualified = "qualified"
    negotiation = "negotiation"
    converted = "converted"
    lost = "lost"


class CampaignType(StrEnum):
    email = "email"
    social = "social"
    referral = "referral"
    event = "event"
    digital = "digital"
    traditional = "traditional"
    direct = "direct"
    outbound = "outbound"


class CampaignStatus(StrEnum):
    active = "active"
    inactive = "inactive"
    completed = "completed"
    paused = "paused"


class SourceType(StrEnum):
    website = "website"
    email = "email"
    phone = "phone"
    referral = "referral"
    event = "event"
    social = "social"
    walk_in = "walk_in"
    partner = "partner"
    other = "other"


class Channel(StrEnum):
    direct = "Direct"
    organic_search = "Organic Search"
    paid_search = "Paid Search"
    social_media = "Social Media"
    referral = "Referral"
    email = "Email"
    offline = "Offline"


class CustomerStatus(StrEnum):
    active = "active"
    inactive = "inactive"


class Campaign(TenantKeyed, Audited, Base):
    __tablename__ = "campaigns"
    __table_args__ = (
        tenant_pk(),
        tenant_root_fk(),
        UniqueConstraint("tenant_id", "campaign_code"),
        tenant_fk("assigned_to", "users"),
    )

    campaign_code: Mapped[str] = mapped_column(String(50), nullable=False)
    campaign_name: Mapped[str] = mapped_column(String(200), nullable=False)
    campaign_type: Mapped[CampaignType] = mapped_column(String(20), nullable=False)
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    budget: Mapped[Decimal] = mapped_column(nullable=False, default=Decimal("0"))
    # A percentage with two decimals; the exact-decimal money type stores it.
    expected_roi: Mapped[Decimal | None] = mapped_column()
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    assigned_to: Mapped[uuid.UUID | None] = mapped_column()
    status: Mapped[CampaignStatus] = mapped_column(String(20), nullable=False)


class LeadSource(TenantKeyed, Audited, Base):
    __tablename__ = "lead_sources"
    __table_args__ = (
        tenant_pk(),
        tenant_root_fk(),
        tenant_fk("campaign_id", "campaigns"),
    )

    source_type: Mapped[SourceType] = mapped_column(String(20), nullable=False)
    subsource_name: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    channel: Mapped[Channel] = mapped_column(String(30), nullable=False)
    campaign_id: Mapped[uuid.UUID | None] = mapped_column()
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")


class Lead(TenantKeyed, Audited, Base):
    __tablename__ = "leads"
    __table_args__ = (
        tenant_pk(),
        tenant_root_fk(),
        UniqueConstraint("tenant_id", "lead_code"),
        tenant_fk("source_id", "lead_sources"),
        tenant_fk("campaign_id", "campaigns"),
        tenant_fk("assigned_to", "users"),
        Index("ix_leads_tenant_created", "tenant_id", "created_at", "id"),
        Index("ix_leads_tenant_status", "tenant_id", "status"),
        Index("ix_leads_tenant_lead_date", "tenant_id", "lead_date"),
        Index("ix_leads_tenant_phone", "tenant_id", "phone_e164"),
        Index("ix_leads_tenant_email", "tenant_id", "email_norm"),
        tenant_fk("last_source_id", "lead_sources"),
        tenant_fk("last_campaign_id", "campaigns"),
    )

    lead_code: Mapped[str] = mapped_column(String(50), nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    company: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[LeadStatus] = mapped_column(String(20), nullable=False)
    source_id: Mapped[uuid.UUID | None] = mapped_column()
    campaign_id: Mapped[uuid.UUID | None] = mapped_column()
    assigned_to: Mapped[uuid.UUID | None] = mapped_column()
    expected_value: Mapped[Decimal | None] = mapped_column()
    notes: Mapped[str] = mapped_column(Text, nullable=False, default="")
    lead_date: Mapped[date] = mapped_column(Date, nullable=False)
    # Duplicate detection: the phone in E.164 and the e-mail lower-cased (None: none).
    phone_e164: Mapped[str | None] = mapped_column(String(20))
    email_norm: Mapped[str | None] = mapped_column(String(254))
    # Attribution: ``source_id``/``campaign_id`` are the first touch. Once the lead enquires
    # again (``retouched_at``), ``last_*`` hold the last touch; before, the last touch is
    # the first (so leads that never came back need nothing stored twice).
    last_source_id: Mapped[uuid.UUID | None] = mapped_column()
    last_campaign_id: Mapped[uuid.UUID | None] = mapped_column()
    retouched_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # A lead merged into another is soft-deleted and points at the one that survived.
    merged_into: Mapped[uuid.UUID | None] = mapped_column()


class Customer(TenantKeyed, Audited, Base):
    __tablename__ = "customers"
    __table_args__ = (
        tenant_pk(),
        tenant_root_fk(),
        UniqueConstraint("tenant_id", "customer_code"),
        tenant_fk("lead_id", "leads"),
    )

    customer_code: Mapped[str] = mapped_column(String(50), nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))
    lead_id: Mapped[uuid.UUID | None] = mapped_column()
    status: Mapped[CustomerStatus] = mapped_column(String(20), nullable=False)
