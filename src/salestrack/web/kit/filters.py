"""Jinja filters: money, numbers, dates and times in the tenant's locale (Babel).

Every template formats through these, so an Indian tenant sees ₹4,50,00,000 (lakh/crore
grouping) and a German one 45.000.000 ₹, with no hand-written grouping anywhere. Whole
amounts drop their paise/cents; others keep the currency's digits.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from jinja2 import Environment, pass_context
from jinja2.runtime import Context

from salestrack.core.formatting import (
    DEFAULT_CURRENCY,
    DEFAULT_LOCALE,
    DEFAULT_TIMEZONE,
    EMPTY,
    LocaleFormat,
)

__all__ = [
    "DEFAULT_CURRENCY",
    "DEFAULT_LOCALE",
    "DEFAULT_TIMEZONE",
    "EMPTY",
    "LOCALE_FILTERS",
    "LocaleFormat",
    "install_filters",
]


def _fmt(context: Context) -> LocaleFormat:
    fmt = context.get("fmt")
    return fmt if isinstance(fmt, LocaleFormat) else LocaleFormat()


# Filter name -> the ``LocaleFormat`` method it applies with the page user's locale.
LOCALE_FILTERS: dict[str, Callable[[LocaleFormat, Any], str]] = {
    "money": LocaleFormat.money,
    "number": LocaleFormat.number,
    "percent": LocaleFormat.percent,
    "date": LocaleFormat.day,
    "datetime": LocaleFormat.moment,
    "duration": LocaleFormat.duration,
    "clock": LocaleFormat.clock,
    "days": LocaleFormat.days,
}


def locale_filter(format_value: Callable[[LocaleFormat, Any], str]) -> Callable[..., str]:
    """A template filter applying ``format_value`` with the page's ``fmt`` (the user's locale)."""

    @pass_context
    def apply(context: Context, value: Any) -> str:
        return format_value(_fmt(context), value)

    return apply


def label_filter(value: Any) -> str:
    """An enum value for people: ``walk_in`` -> ``Walk in``, ``Paid Search`` unchanged."""
    text = str(getattr(value, "value", value) or "")
    return text.replace("_", " ").capitalize() if text.islower() else text


def options_filter(members: Any) -> list[tuple[str, str]]:
    """Enum members as ``(value, label)`` pairs for a select."""
    return [(str(m.value), label_filter(m)) for m in members]


def install_filters(env: Environment) -> None:
    env.filters.update({name: locale_filter(method) for name, method in LOCALE_FILTERS.items()})
    env.filters.update(label=label_filter, options=options_filter)
