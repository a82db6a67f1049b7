"""Receivables: what customers owe, by customer, with ageing buckets.

Payments and credits settle a customer's oldest debits first; what is left of each debit
ages from its transaction date: 0-30 days (also future-dated), 31-60, 61-90, over 90.
``outstanding`` is the ledger balance (negative when a refund is due to the customer).
Customers are listed owing the most first, a page at a time, each with its health band
(``money.health``); ``health`` sums the bands over every owing customer (``ar_health``).
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from salestrack.core.errors import Unprocessable
from salestrack.reports import ar_health
from salestrack.reports.common import as_of, money
from salestrack.reports.figure_types import Debtor, Figures

BUCKETS = ("days_0_30", "days_31_60", "days_61_90", "days_over_90")
COLUMNS = ("customer_id", "customer_code", "name", "outstanding", *BUCKETS, "health")


def bounds(today: date) -> dict[str, tuple[date | None, date | None]]:
    d = timedelta
    return {
        "days_0_30": (today - d(30), None),
        "days_31_60": (today - d(60), today - d(31)),
        "days_61_90": (today - d(90), today - d(61)),
        "days_over_90": (None, today - d(91)),
    }


def _buckets(debtor: Debtor, today: date) -> dict[str, str]:
    out = dict.fromkeys(BUCKETS, 0)
    for text, amount in debtor.unpaid.items():
        age = (today - date.fromisoformat(text)).days
        name = BUCKETS[0 if age <= 30 else 1 if age <= 60 else 2 if age <= 90 else 3]
        out[name] += amount
    return {k: money(Decimal(v) / 100) for k, v in out.items()}


# Far above any sum of amounts, far below what a NUMERIC comparison or quantize overflows.
CURSOR_AMOUNT_LIMIT = Decimal("1e24")
# ``<outstanding>|<customer id>``: every text of this shape is a position in the list.
CURSOR_PATTERN = (
    r"^-?[0-9]{1,24}(\.[0-9]{1,30})?\|"
    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
)


def parse_cursor(cursor: str | None) -> tuple[Decimal, uuid.UUID] | None:
    if cursor is None:
        return None
    try:
        amount, customer_id = cursor.split("|")
        outstanding = Decimal(amount)
        if not outstanding.is_finite() or abs(outstanding) >= CURSOR_AMOUNT_LIMIT:
            raise ValueError("not an amount a debtor can owe")
        return outstanding, uuid.UUID(customer_id)
    except (ValueError, ArithmeticError):
        raise Unprocessable("cursor is not one this API issued") from None


def build(figures: Figures, today: date, limit: int, cursor: str | None) -> dict[str, Any]:
    page = figures.debtors(limit + 1, parse_cursor(cursor))
    more = len(page) > limit
    page = page[:limit]
    totals = {name: money(figures.unpaid(lo, hi)) for name, (lo, hi) in bounds(today).items()}
    return {
        "as_of": as_of(),
        "today": today.isoformat(),
        "outstanding": money(figures.outstanding_total()),
        "buckets": totals,
        "health": ar_health.summary(figures, today),
        "customers": [
            {
                "customer_id": str(d.customer_id),
                "customer_code": d.customer_code,
                "name": d.name,
                "outstanding": money(d.outstanding),
                **_buckets(d, today),
                "health": ar_health.row_band(d.outstanding, d.unpaid, today),
            }
            for d in page
        ],
        "next_cursor": f"{page[-1].outstanding}|{page[-1].customer_id}" if more else None,
    }


def table(report: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    rows = [[row[c] for c in COLUMNS] for row in report["customers"]]
    rows.append(
        [
            "total",
            "",
            "",
            report["outstanding"],
            *report["buckets"].values(),
            report["health"]["status"],
        ]
    )
    return list(COLUMNS), rows
