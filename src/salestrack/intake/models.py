"""Touches (each enquiry's attribution), the rules that map them, and assignment rules."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from salestrack.core.db import (
    Audited,
    Base,
    TenantKeyed,
    UTCDateTime,
    tenant_fk,
    tenant_pk,
    tenant_root_fk,
    utcnow,
)

ATTRIBUTION_FIELDS = (
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "utm_term",
    "utm_content",
    "gclid",
    "fbclid",
    "referrer",
)


class LeadTouch(TenantKeyed, Base):
    """One enquiry of a lead with its attribution as it arrived and as it was mapped.

    The first touch of a lead is its earliest row; every re-enquiry adds one, so the
    history of where a buyer came from is never overwritten.
    """

    __tablename__ = "lead_touches"
    __table_args__ = (
        tenant_pk(),
        tenant_root_fk(),
        tenant_fk("lead_id", "leads"),
        tenant_fk("source_id", "lead_sources"),
        tenant_fk("campaign_id", "campaigns"),
        Index("ix_lead_touches_lead", "tenant_id", "lead_id", "touched_at"),
    )

    lead_id: Mapped[uuid.UUID] = mapped_column(nullable=False)
    touched_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    first: Mapped[bool] = mapped_column(Boolean, nullable=False)
    channel: Mapped[str] = mapped_column(String(10), nullable=False)  # api | form | import
    key_id: Mapped[uuid.UUID | None] = mapped_column()  # the integration key that sent it
    source_id: Mapped[uuid.UUID | None] = mapped_column()
    campaign_id: Mapped[uuid.UUID | None] = mapped_column()
    utm_source: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    utm_medium: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    utm_campaign: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    utm_term: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    utm_content: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    gclid: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    fbclid: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    landing_page: Mapped[str] = mapped_column(String(2000), nullable=False, default="")
    referrer: Mapped[str] = mapped_column(String(2000), nullable=False, default="")
    project: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    unit: Mapped[str] = mapped_column(String(50), nullable=False, default="")
    message: Mapped[str] = mapped_column(Text, nullable=False, default="")


class AttributionRule(TenantKeyed, Audited, Base):
    """``field`` equal to ``value`` (case-blind; ``*``: present at all) maps an enquiry to a
    lead source and/or a campaign. The lowest ``priority`` that matches wins per target."""

    __tablename__ = "attribution_rules"
    __table_args__ = (
        tenant_pk(),
        tenant_root_fk(),
        tenant_fk("source_id", "lead_sources"),
        tenant_fk("campaign_id", "campaigns"),
    )

    field: Mapped[str] = mapped_column(String(20), nullable=False)
    value: Mapped[str] = mapped_column(String(200), nullable=False)
    source_id: Mapped[uuid.UUID | None] = mapped_column()
    campaign_id: Mapped[uuid.UUID | None] = mapped_column()
    priority: Mapped[int] = mapped_column(Integer, nullable=False, default=100)


class AssignmentRule(TenantKeyed, Audited, Base):
    """Who gets a new lead: a fixed owner, or the next active rep in turn (round robin),
    for leads of a source, a campaign, a project, or any lead. Lowest ``priority`` first."""

    __tablename__ = "assignment_rules"
    __table_args__ = (
        tenant_pk(),
        tenant_root_fk(),
        tenant_fk("source_id", "lead_sources"),
        tenant_fk("campaign_id", "campaigns"),
        tenant_fk("owner_id", "users"),
    )

    name: Mapped[str] = mapped_column(String(200), nullable=False)
    priority: Mapped[int] = mapped_column(Integer, nullable=False, default=100)
    source_id: Mapped[uuid.UUID | None] = mapped_column()
    campaign_id: Mapped[uuid.UUID | None] = mapped_column()
    project: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    mode: Mapped[str] = mapped_column(String(12), nullable=False)  # fixed | round_robin
    owner_id: Mapped[uuid.UUID | None] = mapped_column()
    # Round robin among these user ids (empty: every active sales rep of the tenant).
    pool: Mapped[list[Any]] = mapped_column(JSON, nullable=False, default=list)
    # How many leads the rule has handed out: the next one goes to pool[turn % len].
    turn: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
