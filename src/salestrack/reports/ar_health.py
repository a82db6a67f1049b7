"""AR health: how many owing customers are in each of the seed's health bands
(``money.health``), read from the summary counters (a few rows, whatever the tenant's size).

A customer in ``escalate`` (an unpaid debit older than 30 days) is counted there and not
in its balance band, so the four counts add up to ``customers_owing``. ``status`` is the
worst band any owing customer is in (``good`` when nobody owes).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from salestrack.money import health
from salestrack.reports.figure_types import Figures

ORDER = (health.Band.good, health.Band.monitor, health.Band.high_risk, health.Band.escalate)


def summary(figures: Figures, today: date) -> dict[str, Any]:
    owing = figures.owing_bands()
    late = figures.overdue_bands(today - timedelta(days=health.ESCALATE_AFTER_DAYS + 1))
    counts: dict[str, int] = {}
    escalate = 0
    for band in health.AMOUNT_BANDS:
        overdue = late.n(f"oldest:{band}")
        escalate += overdue
        counts[band.value] = owing.n(f"owing:{band}") - overdue
    counts[health.Band.escalate.value] = escalate
    worst = next((b for b in reversed(ORDER) if counts[b.value] > 0), health.Band.good)
    return {
        "status": worst.value,
        "customers_owing": sum(counts.values()),
        **counts,
        "rule": health.RULE,
    }


def row_band(outstanding: Any, unpaid: dict[str, int], today: date) -> str:
    """A debtor row's band, from its balance and its unpaid debits by day."""
    oldest = min((date.fromisoformat(text) for text in unpaid), default=None)
    age = None if oldest is None else (today - oldest).days
    return health.band(outstanding, age).value
