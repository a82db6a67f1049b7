"""The tenant's document settings (letterhead, bank, GST rates) and quotations."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import (
    CheckConstraint,
    Date,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from salestrack.core.db import (
    Audited,
    Base,
    Money,
    TenantKeyed,
    UTCDateTime,
    tenant_fk,
    tenant_pk,
    tenant_root_fk,
    utcnow,
)


class Rate(Money):
    """A percentage with two decimals (a GST rate, ``5.00``): ``NUMERIC(5,2)`` on
    PostgreSQL, integer hundredths on SQLite, exact on both like ``Money``."""

    PRECISION = 5
    impl = Numeric(PRECISION, 2)
    cache_ok = True


class DocumentSettings(Base):
    """One row per tenant: what its documents print at the top and the bottom.

    Created on the first save; a tenant without one prints its name alone."""

    __tablename__ = "document_settings"
    __table_args__ = (tenant_root_fk(),)

    tenant_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    legal_name: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    address: Mapped[str] = mapped_column(Text, nullable=False, default="")
    contact: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    gstin: Mapped[str | None] = mapped_column(String(15))
    pan: Mapped[str | None] = mapped_column(String(10))
    state_code: Mapped[str | None] = mapped_column(String(2))
    bank_name: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    bank_account_name: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    bank_account_number: Mapped[str] = mapped_column(String(34), nullable=False, default="")
    bank_ifsc: Mapped[str] = mapped_column(String(11), nullable=False, default="")
    bank_branch: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    quotation_validity_days: Mapped[int] = mapped_column(Integer, nullable=False, default=15)
    quotation_terms: Mapped[str] = mapped_column(Text, nullable=False, default="")
    logo: Mapped[bytes | None] = mapped_column(LargeBinary)
    logo_type: Mapped[str | None] = mapped_column(String(20))
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), nullable=False, default=utcnow, onupdate=utcnow
    )
    updated_by: Mapped[uuid.UUID | None] = mapped_column()


class TaxRate(Base):
    """The GST rate (percent) and SAC code the tenant charges on one charge type."""

    __tablename__ = "document_tax_rates"
    __table_args__ = (
        tenant_root_fk(),
        CheckConstraint("rate >= 0", name="rate_not_negative"),
    )

    tenant_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    charge_type: Mapped[str] = mapped_column(String(30), primary_key=True)
    rate: Mapped[Decimal] = mapped_column(Rate(), nullable=False)
    sac_code: Mapped[str] = mapped_column(String(8), nullable=False, default="")


class QuotationStatus(StrEnum):
    draft = "draft"
    sent = "sent"
    accepted = "accepted"
    rejected = "rejected"
    expired = "expired"


class Quotation(TenantKeyed, Audited, Base):
    """One version of a cost sheet. Versions of one quotation share ``series_id``; revising
    makes a new draft version and leaves the earlier ones as they were.

    The totals are the sums of the lines' rounded figures, stored when the lines are
    written (the service computes them; nothing else writes them).
    """

    __tablename__ = "quotations"
    __table_args__ = (
        tenant_pk(),
        tenant_root_fk(),
        UniqueConstraint("tenant_id", "series_id", "version"),
        UniqueConstraint("tenant_id", "number"),
        tenant_fk("lead_id", "leads"),
        tenant_fk("customer_id", "customers"),
        tenant_fk("inventory_id", "inventory"),
        tenant_fk("booking_id", "bookings"),
        CheckConstraint("lead_id IS NOT NULL OR customer_id IS NOT NULL", name="has_buyer"),
        CheckConstraint("version > 0", name="version_positive"),
        Index("ix_quotations_tenant_lead", "tenant_id", "lead_id"),
        Index("ix_quotations_tenant_customer", "tenant_id", "customer_id"),
        Index("ix_quotations_tenant_created", "tenant_id", "created_at", "id"),
    )

    series_id: Mapped[uuid.UUID] = mapped_column(nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    number: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[QuotationStatus] = mapped_column(String(20), nullable=False)
    lead_id: Mapped[uuid.UUID | None] = mapped_column()
    customer_id: Mapped[uuid.UUID | None] = mapped_column()
    inventory_id: Mapped[uuid.UUID] = mapped_column(nullable=False)
    unit_label: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    area_sqft: Mapped[Decimal] = mapped_column(nullable=False)
    place_of_supply: Mapped[str | None] = mapped_column(String(2))
    interstate: Mapped[bool] = mapped_column(nullable=False, default=False)
    quotation_date: Mapped[date | None] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)
    delivery_date: Mapped[date | None] = mapped_column(Date)
    terms: Mapped[str] = mapped_column(Text, nullable=False, default="")
    notes: Mapped[str] = mapped_column(Text, nullable=False, default="")
    subtotal: Mapped[Decimal] = mapped_column(nullable=False)
    discount_total: Mapped[Decimal] = mapped_column(nullable=False)
    taxable_total: Mapped[Decimal] = mapped_column(nullable=False)
    cgst_total: Mapped[Decimal] = mapped_column(nullable=False)
    sgst_total: Mapped[Decimal] = mapped_column(nullable=False)
    igst_total: Mapped[Decimal] = mapped_column(nullable=False)
    grand_total: Mapped[Decimal] = mapped_column(nullable=False)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decision_note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    booking_id: Mapped[uuid.UUID | None] = mapped_column()


class QuotationLine(Base):
    """One charge of a quotation version, with its tax split and rounded figures."""

    __tablename__ = "quotation_lines"
    __table_args__ = (
        tenant_root_fk(),
        tenant_fk("quotation_id", "quotations"),
        CheckConstraint("discount <= amount", name="discount_within_amount"),
    )

    tenant_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    quotation_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    charge_type: Mapped[str] = mapped_column(String(30), nullable=False)
    description: Mapped[str] = mapped_column(String(200), nullable=False)
    rate_per_sqft: Mapped[Decimal | None] = mapped_column()
    amount: Mapped[Decimal] = mapped_column(nullable=False)
    discount: Mapped[Decimal] = mapped_column(nullable=False)
    taxable: Mapped[Decimal] = mapped_column(nullable=False)
    gst_rate: Mapped[Decimal] = mapped_column(Rate(), nullable=False)
    sac_code: Mapped[str] = mapped_column(String(8), nullable=False, default="")
    cgst: Mapped[Decimal] = mapped_column(nullable=False)
    sgst: Mapped[Decimal] = mapped_column(nullable=False)
    igst: Mapped[Decimal] = mapped_column(nullable=False)
    total: Mapped[Decimal] = mapped_column(nullable=False)
