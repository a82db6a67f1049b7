"""Request and response shapes of payment plans, stages and billing documents."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints, WithJsonSchema, model_validator

from salestrack.billing.models import DocumentKind, InstalmentState
from salestrack.core.schema_base import (
    NOT_BOOLEAN,
    PLAIN_DECIMAL,
    PRINTABLE,
    Day,
    InputModel,
    Name,
    Notes,
    OutputModel,
    PositiveMoney,
)
from salestrack.documents.settings_schemas import RatePercent
from salestrack.money.schemas import Amount

CENT = Decimal("0.01")

Label = Annotated[str, StringConstraints(min_length=1, max_length=200), PRINTABLE]
# A share of the agreement value, in percent with two decimals (0.01 to 100).
Share = Annotated[
    Decimal,
    PLAIN_DECIMAL,
    Field(gt=0, le=100, max_digits=5, decimal_places=2),
    AfterValidator(lambda value: value.quantize(CENT)),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "exclusiveMinimum": 0, "maximum": 100, "multipleOf": 0.01},
                {
                    "type": "string",
                    "pattern": r"^(0?[1-9](\.[0-9]{1,2})?|[1-9][0-9](\.[0-9]{1,2})?"
                    r"|0?0?\.(0[1-9]|[1-9][0-9]?)|100(\.0{1,2})?)$",
                },
            ]
        },
        mode="validation",
    ),
]
# The late-payment interest rate, percent a year (0 to 100, two decimals).
YearlyRate = RatePercent


# --- settings ----------------------------------------------------------------------


class BillingSettingsIn(InputModel):
    interest_rate: YearlyRate = Field(
        description="late-payment interest, percent a year, simple interest per day"
    )
    payment_days: Annotated[int, Field(ge=0, le=365), NOT_BOOLEAN] = Field(
        15, description="days a demand gives to pay (interest runs after them)"
    )


class BillingSettingsPublic(OutputModel):
    interest_rate: Decimal
    payment_days: int


# --- construction stages -----------------------------------------------------------


class StageCreate(InputModel):
    project: Name = Field(description="the project (as on its inventory rows)")
    name: Label = Field(description='e.g. "Completion of slab 5"')
    position: Annotated[int, Field(ge=0, le=10_000), NOT_BOOLEAN] = 0


class StageReach(InputModel):
    reached_on: Day | None = Field(
        None, description="not after today in the tenant's zone (the default)"
    )


class StagePublic(OutputModel):
    id: uuid.UUID
    project: str
    name: str
    position: int
    reached_on: date | None


# --- payment plans -----------------------------------------------------------------


class InstalmentIn(InputModel):
    label: Label
    percentage: Share | None = Field(None, description="of the agreement value; or amount")
    amount: PositiveMoney | None = Field(None, description="a fixed amount; or percentage")
    due_date: Day | None = Field(None, description="due on this date; or stage_id")
    stage_id: uuid.UUID | None = Field(None, description="due when this stage is reached")

    @model_validator(mode="after")
    def _one_of_each(self) -> InstalmentIn:
        if (self.percentage is None) == (self.amount is None):
            raise ValueError("give exactly one of percentage or amount")
        if (self.due_date is None) == (self.stage_id is None):
            raise ValueError("give exactly one of due_date or stage_id")
        return self


class PlanIn(InputModel):
    instalments: list[InstalmentIn] = Field(min_length=1, max_length=100)
    notes: Notes = ""


class InstalmentPublic(OutputModel):
    id: uuid.UUID
    position: int
    label: str
    percentage: Decimal | None
    amount: Amount
    due_date: date | None
    stage_id: uuid.UUID | None
    stage_name: str | None
    stage_reached_on: date | None
    state: InstalmentState
    demand_id: uuid.UUID | None
    demand_number: str | None
    pay_by: date | None
    paid: Amount = Field(description="payments allocated to its demand (oldest demand first)")
    outstanding: Amount


class PlanPublic(OutputModel):
    id: uuid.UUID
    booking_id: uuid.UUID
    customer_id: uuid.UUID
    agreement_value: Amount
    notes: str
    instalments: list[InstalmentPublic]


# --- documents ---------------------------------------------------------------------


class DemandRaise(InputModel):
    demand_date: Day | None = Field(
        None, description="not after today in the tenant's zone (the default)"
    )


class InterestRaise(InputModel):
    as_of: Day | None = Field(
        None, description="interest up to this day, not after today (the default)"
    )


class DocumentPublic(OutputModel):
    id: uuid.UUID
    kind: DocumentKind
    number: str
    document_date: date
    customer_id: uuid.UUID
    booking_id: uuid.UUID | None
    instalment_id: uuid.UUID | None
    ledger_entry_id: uuid.UUID
    amount: Amount
    amount_in_words: str
    pay_by: date | None
    related_id: uuid.UUID | None
    period_from: date | None
    period_to: date | None
    rate: Decimal | None
    description: str


class StatementLine(OutputModel):
    date: date
    ledger_code: str
    kind: str
    document_number: str | None
    description: str
    debit: Amount
    credit: Amount
    balance: Amount


class Statement(OutputModel):
    customer_id: uuid.UUID
    customer_name: str
    date_from: date | None
    date_to: date | None
    opening_balance: Amount
    lines: list[StatementLine]
    total_debits: Amount
    total_credits: Amount
    closing_balance: Amount
