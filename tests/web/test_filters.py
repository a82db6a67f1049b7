"""Money, numbers and dates as each tenant writes them (Babel, not hand-made grouping)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from jinja2 import Environment

from salestrack.web.kit.filters import LocaleFormat, install_filters

INDIA = LocaleFormat("en_IN", "INR", "Asia/Kolkata")


@pytest.mark.parametrize(
    ("amount", "shown"),
    [
        (Decimal("45000000"), "₹4,50,00,000"),
        (Decimal("5000000.00"), "₹50,00,000"),
        (Decimal("1250.5"), "₹1,250.50"),
        (Decimal("0"), "₹0"),
        (None, "—"),
    ],
)
def test_indian_tenant_sees_lakh_and_crore_grouping(amount: Decimal | None, shown: str) -> None:
    assert INDIA.money(amount) == shown


def test_other_locales_group_their_own_way() -> None:
    assert LocaleFormat("en_US", "USD", "UTC").money(Decimal("4500000")) == "$4,500,000"
    german = LocaleFormat("de_DE", "EUR", "Europe/Berlin").money(Decimal("4500000.25"))
    assert german.replace("\xa0", " ") == "4.500.000,25 €"
    assert INDIA.number(4500000) == "45,00,000"


def test_dates_follow_the_locale_and_times_the_tenant_zone() -> None:
    assert INDIA.day(date(2026, 3, 5)) == "5 Mar 2026"
    assert LocaleFormat("en_US", "USD", "UTC").day(date(2026, 3, 5)) == "Mar 5, 2026"
    late_evening_utc = datetime(2026, 3, 5, 20, 0, tzinfo=UTC)
    assert INDIA.day(late_evening_utc) == "6 Mar 2026"  # already the next day in India
    assert "1:30" in INDIA.moment(late_evening_utc)


def test_amounts_are_read_the_way_they_are_written() -> None:
    assert INDIA.parse_amount("45,00,000") == Decimal("4500000")
    assert INDIA.parse_amount("₹ 1,250.50") == Decimal("1250.50")
    assert LocaleFormat("de_DE", "EUR").parse_amount("1.250,50") == Decimal("1250.50")
    with pytest.raises(ValueError, match="not an amount"):
        INDIA.parse_amount("twelve")


def test_unknown_locale_or_zone_falls_back_instead_of_failing() -> None:
    odd = LocaleFormat("xx_NOPE", "INR", "Nowhere/City")
    assert odd.money(Decimal("5000000")) == "₹50,00,000"
    assert odd.day(datetime(2026, 1, 1, 23, 0, tzinfo=UTC)) == "1 Jan 2026"


def test_templates_format_through_the_filters() -> None:
    env = Environment(autoescape=True)
    install_filters(env)
    template = env.from_string("{{ v | money }} {{ d | date }} {{ s | label }} {{ r | percent }}")
    out = template.render(
        fmt=INDIA, v=Decimal("45000000"), d=date(2026, 3, 5), s="walk_in", r=Decimal("300")
    )
    assert out == "₹4,50,00,000 5 Mar 2026 Walk in 300%"
