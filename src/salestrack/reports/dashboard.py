"""The KPI dashboard: the seed's figures for a period, each beside the previous period's.

The period is ``from``..``to`` (default: this month to date); the previous period is the
same number of days just before it. Lead KPIs count the period's cohort (leads dated in
it, at the furthest stage each reached). Money KPIs are cumulative up to the period's
end. ``active_customers``, ``engagement_rate`` and the follow-up counts are states of
today, kept without history, so their ``previous`` is null. Every ratio divides two counts
of one population (``definitions.KPI_DEFINITIONS`` says which, beside each figure): the
booking rate is the cohort's converted leads holding a live invoiced booking over the
cohort's converted leads, not the period's bookings over a cohort count.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from salestrack.reports import ar_health
from salestrack.reports.common import Window, as_of, money, month_start, pct, previous, ratio
from salestrack.reports.contrib import OPEN_STATUSES
from salestrack.reports.figure_types import Figures

KPIS = (
    "total_leads",
    "new_leads",
    "qualified_leads",
    "converted_leads",
    "conversion_rate",
    "lead_quality",
    "active_customers",
    "total_bookings",
    "booked_amount",
    "customer_ltv",
    "payment_collection",
    "booking_rate",
    "avg_days_to_conversion",
    "engagements_this_month",
    "engagement_rate",
    "outstanding_balance",
    "pending_follow_ups",
    "overdue_follow_ups",
)


def _period(figures: Figures, lo: date, hi: date, filters: dict[str, Any]) -> dict[str, Any]:
    leads = figures.leads(lo, hi, filters=filters)
    total, converted = leads.n("r0"), leads.n("r4")
    bookings = figures.bookings(lo, hi)
    live = ("pending", "confirmed", "on_hold", "completed")
    booked = sum(bookings.n(f"count:{s}") for s in live)
    booked_amount = sum((bookings.amount(f"count:{s}") for s in live), start=Decimal("0.00"))
    ledger = figures.ledger(None, hi)
    invoiced = ledger.amount("invoiced")
    billed = invoiced + ledger.amount("debit_notes") - ledger.amount("credit_notes")
    collected = ledger.amount("paid") - ledger.amount("refunded")
    return {
        "total_leads": total,
        "new_leads": total - leads.n("r1"),
        "qualified_leads": leads.n("r2"),
        "converted_leads": converted,
        "conversion_rate": pct(converted, total),
        "lead_quality": pct(leads.n("r2"), total),
        "total_bookings": booked,
        "booked_amount": money(booked_amount),
        "customer_ltv": ratio(invoiced, figures.customers(None, hi)),
        "payment_collection": pct(collected, billed) if billed > 0 else None,
        "booking_rate": pct(leads.n("booked"), converted),
        "avg_days_to_conversion": ratio(leads.n("conv_days"), leads.n("conv")),
        "engagements_this_month": figures.engagements(lo, hi),
        "outstanding_balance": money(ledger.amount("balance")),
    }


def default_window(w: Window, today: date) -> Window:
    hi = w.hi or today
    return Window(w.lo or month_start(hi), hi, w.filters)


def build(figures: Figures, w: Window, today: date) -> dict[str, Any]:
    w = default_window(w, today)
    assert w.lo is not None
    assert w.hi is not None
    prev_lo, prev_hi = previous(w.lo, w.hi)
    now = _period(figures, w.lo, w.hi, w.filters)
    before = _period(figures, prev_lo, prev_hi, w.filters)
    statuses = figures.lead_statuses()
    active_leads = sum(statuses.n(s) for s in OPEN_STATUSES)
    now["active_customers"] = figures.active_customers(today - timedelta(days=90))
    touches = figures.engagements(w.lo, w.hi, open_leads_only=True)
    now["engagement_rate"] = ratio(touches, active_leads)
    now["pending_follow_ups"] = figures.follow_ups(None, None)
    now["overdue_follow_ups"] = figures.follow_ups(None, today - timedelta(days=1))
    kpis = {name: {"value": now[name], "previous": before.get(name)} for name in KPIS}
    return {
        "as_of": as_of(),
        **w.echo(),
        "previous_from": prev_lo.isoformat(),
        "previous_to": prev_hi.isoformat(),
        "kpis": kpis,
        "ar_health": ar_health.summary(figures, today),
    }


def table(report: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    rows = [[name, k["value"], k["previous"]] for name, k in report["kpis"].items()]
    return ["kpi", "value", "previous"], rows
