"""Reports & Analytics: ``/reports`` with tabs, a date range, charts and downloads.

Managers and admins land here (``nav.start_page``); viewers may read it; sales reps see
no money and so no reports (403 if forced). Every tab's table downloads as CSV and Excel
at ``/reports/{tab}.csv`` / ``.xlsx`` with the same ``from``/``to``.
"""

from __future__ import annotations

import secrets
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from salestrack.auth import clock
from salestrack.auth.roles import Permission
from salestrack.core.errors import NotFound, Unprocessable
from salestrack.http.deps import SessionDep
from salestrack.reports.common import window
from salestrack.web.kit.deps import WebUser, user_with
from salestrack.web.kit.render import query_string, render
from salestrack.web.reports import views
from salestrack.web.reports.exports import download
from salestrack.web.reports.tabs import TABS, Tab

router = APIRouter(prefix="/reports", include_in_schema=False)
Reader = Annotated[WebUser, user_with(Permission.reports_read)]


def _range(params: Any) -> tuple[dict[str, str], dict[str, str], date | None, date | None]:
    """``from``/``to`` as typed, errors beside them, and the dates used (bad ones ignored)."""
    values = {k: str(params.get(k, "")).strip() for k in ("from", "to")}
    errors: dict[str, str] = {}
    days: dict[str, date | None] = {"from": None, "to": None}
    for name, text in values.items():
        if text:
            try:
                days[name] = date.fromisoformat(text)
            except ValueError:
                errors[name] = "Enter a date like 2026-04-30; ignored."
    try:
        window(days["from"], days["to"])
    except Unprocessable:
        errors["to"] = "The end is before the start; ignored."
        days["to"] = None
    return values, errors, days["from"], days["to"]


def _tab(slug: str) -> Tab:
    tab = TABS.get(slug)
    if tab is None:
        raise NotFound("no such report")
    return tab


@router.get("")
def reports_page(request: Request, session: SessionDep, user: Reader) -> Response:
    params = request.query_params
    tab = TABS.get(params.get("tab", "dashboard"), TABS["dashboard"])
    values, errors, lo, hi = _range(params)
    report = tab.build(
        session, user.actor, window(lo, hi), clock.tenant_today(session, user.actor.tenant_id)
    )
    nonce = secrets.token_urlsafe(16)
    fmt = user.fmt
    context: dict[str, Any] = {
        "tabs": list(TABS.values()),
        "tab": tab,
        "report": report,
        "values": values,
        "errors": errors,
        "range_query": query_string(values),
        "tab_link": lambda slug: query_string({**values, "tab": slug}),
        "api_url": f"/api/v1/sales/reports/{tab.api_path}",
        "show": lambda kind, value: views.show(fmt, kind, value),
        "day": lambda text: fmt.day(date.fromisoformat(text)) if text else "…",
        "month": lambda text: fmt.month(date.fromisoformat(f"{text}-01")),
    }
    if tab.slug == "dashboard":
        context["headline"], context["ratios"] = views.kpis(report)
    elif tab.slug == "funnel":
        key = params.get("sort", "month")
        key = key if key in views.FUNNEL_COLUMNS else "month"
        descending = params.get("dir") == "desc"
        context["months"] = views.sorted_months(report["months"], key, descending)
        context["sort"], context["descending"] = key, descending
        context["columns"] = views.FUNNEL_COLUMNS
        context["sort_link"] = lambda column: query_string(
            {**values, "tab": "funnel", "sort": column, "dir": _direction(column, key, descending)}
        )
        context["chart"] = views.funnel_chart(report, fmt, nonce)
    elif tab.slug == "sources":
        context["chart"] = views.sources_chart(report, fmt, nonce)
        context["source_name"] = views.source_name
    elif tab.slug == "campaigns":
        context["chart"] = views.campaigns_chart(report, fmt, nonce)
        context["campaign_name"] = views.campaign_name
        context["roi_gap"] = views.roi_gap
    elif tab.slug == "bookings":
        context["chart"] = views.bookings_chart(report, fmt, nonce)
    elif tab.slug == "receivables":
        key = params.get("sort", "outstanding")
        key = key if key in views.RECEIVABLE_COLUMNS else "outstanding"
        descending = params.get("dir", "desc") != "asc"
        context["debtors"] = views.sorted_debtors(report["customers"], key, descending)
        context["sort"], context["descending"] = key, descending
        context["columns"] = views.RECEIVABLE_COLUMNS
        context["sort_link"] = lambda column: query_string(
            {"tab": "receivables", "sort": column, "dir": _direction(column, key, descending)}
        )
    return render(
        request,
        "reports/page.html",
        context,
        style_nonce=nonce,
    )


def _direction(column: str, current: str, descending: bool) -> str:
    """The current column flips; another starts with months and names ascending, numbers
    descending."""
    if column == current:
        return "asc" if descending else "desc"
    return "asc" if column in ("month", "name") else "desc"


@router.get("/{name}.{kind}")
def export(request: Request, session: SessionDep, user: Reader, name: str, kind: str) -> Response:
    """The tab's table as ``csv`` or ``xlsx`` (the API's CSV columns and rows)."""
    if kind not in ("csv", "xlsx"):
        raise NotFound("no such download")
    tab = _tab(name)
    _values, errors, lo, hi = _range(request.query_params)
    if errors:
        raise Unprocessable("; ".join(f"{k}: {v}" for k, v in errors.items()))
    report = tab.build(
        session, user.actor, window(lo, hi), clock.tenant_today(session, user.actor.tenant_id)
    )
    header, rows = tab.table(report)
    stamp = "-".join(d.isoformat() for d in (lo, hi) if d)
    filename = f"{tab.api_path}{'-' + stamp if stamp else ''}"
    return download(filename, kind, header, rows)
