"""Request and response shapes for inventory, bookings and the ledger."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, ClassVar

from pydantic import AfterValidator, Field, StringConstraints, model_validator

from salestrack.core.db import utcnow
from salestrack.core.schema_base import (
    PRINTABLE,
    Code,
    Day,
    InputModel,
    Money,
    Name,
    Notes,
    OutputModel,
    PositiveMoney,
    SignedMoney,
    UpdateModel,
)
from salestrack.money.models import BookingStatus, EntryStatus, TransactionType

UnitType = Annotated[str, StringConstraints(min_length=1, max_length=50), PRINTABLE]
Units = Annotated[int, Field(ge=0, le=1_000_000)]
RefType = Annotated[str, StringConstraints(min_length=1, max_length=40, pattern=r"^[a-z0-9_]+$")]
RefId = Annotated[str, StringConstraints(min_length=1, max_length=100), PRINTABLE]
CENT = Decimal("0.01")
# Responses always show two decimals ("500000.00"), also for amounts not yet re-read.
Amount = Annotated[Decimal, AfterValidator(lambda value: value.quantize(CENT))]
Reason = Annotated[str, StringConstraints(min_length=1, max_length=2000), PRINTABLE]


def _today() -> date:
    return utcnow().date()


class Audit(OutputModel):
    created_at: datetime
    created_by: uuid.UUID | None
    updated_at: datetime
    updated_by: uuid.UUID | None


# --- inventory ---------------------------------------------------------------------


class InventoryCreate(InputModel):
    project: Name
    unit_type: UnitType
    total_units: Units
    notes: Notes = ""


class InventoryUpdate(UpdateModel):
    NOT_NULL: ClassVar[frozenset[str]] = frozenset({"project", "unit_type", "total_units", "notes"})
    project: Name | None = None
    unit_type: UnitType | None = None
    total_units: Units | None = None
    notes: Notes | None = None


class InventoryPublic(Audit):
    id: uuid.UUID
    project: str
    unit_type: str
    total_units: int
    units_booked: int = Field(description="held by pending, confirmed, on-hold, completed")
    units_available: int
    notes: str


# --- bookings ----------------------------------------------------------------------


class BookingCreate(InputModel):
    booking_code: Code | None = None
    customer_id: uuid.UUID
    lead_id: uuid.UUID | None = Field(None, description="defaults to the customer's lead")
    inventory_id: uuid.UUID
    booking_date: Day = Field(default_factory=_today)
    booking_amount: PositiveMoney
    unit_type: UnitType | None = Field(None, description="must match the inventory's if given")
    unit_count: Annotated[int, Field(ge=1, le=10_000)] = 1
    delivery_date: Day | None = None
    status: BookingStatus = Field(
        BookingStatus.pending,
        json_schema_extra={"enum": ["pending", "confirmed", "on_hold"]},
        description="a new booking is pending, confirmed or on_hold",
    )
    notes: Notes = ""

    @model_validator(mode="after")
    def _dates(self) -> BookingCreate:
        if self.delivery_date and self.delivery_date < self.booking_date:
            raise ValueError("delivery_date may not be before booking_date")
        return self


class BookingUpdate(UpdateModel):
    NOT_NULL: ClassVar[frozenset[str]] = frozenset(
        {"booking_date", "booking_amount", "status", "notes"}
    )
    booking_date: Day | None = None
    booking_amount: PositiveMoney | None = None
    delivery_date: Day | None = None
    status: BookingStatus | None = None
    notes: Notes | None = None


class BookingCancel(InputModel):
    reason: Reason
    refund_amount: Money = Decimal("0")
    cancellation_date: Day = Field(default_factory=_today)


class RefundPayout(InputModel):
    amount: PositiveMoney | None = Field(None, description="defaults to the refund still due")
    transaction_date: Day = Field(default_factory=_today)
    description: Notes = ""


class BookingPublic(Audit):
    id: uuid.UUID
    booking_code: str
    customer_id: uuid.UUID
    lead_id: uuid.UUID | None
    inventory_id: uuid.UUID
    project: str
    booking_date: date
    booking_amount: Amount
    unit_type: str
    unit_count: int
    units_booked: int = Field(description="units this booking holds now (0 once cancelled)")
    units_available: int = Field(description="the inventory's current availability")
    delivery_date: date | None
    status: BookingStatus
    notes: str
    invoice_entry_id: uuid.UUID | None
    cancellation_date: date | None
    cancellation_reason: str | None
    cancellation_refund_amount: Amount | None


# --- ledger ------------------------------------------------------------------------

DEBIT_TYPES = frozenset({TransactionType.invoice, TransactionType.debit_note})
CREDIT_TYPES = frozenset({TransactionType.payment, TransactionType.credit_note})


def side_error(kind: TransactionType, debit: Decimal, credit: Decimal) -> str | None:
    """Why the amounts do not fit the transaction type, or None when they do."""
    if kind in DEBIT_TYPES and not (debit > 0 and credit == 0):
        return f"{kind.value} is a debit: give a positive debit_amount and no credit_amount"
    if kind in CREDIT_TYPES and not (credit > 0 and debit == 0):
        return f"{kind.value} is a credit: give a positive credit_amount and no debit_amount"
    if kind is TransactionType.adjustment and (debit > 0) == (credit > 0):
        return "an adjustment is exactly one of a positive debit_amount or credit_amount"
    return None


class LedgerEntryCreate(InputModel):
    customer_id: uuid.UUID
    transaction_type: TransactionType
    transaction_date: Day = Field(default_factory=_today)
    debit_amount: Money | None = None
    credit_amount: Money | None = None
    balance_after: SignedMoney | None = Field(
        None, description="the balance you expect after this entry; 409 if it differs"
    )
    reference_document_type: RefType | None = None
    reference_document_id: RefId | None = None
    description: Notes = ""

    @model_validator(mode="after")
    def _sides(self) -> LedgerEntryCreate:
        error = side_error(
            self.transaction_type,
            self.debit_amount or Decimal("0"),
            self.credit_amount or Decimal("0"),
        )
        if error:
            raise ValueError(error)
        if (self.reference_document_type is None) != (self.reference_document_id is None):
            raise ValueError("give reference_document_type and reference_document_id together")
        return self


class ReversalCreate(InputModel):
    transaction_date: Day = Field(default_factory=_today)
    description: Notes = ""


class LedgerEntryPublic(OutputModel):
    id: uuid.UUID
    ledger_code: str
    customer_id: uuid.UUID
    position: int
    transaction_date: date
    transaction_type: TransactionType
    debit_amount: Amount
    credit_amount: Amount
    balance_after: Amount
    reference_document_type: str | None
    reference_document_id: str | None
    description: str
    status: EntryStatus
    reversal_of_id: uuid.UUID | None
    created_at: datetime
    created_by: uuid.UUID | None


class LedgerSummary(OutputModel):
    customer_id: uuid.UUID
    total_invoiced: Amount
    total_paid: Amount
    total_credit_notes: Amount
    total_debit_notes: Amount
    total_refunded: Amount = Field(description="refunds paid out (debit adjustments on bookings)")
    outstanding: Amount = Field(description="sum of debits minus sum of credits")
    payment_collection_percent: Amount | None = Field(
        description="(paid - refunded) / (invoiced + debit notes - credit notes) x 100"
    )
    last_payment_date: date | None
    days_since_oldest_unpaid_invoice: int | None
    entry_count: int


class CustomerLedger(OutputModel):
    customer_id: uuid.UUID
    entries: list[LedgerEntryPublic]
    next_cursor: str | None
    summary: LedgerSummary
