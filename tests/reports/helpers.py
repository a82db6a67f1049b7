"""Report helpers for the tests: every report built from the counters and from the oracle."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from salestrack.core.db import utcnow
from salestrack.core.tenancy import set_tenant
from salestrack.reports import bookings, campaigns, dashboard, funnel, receivables, sources
from salestrack.reports.common import Window
from salestrack.reports.figure_types import Figures
from salestrack.reports.figures import CounterFigures
from salestrack.reports.oracle import OracleFigures

REPORTS = "/api/v1/sales/reports"


def _strip(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if k != "as_of"}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


def all_reports(
    session: Session, figures: Figures, tenant_id: uuid.UUID, today: date, w: Window
) -> dict[str, Any]:
    return _strip(
        {
            "funnel": funnel.build(figures, w, today),
            "sources": sources.build(session, figures, tenant_id, w),
            "campaigns": campaigns.build(session, figures, tenant_id, w),
            "sources_last": sources.build(session, figures, tenant_id, w, "last"),
            "campaigns_last": campaigns.build(session, figures, tenant_id, w, "last"),
            "bookings": bookings.build(figures, w),
            "receivables": receivables.build(figures, today, 500, None),
            "dashboard": dashboard.build(figures, w, today),
        }
    )


def both(
    factory: sessionmaker[Session],
    tenant_id: uuid.UUID,
    w: Window | None = None,
    *,
    unbatched_too: bool = False,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(counters, oracle) answers of every report for the tenant."""
    w = w or Window(None, None)
    today = utcnow().date()
    with factory() as session:
        set_tenant(session, tenant_id)
        counted = CounterFigures(session, tenant_id)
        fast = counted.run(lambda: all_reports(session, counted, tenant_id, today, w))
        if unbatched_too:  # one query per figure gives the same answers as one in all
            single = CounterFigures(session, tenant_id)
            assert all_reports(session, single, tenant_id, today, w) == fast
        slow = all_reports(session, OracleFigures(session, tenant_id), tenant_id, today, w)
        session.rollback()
    return fast, slow


def assert_parity(factory: sessionmaker[Session], tenant_id: uuid.UUID, **window: Any) -> None:
    w = Window(window.get("lo"), window.get("hi"))
    fast, slow = both(factory, tenant_id, w, unbatched_too=True)
    for name in fast:
        assert fast[name] == slow[name], name
