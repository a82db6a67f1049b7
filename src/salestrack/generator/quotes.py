"""Simulated quotations (cost sheets), as ``documents.quotations`` would have written them.

Every booking comes from an accepted quotation: its grand total is the booking amount
(accepting copies ``grand_total`` into the booking), it was sent before the booking day
and was still valid on it, and it names the booking and the customer. Some leads left in
``proposal`` or ``negotiation`` hold a quotation that is still sent (read as expired once
its validity has passed) or was rejected.

A quotation is one base-price line (``rate per sq ft x area``) taxed at the tenant's GST
rate for ``base_price``, priced by ``documents.pricing`` itself, so the stored lines and
totals are exactly what the service would store. Numbers (``QUO/<FY>/<n>``) come from the
code counters, gap-free per financial year in the order the leads are simulated, and the
counters are carried on so the service numbers after them.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal

from salestrack.documents.charges import ChargeType
from salestrack.documents.numbers import Series, counter_name, format_number
from salestrack.documents.pricing import LineInput, PricedLine, Totals, price
from salestrack.generator.copytext import NULL, day_of, day_text, stamp
from salestrack.generator.records import Context, Rows

PER_SQFT = Decimal(5000)  # base prices are whole lakhs: 600 to 2,980 sq ft at 5,000/sq ft


@dataclass(frozen=True)
class Quote:
    """What a simulated quotation is: the buyer, the unit and price, its dates and fate."""

    lead_id: str
    inventory_id: uuid.UUID
    unit_label: str
    base: Decimal
    day: int  # the quotation date (sent that day)
    status: str  # sent, accepted or rejected (expired is read from valid_until)
    decided: int | None = None  # instant of the decision
    customer_id: str | None = None
    booking_id: str | None = None
    delivery_day: int | None = None


_PRICED: dict[tuple[Decimal, tuple[Decimal, str]], tuple[list[PricedLine], Totals]] = {}


def priced(ctx: Context, base: Decimal) -> tuple[list[PricedLine], Totals]:
    """The quotation of base price ``base`` as ``documents.pricing`` prices it: its
    ``grand_total`` is the booking amount. Cached: there are only 120 base prices, and
    pricing one costs more than writing its rows."""
    key = (base, ctx.base_rate)
    found = _PRICED.get(key)
    if found is None:
        area = Decimal(int(base) // int(PER_SQFT))
        line = LineInput(ChargeType.base_price, rate_per_sqft=PER_SQFT)
        rates = {ChargeType.base_price: ctx.base_rate}
        found = _PRICED[key] = price([line], area=area, rates=rates, interstate=False)
    return found


def write_quote(ctx: Context, rows: Rows, quote: Quote) -> None:
    """The quotation's row and its line into ``rows``; its number taken from the counter."""
    lines, totals = priced(ctx, quote.base)
    on = day_of(quote.day)
    number = format_number(Series.quotation, on, ctx.next_code(counter_name(Series.quotation, on)))
    quotation_id = ctx.new_id()
    sent = ctx.happened_at(quote.day)
    decided = NULL if quote.decided is None else stamp(max(quote.decided, sent))
    updated = stamp(sent) if quote.decided is None else decided
    rows.quotations.append(
        f"{ctx.tenant}\t{quotation_id}\t{ctx.new_id()}\t1\t{number}\t{quote.status}"
        f"\t{quote.lead_id}\t{quote.customer_id or NULL}\t{quote.inventory_id.hex}"
        f"\t{quote.unit_label}\t{int(quote.base) // int(PER_SQFT)}\t{ctx.state_code or NULL}\tf"
        f"\t{day_text(quote.day)}\t{day_text(quote.day + ctx.validity_days)}"
        f"\t{NULL if quote.delivery_day is None else day_text(quote.delivery_day)}"
        f"\t{ctx.quotation_terms}\t\t{totals.subtotal}\t{totals.discount_total}"
        f"\t{totals.taxable_total}\t{totals.cgst_total}\t{totals.sgst_total}"
        f"\t{totals.igst_total}\t{totals.grand_total}\t{stamp(sent)}\t{decided}"
        f"\t{'customer chose another project' if quote.status == 'rejected' else ''}"
        f"\t{quote.booking_id or NULL}\t{stamp(sent)}\t{ctx.actor}\t{updated}\t{ctx.actor}"
        f"\t{NULL}\n"
    )
    for p in lines:
        rows.quotation_lines.append(
            f"{ctx.tenant}\t{quotation_id}\t{p.position}\t{p.charge_type.value}\t{p.description}"
            f"\t{p.rate_per_sqft}\t{p.amount}\t{p.discount}\t{p.taxable}\t{p.gst_rate}"
            f"\t{p.sac_code}\t{p.cgst}\t{p.sgst}\t{p.igst}\t{p.total}\n"
        )
