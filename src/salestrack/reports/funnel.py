"""The monthly cohort funnel: of the leads created in a month, how many reached each stage.

A lead counts at every stage up to the furthest it ever reached (its status history, not
its current status), once per stage; ``lost`` counts the cohort's leads that are lost now
(lost at some point and not re-engaged or booked since).
"""

from __future__ import annotations

from datetime import date
from itertools import pairwise
from typing import Any

from salestrack.core.errors import Unprocessable
from salestrack.reports.common import Window, add_months, as_of, month_start, pct
from salestrack.reports.counters import Sums
from salestrack.reports.figure_types import Figures

STAGES = ("new", "contacted", "qualified", "negotiation", "converted")
COLUMNS = (
    "month",
    *STAGES,
    "lost",
    "conversion_rate",
    *(f"drop_off_{a}_to_{b}" for a, b in pairwise(STAGES)),
)


MAX_MONTHS = 240


def default_window(w: Window, today: date) -> Window:
    """The last 12 months (this one included) unless ``from``/``to`` say otherwise; at most
    ``MAX_MONTHS`` months (one row each)."""
    hi = w.hi or today
    lo = w.lo or add_months(month_start(hi), -11)
    if lo > hi:
        raise Unprocessable("to may not be before from")
    if lo < add_months(month_start(hi), -(MAX_MONTHS - 1)):
        raise Unprocessable(f"the funnel covers at most {MAX_MONTHS} months")
    return Window(lo, hi, w.filters)


def stage_row(sums: Sums, group: Any) -> dict[str, Any]:
    counts = [sums.n(f"r{r}", group) for r in range(5)]
    row: dict[str, Any] = dict(zip(STAGES, counts, strict=True))
    row["lost"] = sums.n("lost", group)
    row["conversion_rate"] = pct(counts[4], counts[0])
    row["drop_off"] = {
        f"{a}_to_{b}": pct(counts[i] - counts[i + 1], counts[i])
        for i, (a, b) in enumerate(pairwise(STAGES))
    }
    return row


def build(figures: Figures, w: Window, today: date) -> dict[str, Any]:
    w = default_window(w, today)
    assert w.lo is not None
    assert w.hi is not None
    sums = figures.leads(w.lo, w.hi, by="month", filters=w.filters)
    months = []
    month = month_start(w.lo)
    totals: dict[tuple[Any, str], tuple[int, Any]] = {}
    while month <= w.hi:
        months.append({"month": month.strftime("%Y-%m"), **stage_row(sums, month)})
        month = add_months(month, 1)
    for (_group, metric), value in sums.values.items():
        n, amount = totals.get((None, metric), (0, 0))
        totals[(None, metric)] = (n + value[0], amount + value[1])
    return {
        "as_of": as_of(),
        **w.echo(),
        "months": months,
        "totals": stage_row(Sums(totals), None),
    }


def table(report: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    rows = []
    for item in [*report["months"], {"month": "total", **report["totals"]}]:
        drop = item["drop_off"]
        rows.append(
            [
                item["month"],
                *(item[s] for s in STAGES),
                item["lost"],
                item["conversion_rate"],
                *drop.values(),
            ]
        )
    return list(COLUMNS), rows
