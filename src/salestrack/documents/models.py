"""The tenant's document settings (letterhead, bank, GST rates) and quotations."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from salestrack.core.db import Base, Money, UTCDateTime, tenant_root_fk, utcnow


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
