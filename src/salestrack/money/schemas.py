"""Request and response shapes for inventory, bookings and the ledger."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, ClassVar

from pydantic import AfterValidator, AliasChoices, Field, StringConstraints, model_validator

from salestrack.core.schema_base import (
    NOT_BOOLEAN,
    PRINTABLE,
    TODAY_IF_OMITTED,
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
from salestrack.money.health import RULE as HEALTH_RULE
from salestrack.money.health import Band
from salestrack.money.models import BookingStatus, EntryStatus, TransactionType

UnitType = Annotated[str, StringConstraints(min_length=1, max_length=50), PRINTABLE]
Units = Annotated[int, Field(ge=0, le=1_000_000), NOT_BOOLEAN]
RefType = Annotated[str, StringConstraints(min_length=1, max_length=40, pattern=r"^[a-z0-9_]+$")]
RefId = Annotated[str, StringConstraints(min_length=1, max_length=100), PRINTABLE]
CENT = Decimal("0.01")
# Responses always show two decimals ("500000.00"), also for amounts not yet re-read.
Amount = Annotated[Decimal, AfterValidator(lambda value: value.quantize(CENT))]
Reason = Annotated[str, StringConstraints(min_length=1, max_length=2000), PRINTABLE]


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


DEFAULTS_APPLIED: list[str] = Field(
    default_factory=list,
    description="what the server filled in that this request left out; empty on reads",
)


class BookingCreate(InputModel):
    booking_code: Code | None = None
    customer_id: uuid.UUID
    lead_id: uuid.UUID | None = Field(None, description="defaults to the customer's lead")
    inventory_id: uuid.UUID | None = Field(
        None,
        description=(
            "the inventory row the units come from; give it or a unit_type. Left out, it "
            "is the tenant's one row of the unit_type (said back in defaults_applied); 422 "
            "listing the rows when several fit or none does"
        ),
    )
    booking_date: Day | None = Field(None, description=TODAY_IF_OMITTED)
    booking_amount: PositiveMoney
    unit_type: UnitType | None = Field(
        None, description="must match the inventory's if given; picks the row without inventory_id"
    )
    unit_count: Annotated[int, Field(ge=1, le=10_000), NOT_BOOLEAN] = 1
    units_booked: Units | None = Field(
        None,
        description=(
            "a check, not an input: the units this booking will hold (unit_count); "
            "409 with the server's figure if it differs"
        ),
    )
    units_available: Units | None = Field(
        None,
        description=(
            "a check, not an input: the inventory's units left after this booking; "
            "409 with the server's figure if it differs"
        ),
    )
    delivery_date: Day | None = None
    status: BookingStatus = Field(
        BookingStatus.pending,
        json_schema_extra={"enum": ["pending", "confirmed", "on_hold"]},
        description="a new booking is pending, confirmed or on_hold",
    )
    notes: Notes = ""


class BookingUpdate(UpdateModel):
    """``status: cancelled`` with ``cancellation_reason`` (and optionally the refund and the
    date) runs the same cancellation as ``POST /bookings/{id}/cancel``."""

    NOT_NULL: ClassVar[frozenset[str]] = frozenset(
        {
            "booking_date",
            "booking_amount",
            "status",
            "notes",
            "cancellation_reason",
            "cancellation_refund_amount",
            "cancellation_date",
        }
    )
    booking_date: Day | None = None
    booking_amount: PositiveMoney | None = None
    delivery_date: Day | None = None
    status: BookingStatus | None = Field(
        None,
        description=(
            "along the state machine; cancelled needs cancellation_reason and runs the "
            "cancellation of POST /bookings/{id}/cancel"
        ),
    )
    notes: Notes | None = None
    cancellation_reason: Reason | None = Field(
        None, description="with status cancelled: the cancellation's reason"
    )
    cancellation_refund_amount: Money | None = Field(
        None, description="with status cancelled: the refund (default 0, at most what was paid)"
    )
    cancellation_date: Day | None = Field(
        None, description="with status cancelled: the day (default today)"
    )

    CANCELLATION: ClassVar[tuple[str, ...]] = (
        "cancellation_reason",
        "cancellation_refund_amount",
        "cancellation_date",
    )

    @model_validator(mode="after")
    def _cancellation(self) -> BookingUpdate:
        given = [name for name in self.CANCELLATION if name in self.model_fields_set]
        if self.status is BookingStatus.cancelled and "cancellation_reason" not in given:
            raise ValueError(
                "cancelling needs a cancellation_reason (or use POST /bookings/{id}/cancel)"
            )
        if given and self.status is not BookingStatus.cancelled:
            raise ValueError(f"{', '.join(given)} go only with status cancelled")
        return self

    def cancellation(self) -> BookingCancel | None:
        """The cancellation this update asks for, as ``POST …/cancel`` takes it."""
        if self.status is not BookingStatus.cancelled or self.cancellation_reason is None:
            return None
        values: dict[str, object] = {"reason": self.cancellation_reason}
        if self.cancellation_refund_amount is not None:
            values["refund_amount"] = self.cancellation_refund_amount
        if self.cancellation_date is not None:
            values["cancellation_date"] = self.cancellation_date
        return BookingCancel.model_validate(values)


class BookingCancel(InputModel):
    reason: Reason
    refund_amount: Money = Decimal("0")
    cancellation_date: Day | None = Field(None, description=TODAY_IF_OMITTED)


class RefundPayout(InputModel):
    amount: PositiveMoney | None = Field(None, description="defaults to the refund still due")
    transaction_date: Day | None = Field(None, description=TODAY_IF_OMITTED)
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
    defaults_applied: list[str] = DEFAULTS_APPLIED


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
    transaction_date: Day | None = Field(None, description=TODAY_IF_OMITTED)
    debit_amount: Money | None = None
    credit_amount: Money | None = None
    balance_after: SignedMoney | None = Field(
        None, description="the balance you expect after this entry; 409 if it differs"
    )
    reference_document_type: RefType | None = None
    reference_document_id: RefId | None = None
    description: Notes = Field(
        "",
        validation_alias=AliasChoices("description", "remarks"),
        description="free text; `remarks` (the seed's name) is accepted for it",
    )

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
    transaction_date: Day | None = Field(None, description=TODAY_IF_OMITTED)
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
    health: Band = Field(description=f"the customer's health band: {HEALTH_RULE}")


class CustomerLedger(OutputModel):
    customer_id: uuid.UUID
    entries: list[LedgerEntryPublic]
    next_cursor: str | None
    summary: LedgerSummary
