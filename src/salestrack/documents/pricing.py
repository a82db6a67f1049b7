"""A cost sheet's arithmetic, exact in ``Decimal`` (no database, no rounding surprises).

Per line: ``amount`` is given, or ``rate_per_sqft`` x the unit's area rounded half up to
the paisa; ``taxable = amount - discount``; the tax parts are rounded per line
(``gst.line_tax``); ``total = taxable + tax``. The document's totals are sums of the
lines' rounded figures and are never rounded again, so the printed lines add up to the
printed total.

Every figure, a line's and the document's, stays within what a money column holds
(``MAX_MONEY``): beyond it is a 422, not a figure the database cannot store (or the booking
made from it cannot take).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from salestrack.core.errors import Unprocessable
from salestrack.core.schema_base import MAX_MONEY
from salestrack.documents import amounts, gst
from salestrack.documents.charges import LABELS, ChargeType

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class LineInput:
    charge_type: ChargeType
    description: str = ""
    amount: Decimal | None = None
    rate_per_sqft: Decimal | None = None
    discount: Decimal = ZERO


@dataclass(frozen=True)
class PricedLine:
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


@dataclass(frozen=True)
class Totals:
    subtotal: Decimal
    discount_total: Decimal
    taxable_total: Decimal
    cgst_total: Decimal
    sgst_total: Decimal
    igst_total: Decimal
    grand_total: Decimal


def _describe(line: LineInput, area: Decimal) -> str:
    if line.description:
        return line.description
    label = LABELS[line.charge_type]
    if line.rate_per_sqft is not None:
        rate = amounts.rupees(line.rate_per_sqft)
        return f"{label} ({amounts.quantity(area)} sq ft × {rate}/sq ft)"  # noqa: RUF001
    return label


def _too_large(what: str) -> Unprocessable:
    return Unprocessable(
        f"{what} comes to more than {MAX_MONEY}, the largest amount salestrack keeps: "
        "check the area, rates and amounts",
        field="lines",
    )


def price_line(
    position: int,
    line: LineInput,
    *,
    area: Decimal,
    rate: tuple[Decimal, str],
    interstate: bool,
) -> PricedLine:
    """One line's figures (422 when its discount exceeds its amount)."""
    if line.rate_per_sqft is not None:
        if area * line.rate_per_sqft > MAX_MONEY:  # checked before rounding: a product of
            # up to 33 digits cannot be quantized to the paisa (InvalidOperation)
            raise _too_large(f"line {position}: the area times the rate")
        amount = gst.to_paise(area * line.rate_per_sqft)
    else:
        amount = line.amount if line.amount is not None else ZERO
    if line.discount > amount:
        raise Unprocessable(
            f"line {position}: discount {line.discount} is more than its amount {amount}",
            field="lines",
        )
    taxable = amount - line.discount
    gst_rate, sac = rate
    tax = gst.line_tax(taxable, gst_rate, interstate=interstate)
    return PricedLine(
        position=position,
        charge_type=line.charge_type,
        description=_describe(line, area),
        rate_per_sqft=line.rate_per_sqft,
        amount=amount,
        discount=line.discount,
        taxable=taxable,
        gst_rate=gst_rate,
        sac_code=sac,
        cgst=tax.cgst,
        sgst=tax.sgst,
        igst=tax.igst,
        total=taxable + tax.total,
    )


def price(
    lines: Sequence[LineInput],
    *,
    area: Decimal,
    rates: Mapping[ChargeType, tuple[Decimal, str]],
    interstate: bool,
) -> tuple[list[PricedLine], Totals]:
    """Every line and the totals; 422 naming a charge type the tenant has no GST rate for."""
    missing = sorted({line.charge_type.value for line in lines} - {t.value for t in rates})
    if missing:
        raise Unprocessable(
            f"no GST rate is set for {', '.join(missing)}: set it in the document settings",
            field="lines",
            missing_rates=missing,
        )
    priced = [
        price_line(i, line, area=area, rate=rates[line.charge_type], interstate=interstate)
        for i, line in enumerate(lines, start=1)
    ]

    def total(name: str) -> Decimal:
        return sum((getattr(p, name) for p in priced), ZERO)

    totals = Totals(
        subtotal=total("amount"),
        discount_total=total("discount"),
        taxable_total=total("taxable"),
        cgst_total=total("cgst"),
        sgst_total=total("sgst"),
        igst_total=total("igst"),
        grand_total=total("total"),
    )
    _check_storable(priced, totals)
    return priced, totals


def _check_storable(priced: Sequence[PricedLine], totals: Totals) -> None:
    """422 when a figure the quotation would store is beyond what a money column holds
    (each input is bounded, but area times rate, taxes and sums of lines can pass the bound)."""
    figures = [totals.grand_total, totals.subtotal]
    figures += [p.amount for p in priced] + [p.total for p in priced]
    if max(figures) > MAX_MONEY:
        raise _too_large("the quotation")
