"""Unit inventory, bookings and the customer account ledger.

Nothing here stores a derived number a client could get wrong: availability is computed
from the bookings holding units, and ``balance_after`` is computed by the ledger service.
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import CheckConstraint, Date, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from salestrack.core.db import Audited, Base, TenantKeyed, tenant_fk, tenant_pk, tenant_root_fk


class BookingStatus(StrEnum):
    pending = "pending"
    confirmed = "confirmed"
    on_hold = "on_hold"
    completed = "completed"
    cancelled = "cancelled"


class TransactionType(StrEnum):
    invoice = "invoice"
    payment = "payment"
    credit_note = "credit_note"
    debit_note = "debit_note"
    adjustment = "adjustment"


class EntryStatus(StrEnum):
    active = "active"
    reversed = "reversed"
    # Kept from the original schema for imported data; the API never sets it.
    cancelled = "cancelled"


class Inventory(TenantKeyed, Audited, Base):
    """One row per project and unit type: how many units exist, nothing derived."""

    __tablename__ = "inventory"
    __table_args__ = (
        tenant_pk(),
        tenant_root_fk(),
        UniqueConstraint("tenant_id", "project", "unit_type"),
        CheckConstraint("total_units >= 0", name="total_units_not_negative"),
    )

    project: Mapped[str] = mapped_column(String(200), nullable=False)
    unit_type: Mapped[str] = mapped_column(String(50), nullable=False)
    total_units: Mapped[int] = mapped_column(Integer, nullable=False)
    notes: Mapped[str] = mapped_column(Text, nullable=False, default="")


class Booking(TenantKeyed, Audited, Base):
    __tablename__ = "bookings"
    __table_args__ = (
        tenant_pk(),
        tenant_root_fk(),
        UniqueConstraint("tenant_id", "booking_code"),
        tenant_fk("customer_id", "customers"),
        tenant_fk("lead_id", "leads"),
        tenant_fk("inventory_id", "inventory"),
        CheckConstraint("unit_count > 0", name="unit_count_positive"),
        Index("ix_bookings_tenant_inventory_status", "tenant_id", "inventory_id", "status"),
        Index("ix_bookings_tenant_created", "tenant_id", "created_at", "id"),
        Index("ix_bookings_tenant_customer", "tenant_id", "customer_id"),
        Index("ix_bookings_tenant_lead", "tenant_id", "lead_id"),
    )

    booking_code: Mapped[str] = mapped_column(String(50), nullable=False)
    customer_id: Mapped[uuid.UUID] = mapped_column(nullable=False)
    lead_id: Mapped[uuid.UUID | None] = mapped_column()
    inventory_id: Mapped[uuid.UUID] = mapped_column(nullable=False)
    booking_date: Mapped[date] = mapped_column(Date, nullable=False)
    booking_amount: Mapped[Decimal] = mapped_column(nullable=False)
    unit_type: Mapped[str] = mapped_column(String(50), nullable=False)
    unit_count: Mapped[int] = mapped_column(Integer, nullable=False)
    delivery_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[BookingStatus] = mapped_column(String(20), nullable=False)
    notes: Mapped[str] = mapped_column(Text, nullable=False, default="")
    # The invoice posted when the booking was confirmed (once, even if confirmed again).
    invoice_entry_id: Mapped[uuid.UUID | None] = mapped_column()
    cancellation_date: Mapped[date | None] = mapped_column(Date)
    cancellation_reason: Mapped[str | None] = mapped_column(Text)
    cancellation_refund_amount: Mapped[Decimal | None] = mapped_column()


class LedgerEntry(TenantKeyed, Audited, Base):
    """One posted line of a customer's account. Never edited: mistakes are reversed.

    ``position`` numbers a customer's entries 1, 2, 3 ...; the unique constraint makes a
    forked running balance (two entries built on the same previous one) impossible.
    """

    __tablename__ = "ledger_entries"
    __table_args__ = (
        tenant_pk(),
        tenant_root_fk(),
        UniqueConstraint("tenant_id", "ledger_code"),
        UniqueConstraint("tenant_id", "customer_id", "position"),
        UniqueConstraint("tenant_id", "reversal_of_id"),
        tenant_fk("customer_id", "customers"),
        tenant_fk("reversal_of_id", "ledger_entries"),
        CheckConstraint("debit_amount >= 0 AND credit_amount >= 0", name="amounts_not_negative"),
        Index("ix_ledger_entries_tenant_reference", "tenant_id", "reference_document_id"),
    )

    ledger_code: Mapped[str] = mapped_column(String(72), nullable=False)
    customer_id: Mapped[uuid.UUID] = mapped_column(nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    transaction_date: Mapped[date] = mapped_column(Date, nullable=False)
    transaction_type: Mapped[TransactionType] = mapped_column(String(20), nullable=False)
    debit_amount: Mapped[Decimal] = mapped_column(nullable=False)
    credit_amount: Mapped[Decimal] = mapped_column(nullable=False)
    balance_after: Mapped[Decimal] = mapped_column(nullable=False)
    reference_document_type: Mapped[str | None] = mapped_column(String(40))
    reference_document_id: Mapped[str | None] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    status: Mapped[EntryStatus] = mapped_column(String(20), nullable=False)
    reversal_of_id: Mapped[uuid.UUID | None] = mapped_column()
