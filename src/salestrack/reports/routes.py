"""``/api/v1/sales/reports/...``: thin handlers over the report modules.

Readers need ``reports:read`` (managers, admins and viewers; sales reps see no money, so
no reports). Every report takes ``?format=csv``.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import Depends, Query
from sqlalchemy.orm import Session

from salestrack.auth import clock
from salestrack.auth.context import Actor
from salestrack.auth.deps import require
from salestrack.auth.roles import Permission
from salestrack.core.schema_base import Day
from salestrack.http import csv_answers
from salestrack.http.csv_answers import CSV_RESPONSES, CsvFormat
from salestrack.http.deps import SessionDep
from salestrack.http.routing import api_router
from salestrack.reports import (
    bookings,
    campaigns,
    dashboard,
    funnel,
    receivables,
    sources,
)
from salestrack.reports.common import Window, window
from salestrack.reports.figures import CounterFigures
from salestrack.reports.schemas import (
    BookingReport,
    CampaignReport,
    DashboardReport,
    FunnelReport,
    ReceivablesReport,
    SourceReport,
)

router = api_router(prefix="/api/v1/sales/reports", tags=["reports"])
Reader = Annotated[Actor, Depends(require(Permission.reports_read))]
From = Annotated[Day | None, Query(alias="from", description="first day, inclusive")]
To = Annotated[Day | None, Query(alias="to", description="last day, inclusive; not before from")]
NEXT_CURSOR = "the previous page's next_cursor (omit for the first page)"
TouchParam = Annotated[
    Literal["first", "last"],
    Query(description="credit leads to their first touch (the default) or their last"),
]
Format = CsvFormat
Table = Callable[[dict[str, Any]], tuple[list[str], list[list[Any]]]]
# JSON as the report built it: lead filters appear only when given (unset fields left out).
TYPED: dict[str, Any] = {"responses": CSV_RESPONSES, "response_model_exclude_unset": True}


def _answer(name: str, report: dict[str, Any], fmt: str, table: Table) -> Any:
    if fmt == "csv":
        header, rows = table(report)
        return csv_answers.response(name, header, rows)
    return report


def _report(
    session: Session,
    actor: Actor,
    answer: tuple[str, Table, str],
    build: Callable[[CounterFigures], dict[str, Any]],
) -> Any:
    """A report from the counters in one round trip, as JSON or CSV (``answer``: its name,
    its CSV table, the format asked for)."""
    name, table, fmt = answer
    figures = CounterFigures(session, actor.tenant_id)
    return _answer(name, figures.run(lambda: build(figures)), fmt, table)


def _window(
    lo: date | None,
    hi: date | None,
    source_id: uuid.UUID | None = None,
    campaign_id: uuid.UUID | None = None,
    assigned_to: uuid.UUID | None = None,
) -> Window:
    filters = {"source_id": source_id, "campaign_id": campaign_id, "assigned_to": assigned_to}
    return window(lo, hi, filters)


@router.get("/funnel", response_model=FunnelReport, **TYPED)
def funnel_report(
    session: SessionDep,
    actor: Reader,
    lo: From = None,
    hi: To = None,
    source_id: uuid.UUID | None = None,
    campaign_id: uuid.UUID | None = None,
    assigned_to: uuid.UUID | None = None,
    format: Format = "json",
) -> Any:
    """Monthly cohort funnel (last 12 months by default) with conversion and drop-off %.

    ``from`` may lie at most 240 months before the month of ``to`` (one row each)."""
    w = _window(lo, hi, source_id, campaign_id, assigned_to)
    today = clock.tenant_today(session, actor.tenant_id)
    return _report(
        session, actor, ("funnel", funnel.table, format), lambda f: funnel.build(f, w, today)
    )


@router.get("/source-performance", response_model=SourceReport, **TYPED)
def source_performance(
    session: SessionDep,
    actor: Reader,
    lo: From = None,
    hi: To = None,
    campaign_id: uuid.UUID | None = None,
    assigned_to: uuid.UUID | None = None,
    touch: TouchParam = "first",
    format: Format = "json",
) -> Any:
    """Per source: leads, qualified, converted, lost, conversion rate and cost."""
    w = _window(lo, hi, campaign_id=campaign_id, assigned_to=assigned_to)
    return _report(
        session,
        actor,
        ("source-performance", sources.table, format),
        lambda f: sources.build(session, f, actor.tenant_id, w, touch),
    )


@router.get("/campaign-performance", response_model=CampaignReport, **TYPED)
def campaign_performance(
    session: SessionDep,
    actor: Reader,
    lo: From = None,
    hi: To = None,
    source_id: uuid.UUID | None = None,
    assigned_to: uuid.UUID | None = None,
    touch: TouchParam = "first",
    format: Format = "json",
) -> Any:
    """Per campaign: leads, conversions, budget, revenue, cost per lead/conversion, ROI."""
    w = _window(lo, hi, source_id=source_id, assigned_to=assigned_to)
    return _report(
        session,
        actor,
        ("campaign-performance", campaigns.table, format),
        lambda f: campaigns.build(session, f, actor.tenant_id, w, touch),
    )


@router.get("/bookings", response_model=BookingReport, **TYPED)
def bookings_report(
    session: SessionDep, actor: Reader, lo: From = None, hi: To = None, format: Format = "json"
) -> Any:
    """Bookings by status with amounts and units, churn rate and refunds."""
    w = window(lo, hi)
    return _report(
        session, actor, ("bookings", bookings.table, format), lambda f: bookings.build(f, w)
    )


@router.get("/receivables", response_model=ReceivablesReport, **TYPED)
def receivables_report(
    session: SessionDep,
    actor: Reader,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: Annotated[
        str | None,
        Query(max_length=100, pattern=receivables.CURSOR_PATTERN, description=NEXT_CURSOR),
    ] = None,
    format: Format = "json",
) -> Any:
    """Outstanding by customer (owing most first) with ageing buckets, and tenant totals."""
    today = clock.tenant_today(session, actor.tenant_id)
    return _report(
        session,
        actor,
        ("receivables", receivables.table, format),
        lambda f: receivables.build(f, today, limit, cursor),
    )


@router.get("/dashboard", response_model=DashboardReport, **TYPED)
def dashboard_report(
    session: SessionDep,
    actor: Reader,
    lo: From = None,
    hi: To = None,
    source_id: uuid.UUID | None = None,
    campaign_id: uuid.UUID | None = None,
    assigned_to: uuid.UUID | None = None,
    format: Format = "json",
) -> Any:
    """The KPIs for the period (this month by default), each with the previous period's."""
    w = _window(lo, hi, source_id, campaign_id, assigned_to)
    today = clock.tenant_today(session, actor.tenant_id)
    return _report(
        session,
        actor,
        ("dashboard", dashboard.table, format),
        lambda f: dashboard.build(f, w, today),
    )
