"""The one Pydantic base every request and response schema derives from."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, ClassVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    StringConstraints,
    model_validator,
)

MAX_MONEY = Decimal("9999999999999999.99")


class InputModel(BaseModel):
    """Request bodies: unknown fields are refused, strings are trimmed."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class OutputModel(BaseModel):
    """Responses built straight from ORM rows."""

    model_config = ConfigDict(from_attributes=True)


def _two_places(value: Decimal) -> Decimal:
    """Answer with the amount as stored (``300`` comes back as ``300.00``)."""
    return value.quantize(Decimal("0.01"))


Money = Annotated[
    Decimal,
    Field(ge=0, le=MAX_MONEY, max_digits=18, decimal_places=2),
    AfterValidator(_two_places),
]
PositiveMoney = Annotated[
    Decimal,
    Field(gt=0, le=MAX_MONEY, max_digits=18, decimal_places=2),
    AfterValidator(_two_places),
]
# A percentage with two decimals (expected ROI and the like).
Percent = Annotated[
    Decimal,
    Field(ge=-100, le=100_000, max_digits=9, decimal_places=2),
    AfterValidator(_two_places),
]
Name = Annotated[str, StringConstraints(min_length=1, max_length=200)]
ShortText = Annotated[str, StringConstraints(max_length=200)]
Code = Annotated[
    str, StringConstraints(min_length=1, max_length=50, pattern=r"^[A-Za-z0-9_.\-/]+$")
]
Notes = Annotated[str, StringConstraints(max_length=10_000)]
# RFC 5321's limit; the columns hold 254 characters.
Email = Annotated[EmailStr, Field(max_length=254)]
Phone = Annotated[str, StringConstraints(max_length=40, pattern=r"^[0-9+()\-. ]*$")]


class UpdateModel(InputModel):
    """PATCH bodies: every field optional; ``NOT_NULL`` fields may be omitted but not nulled."""

    NOT_NULL: ClassVar[frozenset[str]] = frozenset()

    @model_validator(mode="after")
    def _no_nulls_for_required(self) -> UpdateModel:
        nulled = sorted(
            name
            for name in self.model_fields_set
            if name in self.NOT_NULL and getattr(self, name) is None
        )
        if nulled:
            raise ValueError(f"{', '.join(nulled)} may not be null")
        return self

    def changes(self) -> dict[str, Any]:
        return self.model_dump(exclude_unset=True)
