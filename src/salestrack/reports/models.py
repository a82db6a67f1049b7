"""Summary tables kept up to date in the same transaction as the writes that change them.

``report_counters`` holds every figure a report sums: a count ``n`` and an exact ``amount``
keyed by family (lead, booking, ledger ...), dimension (all, source, campaign, assignee),
grain (``m`` month, ``d`` day, ``a`` all time), period, metric and shard. A report reads a
few of these rows; it never scans leads or events.

The ``*_state`` tables remember what one lead, booking or customer currently contributes,
so a change applies exactly the difference (old contribution out, new one in).
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Date, Index, Integer, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from salestrack.core.db import Base, Total, tenant_root_fk

ZERO_ID = uuid.UUID(int=0)


class ReportCounter(Base):
    __tablename__ = "report_counters"
    __table_args__ = (tenant_root_fk(),)

    tenant_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    family: Mapped[str] = mapped_column(String(12), primary_key=True)
    dim_kind: Mapped[str] = mapped_column(String(10), primary_key=True)
    grain: Mapped[str] = mapped_column(String(1), primary_key=True)
    period: Mapped[date] = mapped_column(Date, primary_key=True)
    dim_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    metric: Mapped[str] = mapped_column(String(24), primary_key=True)
    shard: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    n: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    amount: Mapped[Decimal] = mapped_column(Total(), nullable=False, default=Decimal("0"))


class ReportLeadState(Base):
    """What one lead contributes: cohort day, dimensions, furthest stage, money, activity."""

    __tablename__ = "report_lead_state"
    __table_args__ = (tenant_root_fk(),)

    tenant_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    lead_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    live: Mapped[bool] = mapped_column(Boolean, nullable=False)
    lead_date: Mapped[date] = mapped_column(Date, nullable=False)
    source_id: Mapped[uuid.UUID | None] = mapped_column()
    campaign_id: Mapped[uuid.UUID | None] = mapped_column()
    # The last touch's source and campaign (the first touch's until the lead enquires again).
    last_source_id: Mapped[uuid.UUID | None] = mapped_column()
    last_campaign_id: Mapped[uuid.UUID | None] = mapped_column()
    assigned_to: Mapped[uuid.UUID | None] = mapped_column()
    status: Mapped[str] = mapped_column(String(20), nullable=False)
    reached: Mapped[int] = mapped_column(Integer, nullable=False)
    converted_on: Mapped[date | None] = mapped_column(Date)
    # A lead's bookings and payments added up (each at most the largest amount).
    revenue: Mapped[Decimal] = mapped_column(Total(), nullable=False)
    collected: Mapped[Decimal] = mapped_column(Total(), nullable=False)
    # {"YYYY-MM-DD": count} of live engagements / open follow-ups (by due day).
    engagements: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    follow_ups: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)


class ReportBookingState(Base):
    __tablename__ = "report_booking_state"
    __table_args__ = (tenant_root_fk(),)

    tenant_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    booking_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    live: Mapped[bool] = mapped_column(Boolean, nullable=False)
    booking_date: Mapped[date] = mapped_column(Date, nullable=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False)
    amount: Mapped[Decimal] = mapped_column(nullable=False)
    units: Mapped[int] = mapped_column(Integer, nullable=False)
    refund_promised: Mapped[Decimal] = mapped_column(nullable=False)
    refund_paid: Mapped[Decimal] = mapped_column(nullable=False)


class ReportCustomerState(Base):
    """A customer's ledger by day, unpaid debits by day (for ageing) and activity."""

    __tablename__ = "report_customer_state"
    __table_args__ = (
        tenant_root_fk(),
        Index("ix_report_customer_state_outstanding", "tenant_id", "outstanding", "customer_id"),
    )

    tenant_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    customer_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    live: Mapped[bool] = mapped_column(Boolean, nullable=False)
    created_on: Mapped[date] = mapped_column(Date, nullable=False)
    outstanding: Mapped[Decimal] = mapped_column(nullable=False)
    live_bookings: Mapped[int] = mapped_column(Integer, nullable=False)
    last_entry_on: Mapped[date | None] = mapped_column(Date)
    # {"YYYY-MM-DD": {metric: cents}} and {"YYYY-MM-DD": unpaid cents}.
    ledger: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    unpaid: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
