"""Request and response bodies of quotations."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import Field, StringConstraints, model_validator

from salestrack.core.schema_base import (
    PRINTABLE,
    Day,
    InputModel,
    Money,
    Notes,
    OutputModel,
    PositiveMoney,
    ShortText,
)
from salestrack.documents.charges import ChargeType
from salestrack.documents.models import QuotationStatus
from salestrack.documents.settings_schemas import StateCode, Terms
from salestrack.money.models import BookingStatus

MAX_LINES = 30
Reason = Annotated[str, StringConstraints(min_length=1, max_length=2000), PRINTABLE]


class QuotationLineIn(InputModel):
    charge_type: ChargeType
    description: ShortText = Field(
        "", description="printed on the line; its charge's name if empty"
    )
    amount: Money | None = Field(None, description="the line's amount; or give rate_per_sqft")
    rate_per_sqft: Money | None = Field(
        None, description="rupees per square foot: the amount is this x area_sqft (to the paisa)"
    )
    discount: Money = Field(Decimal("0"), description="taken off the amount before GST")

    @model_validator(mode="after")
    def _one_price(self) -> QuotationLineIn:
        if (self.amount is None) == (self.rate_per_sqft is None):
            raise ValueError("give exactly one of amount and rate_per_sqft")
        return self


class QuotationIn(InputModel):
    """A draft: for a lead or a customer (or both, the customer's own lead) and a unit type
    of the inventory; its lines are priced with the tenant's GST rates."""

    lead_id: uuid.UUID | None = Field(None, description="defaults to the customer's lead")
    customer_id: uuid.UUID | None = Field(None, description="give it or lead_id")
    inventory_id: uuid.UUID
    unit_label: ShortText = Field("", description="the unit offered, e.g. Tower B, 1203")
    area_sqft: PositiveMoney = Field(description="the unit's area in square feet")
    place_of_supply: StateCode | None = Field(
        None,
        description=(
            "GST state code of the place of supply; the tenant's state (CGST+SGST) if left "
            "out, another state means IGST"
        ),
    )
    valid_until: Day | None = Field(
        None, description="left out: set when sent, the tenant's validity days after"
    )
    delivery_date: Day | None = Field(None, description="promised possession; the booking's")
    terms: Terms | None = Field(None, description="left out: the tenant's quotation terms")
    notes: Notes = ""
    lines: list[QuotationLineIn] = Field(min_length=1, max_length=MAX_LINES)

    @model_validator(mode="after")
    def _buyer(self) -> QuotationIn:
        if self.lead_id is None and self.customer_id is None:
            raise ValueError("give lead_id or customer_id")
        return self


class QuotationSend(InputModel):
    quotation_date: Day | None = Field(None, description="default today (the tenant's zone)")
    valid_until: Day | None = Field(
        None, description="default the draft's, else the date plus the tenant's validity days"
    )


class QuotationAccept(InputModel):
    booking_status: BookingStatus = Field(
        BookingStatus.confirmed,
        json_schema_extra={"enum": ["pending", "confirmed", "on_hold"]},
        description="the new booking's status (confirmed: invoiced, booking milestone)",
    )
    booking_date: Day | None = Field(None, description="default today (the tenant's zone)")
    delivery_date: Day | None = Field(None, description="default the quotation's")
    notes: Notes = ""


class QuotationReject(InputModel):
    reason: Reason


class QuotationLinePublic(OutputModel):
    position: int
    charge_type: ChargeType
    description: str
    rate_per_sqft: Decimal | None
    amount: Decimal
    discount: Decimal
    taxable: Decimal
    gst_rate: Decimal
    sac_code: str
    cgst: Decimal
    sgst: Decimal
    igst: Decimal
    total: Decimal


class QuotationPublic(OutputModel):
    id: uuid.UUID
    series_id: uuid.UUID = Field(description="shared by every version of this quotation")
    version: int
    latest: bool = Field(description="the newest version; only it may be changed or decided")
    number: str | None = Field(description="QUO/<financial year>/<n>, given when sent")
    status: QuotationStatus = Field(description="a sent quotation past valid_until is expired")
    lead_id: uuid.UUID | None
    customer_id: uuid.UUID | None
    inventory_id: uuid.UUID
    project: str
    unit_type: str
    unit_label: str
    area_sqft: Decimal
    place_of_supply: str | None
    interstate: bool
    quotation_date: date | None
    valid_until: date | None
    delivery_date: date | None
    terms: str
    notes: str
    lines: list[QuotationLinePublic]
    subtotal: Decimal
    discount_total: Decimal
    taxable_total: Decimal
    cgst_total: Decimal
    sgst_total: Decimal
    igst_total: Decimal
    grand_total: Decimal
    amount_in_words: str
    sent_at: datetime | None
    decided_at: datetime | None
    decision_note: str
    booking_id: uuid.UUID | None
    created_at: datetime
    updated_at: datetime
