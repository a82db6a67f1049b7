"""What each report tab shows beside its table: KPI cards with trends, sorted rows, charts.

Numbers come straight from the report (strings of exact decimals, or ints); only their
formatting is done here, in the tenant's locale, so the page equals the API's answer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from markupsafe import Markup

from salestrack.reports.definitions import KPI_DEFINITIONS
from salestrack.reports.funnel import STAGES
from salestrack.web.kit import charts
from salestrack.web.kit.filters import LocaleFormat, label_filter


@dataclass(frozen=True)
class Kpi:
    key: str
    label: str
    kind: str  # number | percent | money | days | ratio
    value: Any
    previous: Any
    trend: str | None  # up | down | flat, None without a previous value
    parts: tuple[tuple[str, str, Any], ...] = ()  # (key, label, value) breakdown
    definition: str = ""  # what it counts, shown as the card's footnote and tooltip


HEADLINE = (
    ("total_leads", "Total leads", "number"),
    ("conversion_rate", "Conversion rate", "percent"),
    ("active_customers", "Active customers", "number"),
    ("outstanding_balance", "Outstanding balance", "money"),
    ("engagements_this_month", "Engagements in the period", "number"),
    ("pending_follow_ups", "Pending follow-ups", "number"),
)
RATIOS = (
    ("lead_quality", "Lead quality (qualified ÷ total)", "percent"),
    ("booking_rate", "Booking rate (booked ÷ converted)", "percent"),
    ("payment_collection", "Payment collection", "percent"),
    ("customer_ltv", "Customer lifetime value", "money"),
    ("avg_days_to_conversion", "Average days to conversion", "ratio"),
    ("engagement_rate", "Engagements per open lead", "ratio"),
    ("converted_leads", "Converted leads", "number"),
    ("total_bookings", "Bookings", "number"),
    ("booked_amount", "Booked amount", "money"),
)
BREAKDOWN = {
    "total_leads": (("new_leads", "New"), ("qualified_leads", "Qualified")),
    "pending_follow_ups": (("overdue_follow_ups", "Overdue"),),
}


def _trend(value: Any, previous: Any) -> str | None:
    if value is None or previous is None:
        return None
    now, before = Decimal(str(value)), Decimal(str(previous))
    return "up" if now > before else "down" if now < before else "flat"


def kpis(report: dict[str, Any]) -> tuple[list[Kpi], list[Kpi]]:
    """The headline cards and the key ratios, each with its previous period's value."""
    figures = report["kpis"]

    def card(key: str, label: str, kind: str) -> Kpi:
        item = figures[key]
        parts = tuple((part, name, figures[part]["value"]) for part, name in BREAKDOWN.get(key, ()))
        trend = _trend(item["value"], item["previous"])
        return Kpi(
            key, label, kind, item["value"], item["previous"], trend, parts, KPI_DEFINITIONS[key]
        )

    return [card(*spec) for spec in HEADLINE], [card(*spec) for spec in RATIOS]


def show(fmt: LocaleFormat, kind: str, value: Any) -> str:
    """A report value as the tenant reads it."""
    if value is None:
        return "—"
    number = Decimal(str(value))
    if kind == "money":
        return fmt.money(number)
    if kind == "percent":
        return fmt.percent(number)
    return fmt.number(number)


def _formatter(fmt: LocaleFormat, kind: str) -> Callable[[Any], str]:
    return lambda v: (
        "" if v is None else show(fmt, kind, Decimal(str(v)).quantize(Decimal("0.01")).normalize())
    )


FUNNEL_COLUMNS = ("month", *STAGES, "lost", "conversion_rate")


def sorted_months(months: list[dict[str, Any]], key: str, descending: bool) -> list[dict[str, Any]]:
    """Funnel months sorted by a column; empty rates go last either way."""
    if key not in FUNNEL_COLUMNS:
        key = "month"
    present = [m for m in months if m[key] is not None]
    missing = [m for m in months if m[key] is None]

    def value(m: dict[str, Any]) -> Any:
        return m[key] if key == "month" else Decimal(str(m[key]))

    return sorted(present, key=value, reverse=descending) + missing


def funnel_chart(report: dict[str, Any], fmt: LocaleFormat, nonce: str) -> Markup:
    totals = report["totals"]
    stages = [(label_filter(s), int(totals[s])) for s in STAGES]
    return charts.funnel_chart(stages, "Lead funnel, all months", nonce, _formatter(fmt, "number"))


def source_name(row: dict[str, Any]) -> str:
    if row["source_id"] is None:
        return "No source"
    kind = label_filter(row["source_type"])
    return f"{kind} · {row['subsource_name']}" if row["subsource_name"] else kind


def sources_chart(report: dict[str, Any], fmt: LocaleFormat, nonce: str) -> Markup | None:
    rows = [r for r in report["sources"] if r["total_leads"]]
    if not rows:
        return None
    return charts.bar_chart(
        [source_name(r) for r in rows],
        [
            (name, [r[key] for r in rows])
            for key, name in (
                ("total_leads", "Leads"),
                ("qualified", "Qualified"),
                ("converted", "Converted"),
            )
        ],
        "Leads by source",
        nonce,
        _formatter(fmt, "number"),
        horizontal=True,
    )


def campaign_name(row: dict[str, Any]) -> str:
    name = row["campaign_name"] or "No campaign"
    return f"{name} (deleted)" if row.get("deleted") else name


def roi_gap(row: dict[str, Any]) -> Decimal | None:
    """Actual ROI minus expected, in percentage points (None when either is missing)."""
    if row["roi"] is None or row["expected_roi"] is None:
        return None
    return Decimal(row["roi"]) - Decimal(row["expected_roi"])


def campaigns_chart(report: dict[str, Any], fmt: LocaleFormat, nonce: str) -> Markup | None:
    rows = [r for r in report["campaigns"] if r["campaign_id"] and r["roi"] is not None]
    if not rows:
        return None
    return charts.bar_chart(
        [campaign_name(r) for r in rows],
        [
            ("Actual ROI", [r["roi"] for r in rows]),
            ("Expected ROI", [r["expected_roi"] for r in rows]),
        ],
        "ROI against expected (%)",
        nonce,
        _formatter(fmt, "percent"),
        horizontal=True,
    )


def bookings_chart(report: dict[str, Any], fmt: LocaleFormat, nonce: str) -> Markup | None:
    rows = report["statuses"]
    if not report["total_count"]:
        return None
    return charts.bar_chart(
        [label_filter(r["status"]) for r in rows],
        [("Bookings", [r["count"] for r in rows])],
        "Bookings by status",
        nonce,
        _formatter(fmt, "number"),
    )


RECEIVABLE_COLUMNS = (
    "name",
    "outstanding",
    "days_0_30",
    "days_31_60",
    "days_61_90",
    "days_over_90",
    "health",
)
HEALTH_RANK = {"good": 0, "monitor": 1, "high_risk": 2, "escalate": 3}


def sorted_debtors(rows: list[dict[str, Any]], key: str, descending: bool) -> list[dict[str, Any]]:
    """The receivables rows sorted by a column (names by text, bands by severity, amounts
    as numbers); ties keep the report's order (owing most first)."""
    if key not in RECEIVABLE_COLUMNS:
        key = "outstanding"

    def value(row: dict[str, Any]) -> Any:
        if key == "name":
            return str(row["name"]).casefold()
        if key == "health":
            return HEALTH_RANK.get(row["health"], 0)
        return Decimal(str(row[key]))

    return sorted(rows, key=value, reverse=descending)
