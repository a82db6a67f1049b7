"""Bookings by status (count, amount, units, average), churn and refunds.

``from``/``to`` select bookings by ``booking_date``. churn rate = cancelled / all
bookings x 100. Refunds: promised at cancellation, paid out so far, and still due.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from salestrack.reports.common import Window, as_of, money, pct, ratio
from salestrack.reports.contrib import BOOKING_STATUSES
from salestrack.reports.figure_types import Figures

COLUMNS = ("status", "count", "total_amount", "units_booked", "average_amount")


def build(figures: Figures, w: Window) -> dict[str, Any]:
    sums = figures.bookings(w.lo, w.hi)
    rows = []
    count = 0
    amount = Decimal("0.00")
    for status in BOOKING_STATUSES:
        n, total = sums.n(f"count:{status}"), sums.amount(f"count:{status}")
        count += n
        amount += total
        rows.append(
            {
                "status": status,
                "count": n,
                "total_amount": money(total),
                "units_booked": sums.n(f"units:{status}"),
                "average_amount": ratio(total, n),
            }
        )
    promised, paid = sums.amount("refund_promised"), sums.amount("refund_paid")
    return {
        "as_of": as_of(),
        "from": w.lo.isoformat() if w.lo else None,
        "to": w.hi.isoformat() if w.hi else None,
        "statuses": rows,
        "total_count": count,
        "total_amount": money(amount),
        "average_amount": ratio(amount, count),
        "churn_rate": pct(sums.n("count:cancelled"), count),
        "refunds": {
            "promised": money(promised),
            "paid": money(paid),
            "due": money(promised - paid),
        },
    }


def table(report: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    rows = [[row[c] for c in COLUMNS] for row in report["statuses"]]
    rows.append(
        ["total", report["total_count"], report["total_amount"], "", report["average_amount"]]
    )
    rows.append(["churn_rate", report["churn_rate"], "", "", ""])
    for name, value in report["refunds"].items():
        rows.append([f"refunds_{name}", "", value, "", ""])
    return list(COLUMNS), rows
