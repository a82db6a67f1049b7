"""GST: the states, the tenant's identifiers, and how a line's tax is split.

Within the supplier's state a line pays CGST and SGST, each half the rate; across states
it pays IGST at the full rate. Each part is rounded to the paisa on its own (half up), so
the two halves of an odd amount may differ from the IGST figure by a paisa, as on any GST
invoice. The state codes are the GST state codes (the first two digits of a GSTIN).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from stdnum.exceptions import ValidationError as NumberError
from stdnum.in_ import gstin as gstin_number
from stdnum.in_ import pan as pan_number

CENT = Decimal("0.01")
HUNDRED = Decimal(100)

STATES: dict[str, str] = {
    "01": "Jammu and Kashmir",
    "02": "Himachal Pradesh",
    "03": "Punjab",
    "04": "Chandigarh",
    "05": "Uttarakhand",
    "06": "Haryana",
    "07": "Delhi",
    "08": "Rajasthan",
    "09": "Uttar Pradesh",
    "10": "Bihar",
    "11": "Sikkim",
    "12": "Arunachal Pradesh",
    "13": "Nagaland",
    "14": "Manipur",
    "15": "Mizoram",
    "16": "Tripura",
    "17": "Meghalaya",
    "18": "Assam",
    "19": "West Bengal",
    "20": "Jharkhand",
    "21": "Odisha",
    "22": "Chhattisgarh",
    "23": "Madhya Pradesh",
    "24": "Gujarat",
    "26": "Dadra and Nagar Haveli and Daman and Diu",
    "27": "Maharashtra",
    "29": "Karnataka",
    "30": "Goa",
    "31": "Lakshadweep",
    "32": "Kerala",
    "33": "Tamil Nadu",
    "34": "Puducherry",
    "35": "Andaman and Nicobar Islands",
    "36": "Telangana",
    "37": "Andhra Pradesh",
    "38": "Ladakh",
    "97": "Other Territory",
}


def state_name(code: str | None) -> str:
    return STATES.get(code or "", "")


def check_gstin(value: str) -> str:
    """The GSTIN in its compact form; ValueError naming what is wrong."""
    try:
        return str(gstin_number.validate(value))
    except NumberError as exc:
        raise ValueError(f"is not a valid GSTIN ({exc})") from None


def check_pan(value: str) -> str:
    try:
        return str(pan_number.validate(value))
    except NumberError as exc:
        raise ValueError(f"is not a valid PAN ({exc})") from None


def to_paise(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class LineTax:
    """A line's tax: CGST and SGST within the state, IGST across states (the rest 0)."""

    cgst: Decimal
    sgst: Decimal
    igst: Decimal

    @property
    def total(self) -> Decimal:
        return self.cgst + self.sgst + self.igst


ZERO = Decimal("0.00")


def line_tax(taxable: Decimal, rate: Decimal, *, interstate: bool) -> LineTax:
    """The tax on ``taxable`` rupees at ``rate`` percent, each part rounded to the paisa."""
    if interstate:
        return LineTax(ZERO, ZERO, to_paise(taxable * rate / HUNDRED))
    half = to_paise(taxable * rate / 2 / HUNDRED)
    return LineTax(half, half, ZERO)
