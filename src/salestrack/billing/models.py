"""Payment plans on bookings, construction stages, and the billing documents issued.

Nothing here stores a derived state: an instalment's state (upcoming, due, demanded,
part-paid, paid, overdue) is computed from its date or stage, its demand and the
allocation of the customer's payments (``billing.allocation``).
"""

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
    String,
    Text,
    UniqueConstraint,
)
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
from salestrack.core.jobs import Queued
from salestrack.documents.models import Rate


class InstalmentState(StrEnum):
    upcoming = "upcoming"  # its date is ahead, or its stage is not reached
    due = "due"  # date come or stage reached, no demand raised yet
    demanded = "demanded"  # demand raised, nothing allocated to it, not yet payable
    part_paid = "part_paid"
    paid = "paid"
    overdue = "overdue"  # demanded, past its pay-by date and not fully paid


class DocumentKind(StrEnum):
    demand = "demand"  # INV: the invoice of an instalment
    debit_note = "debit_note"  # DN: interest on late payment
    receipt = "receipt"  # RCT: a payment on the ledger
    credit_note = "credit_note"  # CN: a credit note on the ledger (cancellation, refund)


class BillingSettings(Base):
    """One row per tenant: the late-payment interest rate and the demand's payment term."""

    __tablename__ = "billing_settings"
    __table_args__ = (
        tenant_root_fk(),
        CheckConstraint("interest_rate >= 0", name="interest_rate_not_negative"),
        CheckConstraint("payment_days >= 0", name="payment_days_not_negative"),
    )

    tenant_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    # Percent per year, simple interest per day (rate / 100 / 365 of the unpaid amount).
    interest_rate: Mapped[Decimal] = mapped_column(Rate(), nullable=False, default=Decimal("0"))
    payment_days: Mapped[int] = mapped_column(Integer, nullable=False, default=15)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), nullable=False, default=utcnow, onupdate=utcnow
    )
    updated_by: Mapped[uuid.UUID | None] = mapped_column()


class ConstructionStage(TenantKeyed, Audited, Base):
    """A stage of a project's construction ("completion of slab 5"); a manager marks it
    reached, which makes the instalments linked to it due."""

    __tablename__ = "construction_stages"
    __table_args__ = (
        tenant_pk(),
        tenant_root_fk(),
        UniqueConstraint("tenant_id", "project", "name"),
        Index("ix_construction_stages_tenant_project", "tenant_id", "project", "position"),
    )

    project: Mapped[str] = mapped_column(String(200), nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    reached_on: Mapped[date | None] = mapped_column(Date)


class PaymentPlan(TenantKeyed, Audited, Base):
    """A booking's schedule of instalments (one plan per booking)."""

    __tablename__ = "payment_plans"
    __table_args__ = (
        tenant_pk(),
        tenant_root_fk(),
        UniqueConstraint("tenant_id", "booking_id"),
        tenant_fk("booking_id", "bookings"),
    )

    booking_id: Mapped[uuid.UUID] = mapped_column(nullable=False)
    # The booking's agreement value when the plan was made: what percentages are of.
    agreement_value: Mapped[Decimal] = mapped_column(nullable=False)
    notes: Mapped[str] = mapped_column(Text, nullable=False, default="")


class Instalment(TenantKeyed, Base):
    """One instalment of a plan: an amount (given, or a percentage of the agreement value)
    due on a date or on a construction stage."""

    __tablename__ = "plan_instalments"
    __table_args__ = (
        tenant_pk(),
        tenant_root_fk(),
        UniqueConstraint("tenant_id", "plan_id", "position"),
        tenant_fk("plan_id", "payment_plans"),
        tenant_fk("stage_id", "construction_stages"),
        CheckConstraint("(due_date IS NULL) <> (stage_id IS NULL)", name="date_or_stage"),
        CheckConstraint("amount > 0", name="amount_positive"),
        Index("ix_plan_instalments_tenant_stage", "tenant_id", "stage_id"),
    )

    plan_id: Mapped[uuid.UUID] = mapped_column(nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    label: Mapped[str] = mapped_column(String(200), nullable=False)
    percentage: Mapped[Decimal | None] = mapped_column(Rate())
    amount: Mapped[Decimal] = mapped_column(nullable=False)
    due_date: Mapped[date | None] = mapped_column(Date)
    stage_id: Mapped[uuid.UUID | None] = mapped_column()


class BillingDocument(TenantKeyed, Audited, Base):
    """An issued, numbered document, each with the ledger entry it stands for.

    Demands and debit notes post their own entry; receipts and credit notes are issued for
    an entry posted elsewhere (any payment or credit note on the ledger). Never edited.
    """

    __tablename__ = "billing_documents"
    __table_args__ = (
        tenant_pk(),
        tenant_root_fk(),
        UniqueConstraint("tenant_id", "number"),
        UniqueConstraint("tenant_id", "ledger_entry_id"),
        tenant_fk("customer_id", "customers"),
        tenant_fk("booking_id", "bookings"),
        tenant_fk("instalment_id", "plan_instalments"),
        tenant_fk("ledger_entry_id", "ledger_entries"),
        tenant_fk("related_id", "billing_documents"),
        CheckConstraint("amount >= 0", name="amount_not_negative"),
        Index("ix_billing_documents_tenant_customer", "tenant_id", "customer_id", "document_date"),
        Index("ix_billing_documents_tenant_instalment", "tenant_id", "instalment_id"),
        Index("ix_billing_documents_tenant_related", "tenant_id", "related_id"),
    )

    kind: Mapped[DocumentKind] = mapped_column(String(20), nullable=False)
    number: Mapped[str] = mapped_column(String(40), nullable=False)
    document_date: Mapped[date] = mapped_column(Date, nullable=False)
    customer_id: Mapped[uuid.UUID] = mapped_column(nullable=False)
    booking_id: Mapped[uuid.UUID | None] = mapped_column()
    instalment_id: Mapped[uuid.UUID | None] = mapped_column()
    ledger_entry_id: Mapped[uuid.UUID] = mapped_column(nullable=False)
    amount: Mapped[Decimal] = mapped_column(nullable=False)
    # A demand: the day by which it is to be paid (interest runs after it).
    pay_by: Mapped[date | None] = mapped_column(Date)
    # A debit note: the demand it charges interest on, the period and the yearly rate.
    related_id: Mapped[uuid.UUID | None] = mapped_column()
    period_from: Mapped[date | None] = mapped_column(Date)
    period_to: Mapped[date | None] = mapped_column(Date)
    rate: Mapped[Decimal | None] = mapped_column(Rate())
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")


class DocumentMail(TenantKeyed, Queued, Base):
    """The worker's job of mailing one document to its customer (once per document)."""

    __tablename__ = "billing_document_mails"
    __table_args__ = (
        tenant_pk(),
        tenant_root_fk(),
        tenant_fk("document_id", "billing_documents"),
        UniqueConstraint("tenant_id", "document_id"),
        Index("ix_billing_document_mails_due", "tenant_id", "status", "next_attempt_at"),
    )

    document_id: Mapped[uuid.UUID] = mapped_column(nullable=False)
    recipient: Mapped[str] = mapped_column(String(254), nullable=False, default="")
    outcome: Mapped[str | None] = mapped_column(String(20))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
