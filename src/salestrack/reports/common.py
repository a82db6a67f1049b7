"""What every report shares: periods, rates, money formatting and the ``as_of`` stamp."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import Date, cast, func
from sqlalchemy.orm import Session

from salestrack.core.db import utcnow
from salestrack.core.errors import Unprocessable

CENT = Decimal("0.01")
HUNDRED = Decimal(100)


def pct(part: Decimal | int, whole: Decimal | int) -> str | None:
    """``part / whole * 100`` with two decimals; None (not 0, not an error) when whole is 0."""
    if not whole:
        return None
    return str((Decimal(part) * HUNDRED / Decimal(whole)).quantize(CENT, ROUND_HALF_UP))


def ratio(part: Decimal | int, whole: Decimal | int) -> str | None:
    """``part / whole`` with two decimals (money per lead, days per conversion...)."""
    if not whole:
        return None
    return str((Decimal(part) / Decimal(whole)).quantize(CENT, ROUND_HALF_UP))


def money(amount: Decimal | int) -> str:
    return str(Decimal(amount).quantize(CENT))


def as_of() -> str:
    return utcnow().isoformat()


def utc_day(session: Session, column: Any) -> Any:
    """The UTC calendar day of a timestamp column, on either database."""
    if session.get_bind().dialect.name == "postgresql":
        return cast(func.timezone("UTC", column), Date)
    return func.date(column)


def month_start(day: date) -> date:
    return day.replace(day=1)


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Window:
    """A report's ``from``/``to`` (inclusive) and its lead filters."""

    lo: date | None
    hi: date | None
    filters: dict[str, uuid.UUID] = field(default_factory=dict)

    def echo(self) -> dict[str, Any]:
        return {
            "from": self.lo.isoformat() if self.lo else None,
            "to": self.hi.isoformat() if self.hi else None,
            **{k: str(v) for k, v in self.filters.items()},
        }


EARLIEST = date(1900, 1, 1)
LATEST = date(2999, 12, 31)


def window(
    lo: date | None, hi: date | None, filters: dict[str, uuid.UUID | None] | None = None
) -> Window:
    for name, day in (("from", lo), ("to", hi)):
        if day is not None and not EARLIEST <= day <= LATEST:
            raise Unprocessable(f"{name} must be between {EARLIEST} and {LATEST}")
    if lo and hi and hi < lo:
        raise Unprocessable("to may not be before from")
    return Window(lo, hi, {k: v for k, v in (filters or {}).items() if v is not None})


def previous(lo: date, hi: date) -> tuple[date, date]:
    """The period of the same length just before ``[lo, hi]``."""
    days = (hi - lo).days + 1
    return lo - timedelta(days=days), lo - timedelta(days=1)
