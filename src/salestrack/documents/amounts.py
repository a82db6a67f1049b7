"""Amounts on documents in Indian figures: lakh and crore grouping, the rupee sign.

Babel's ``en_IN`` locale knows the grouping (``#,##,##0.00``), so nothing here groups
digits by hand. Documents are GST documents, hence rupees whatever the tenant's display
currency; they always show paise (``₹20,50,000.00``), as a tax document should.
"""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_currency, format_decimal

LOCALE = "en_IN"
CURRENCY = "INR"
CENT = Decimal("0.01")


def rupees(amount: Decimal) -> str:
    """``Decimal("2050000")`` -> ``"₹20,50,000.00"``."""
    return str(format_currency(amount.quantize(CENT), CURRENCY, locale=LOCALE))


def figures(amount: Decimal) -> str:
    """``Decimal("2050000")`` -> ``"20,50,000.00"``: for table columns headed in rupees."""
    return str(format_decimal(amount.quantize(CENT), format="#,##,##0.00", locale=LOCALE))


def percent(rate: Decimal) -> str:
    """``Decimal("5.00")`` -> ``"5%"``, ``Decimal("2.50")`` -> ``"2.5%"``."""
    text = format(rate.normalize(), "f")
    return f"{text}%"


def quantity(value: Decimal) -> str:
    """An area or count as written: ``Decimal("1450.00")`` -> ``"1,450"``, ``1450.5`` ->
    ``"1,450.5"``."""
    return str(format_decimal(value.normalize(), locale=LOCALE))
