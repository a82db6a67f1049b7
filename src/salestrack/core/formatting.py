"""Numbers, money, dates and times the way a locale writes them (Babel), in a time zone.

One formatter for everything people read: the pages (``web.kit.filters`` makes template
filters of it) and the reminder e-mails, so an Indian tenant sees ₹4,50,00,000 (lakh/crore
grouping) and a German one 45.000.000 ₹ wherever they look, with no hand-written grouping.
Whole amounts drop their paise/cents; others keep the currency's digits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_datetime, format_skeleton, format_time
from babel.numbers import NumberFormatError, format_currency, format_decimal, parse_decimal
from babel.units import format_unit

DEFAULT_LOCALE = "en_IN"
DEFAULT_CURRENCY = "INR"
DEFAULT_TIMEZONE = "Asia/Kolkata"
EMPTY = "—"


@lru_cache(maxsize=64)
def _locale(name: str) -> Locale:
    try:
        return Locale.parse(name)
    except (UnknownLocaleError, ValueError, TypeError):
        return Locale.parse(DEFAULT_LOCALE)


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a directory, a long path
        return ZoneInfo("UTC")


@lru_cache(maxsize=64)
def _whole_currency_pattern(locale_name: str) -> str:
    """The locale's currency pattern without its fraction (``¤#,##,##0.00`` -> ``¤#,##,##0``)."""
    pattern = _locale(locale_name).currency_formats["standard"].pattern
    return re.sub(r"\.0+", "", pattern)


@dataclass(frozen=True)
class LocaleFormat:
    """How one tenant writes numbers, money and dates."""

    locale: str = DEFAULT_LOCALE
    currency: str = DEFAULT_CURRENCY
    timezone: str = DEFAULT_TIMEZONE

    @property
    def babel_locale(self) -> Locale:
        return _locale(self.locale)

    @property
    def zone(self) -> ZoneInfo:
        return _zone(self.timezone)

    def money(self, amount: Decimal | int | None) -> str:
        if amount is None:
            return EMPTY
        value = Decimal(amount)
        loc = self.babel_locale
        if value == value.to_integral_value():
            return format_currency(
                value,
                self.currency,
                format=_whole_currency_pattern(str(loc)),
                locale=loc,
                currency_digits=False,
            )
        return format_currency(value, self.currency, locale=loc)

    def number(self, value: Decimal | int | float | None) -> str:
        return EMPTY if value is None else format_decimal(value, locale=self.babel_locale)

    def percent(self, value: Decimal | int | float | None) -> str:
        """A percentage given in percent units (300 -> "300%")."""
        return EMPTY if value is None else f"{self.number(value)}%"

    def day(self, value: date | datetime | None) -> str:
        if value is None:
            return EMPTY
        if isinstance(value, datetime):
            value = self.local(value).date()
        return format_date(value, "medium", locale=self.babel_locale)

    def month(self, value: date) -> str:
        """A month as the tenant names it ("Nov 2026")."""
        return format_skeleton("yMMM", value, locale=self.babel_locale)

    def moment(self, value: datetime | None) -> str:
        if value is None:
            return EMPTY
        return format_datetime(self.local(value), "medium", locale=self.babel_locale)

    def local(self, value: datetime) -> datetime:
        """``value`` in the tenant's zone; in UTC for a moment at the edge of the calendar
        (saved before moments were bounded) that the zone cannot show."""
        try:
            return value.astimezone(self.zone)
        except (OverflowError, ValueError):
            return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)

    def duration(self, seconds: int | None) -> str:
        """``7200`` -> "2 hours", ``5430`` -> "1 hour 30 minutes" in the tenant's language."""
        if seconds is None:
            return EMPTY
        hours, rest = divmod(int(seconds), 3600)
        minutes, secs = divmod(rest, 60)
        parts = [
            format_unit(amount, unit, locale=self.babel_locale)
            for amount, unit in (
                (hours, "duration-hour"),
                (minutes, "duration-minute"),
                (secs, "duration-second"),
            )
            if amount
        ]
        return " ".join(parts) or format_unit(0, "duration-minute", locale=self.babel_locale)

    def clock(self, value: time | None) -> str:
        """A local time of day ("10:30 am"), as the tenant writes it."""
        return EMPTY if value is None else format_time(value, "short", locale=self.babel_locale)

    def days(self, count: int | None) -> str:
        if count is None:
            return EMPTY
        return format_unit(count, "duration-day", locale=self.babel_locale)

    def today(self) -> date:
        return datetime.now(self.zone).date()

    def parse_amount(self, text: str) -> Decimal:
        """An amount typed in the tenant's way ("45,00,000.50"); ValueError if it is not one."""
        cleaned = text.strip().replace(" ", "")
        symbol = self.babel_locale.currency_symbols.get(self.currency, "")
        for mark in {symbol, self.currency}:
            if mark:
                cleaned = cleaned.replace(mark, "")
        try:
            return Decimal(parse_decimal(cleaned, locale=self.babel_locale))
        except (NumberFormatError, InvalidOperation) as exc:
            raise ValueError(f"{text!r} is not an amount") from exc


# The locales a user may choose (language of the reminder e-mails, and how numbers, dates
# and money are written for them): each one's language has its translated e-mails.
USER_LOCALES = ("en_IN", "en_US", "en_GB", "hi_IN", "de_DE")


def locale_label(name: str) -> str:
    """``hi_IN`` -> "हिन्दी (भारत)": the locale's name in its own language (CLDR)."""
    return str(_locale(name).display_name)
