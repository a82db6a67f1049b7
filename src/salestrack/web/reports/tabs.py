"""The report tabs: which report module answers each, and its tables for download.

Each tab calls the reports domain's ``build`` functions on the same summary figures the
API reads (``CounterFigures``), so a page and ``GET /api/v1/sales/reports/...`` with the
same ``from``/``to`` show the same numbers; downloads use the same ``table`` functions
as the API's ``?format=csv``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from salestrack.auth.context import Actor
from salestrack.reports import bookings, campaigns, dashboard, funnel, receivables, sources
from salestrack.reports.common import Window
from salestrack.reports.figures import CounterFigures

Builder = Callable[[Session, Actor, Window, date], dict[str, Any]]
Table = Callable[[dict[str, Any]], tuple[list[str], list[list[Any]]]]


@dataclass(frozen=True)
class Tab:
    slug: str
    title: str
    api_path: str  # under /api/v1/sales/reports/
    build: Builder
    table: Table


def _dashboard(session: Session, actor: Actor, w: Window, today: date) -> dict[str, Any]:
    figures = CounterFigures(session, actor.tenant_id)
    return figures.run(lambda: dashboard.build(figures, w, today))


def _funnel(session: Session, actor: Actor, w: Window, today: date) -> dict[str, Any]:
    figures = CounterFigures(session, actor.tenant_id)
    return figures.run(lambda: funnel.build(figures, w, today))


def _sources(session: Session, actor: Actor, w: Window, _today: date) -> dict[str, Any]:
    figures = CounterFigures(session, actor.tenant_id)
    return figures.run(lambda: sources.build(session, figures, actor.tenant_id, w))


def _campaigns(session: Session, actor: Actor, w: Window, _today: date) -> dict[str, Any]:
    figures = CounterFigures(session, actor.tenant_id)
    return figures.run(lambda: campaigns.build(session, figures, actor.tenant_id, w))


def _bookings(session: Session, actor: Actor, w: Window, _today: date) -> dict[str, Any]:
    figures = CounterFigures(session, actor.tenant_id)
    return figures.run(lambda: bookings.build(figures, w))


# The receivables page lists the first page of the API's report (owing most first).
RECEIVABLES_ROWS = 500


def _receivables(session: Session, actor: Actor, _w: Window, today: date) -> dict[str, Any]:
    figures = CounterFigures(session, actor.tenant_id)
    return figures.run(lambda: receivables.build(figures, today, RECEIVABLES_ROWS, None))


TABS: dict[str, Tab] = {
    tab.slug: tab
    for tab in (
        Tab("dashboard", "Dashboard", "dashboard", _dashboard, dashboard.table),
        Tab("funnel", "Lead Funnel", "funnel", _funnel, funnel.table),
        Tab("sources", "Source Performance", "source-performance", _sources, sources.table),
        Tab("campaigns", "Campaigns", "campaign-performance", _campaigns, campaigns.table),
        Tab("bookings", "Bookings", "bookings", _bookings, bookings.table),
        Tab("receivables", "Receivables", "receivables", _receivables, receivables.table),
    )
}
