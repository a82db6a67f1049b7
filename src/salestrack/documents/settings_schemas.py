"""Request and response bodies of the tenant's document settings."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints, WithJsonSchema, model_validator

from salestrack.core.schema_base import (
    NOT_BOOLEAN,
    PLAIN_DECIMAL,
    PRINTABLE,
    InputModel,
    OutputModel,
    ShortText,
)
from salestrack.documents import gst
from salestrack.documents.charges import ChargeType


def _known_state(code: str) -> str:
    if code not in gst.STATES:
        raise ValueError("is not a GST state code")
    return code


StateCode = Annotated[
    str,
    StringConstraints(max_length=2, pattern=r"^[0-9]{2}$"),
    AfterValidator(_known_state),
    Field(
        description="GST state code (the first two digits of a GSTIN), e.g. 29 for Karnataka",
        json_schema_extra={"enum": sorted(gst.STATES)},
    ),
]
# Formats here; the checksums (stated in the descriptions) are checked by the service.
Gstin = Annotated[
    str,
    StringConstraints(
        to_upper=True,
        max_length=15,
        pattern=r"^[0-9]{2}[A-Za-z]{5}[0-9]{4}[A-Za-z][0-9A-Za-z]{3}$",
    ),
    Field(description="15-character GSTIN; its check character must be right"),
]
Pan = Annotated[
    str,
    StringConstraints(to_upper=True, max_length=10, pattern=r"^[A-Za-z]{5}[0-9]{4}[A-Za-z]$"),
    Field(description="10-character PAN"),
]
Address = Annotated[str, StringConstraints(max_length=1000), PRINTABLE]
Terms = Annotated[str, StringConstraints(max_length=10_000), PRINTABLE]
AccountNumber = Annotated[str, StringConstraints(max_length=34, pattern=r"^[0-9A-Za-z]{0,34}$")]
Ifsc = Annotated[
    str,
    StringConstraints(to_upper=True, max_length=11, pattern=r"^([A-Za-z]{4}0[0-9A-Za-z]{6})?$"),
    Field(description="11-character IFSC (4 letters, 0, 6 letters or digits), or empty"),
]
SacCode = Annotated[str, StringConstraints(max_length=8, pattern=r"^[0-9]{0,8}$")]
RatePercent = Annotated[
    Decimal,
    PLAIN_DECIMAL,
    Field(ge=0, le=100, max_digits=5, decimal_places=2),
    AfterValidator(lambda value: value.quantize(Decimal("0.01"))),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "minimum": 0, "maximum": 100, "multipleOf": 0.01},
                {"type": "string", "pattern": r"^([0-9]{1,2}(\.[0-9]{1,2})?|100(\.0{1,2})?)$"},
            ]
        },
        mode="validation",
    ),
]


class TaxRateIn(InputModel):
    charge_type: ChargeType
    rate: RatePercent = Field(description="GST percent on this charge type, e.g. 5 or 18")
    sac_code: SacCode = Field("", description="the SAC (services accounting code), digits")


class DocumentSettingsIn(InputModel):
    """The whole of the settings: what is left out is cleared (PUT)."""

    legal_name: ShortText = Field("", description="printed at the top; the tenant's name if empty")
    address: Address = ""
    contact: ShortText = Field("", description="phone, e-mail or website line under the address")
    gstin: Gstin | None = None
    pan: Pan | None = None
    state_code: StateCode | None = Field(
        None, description="the supplier's state; defaults to the GSTIN's. Decides CGST+SGST or IGST"
    )
    bank_name: ShortText = ""
    bank_account_name: ShortText = ""
    bank_account_number: AccountNumber = ""
    bank_ifsc: Ifsc = ""
    bank_branch: ShortText = ""
    quotation_validity_days: Annotated[int, Field(ge=1, le=365), NOT_BOOLEAN] = 15
    quotation_terms: Terms = Field("", description="terms printed on every quotation")
    tax_rates: list[TaxRateIn] = Field(
        default_factory=list,
        max_length=len(ChargeType),
        description="one per charge type at most; a quotation line needs its type's rate",
    )

    @model_validator(mode="after")
    def _distinct_types(self) -> DocumentSettingsIn:
        types = [r.charge_type for r in self.tax_rates]
        if len(types) != len(set(types)):
            raise ValueError("tax_rates: give each charge_type once")
        return self


class TaxRatePublic(OutputModel):
    charge_type: ChargeType
    rate: Decimal
    sac_code: str


class DocumentSettingsPublic(OutputModel):
    legal_name: str
    address: str
    contact: str
    gstin: str | None
    pan: str | None
    state_code: str | None
    state_name: str
    bank_name: str
    bank_account_name: str
    bank_account_number: str
    bank_ifsc: str
    bank_branch: str
    quotation_validity_days: int
    quotation_terms: str
    has_logo: bool
    logo_type: str | None
    tax_rates: list[TaxRatePublic]
    updated_at: datetime | None
