"""Every report has a response model, and answering through it changes nothing: the JSON
has the same keys in the same order and the same values as the dict the report built."""

from __future__ import annotations

import json
import uuid
from datetime import date
from typing import Any

from fastapi import FastAPI
from fastapi.encoders import jsonable_encoder
from sqlalchemy.orm import Session, sessionmaker

from salestrack.auth import clock
from salestrack.core.tenancy import set_tenant
from salestrack.reports.common import window
from salestrack.reports.figures import CounterFigures
from tests.reports import scenario as s
from tests.reports.helpers import all_reports
from tests.reports.test_scripted_month import MARCH, _march
from tests.support import TenantWorld

REPORTS = ("funnel", "source-performance", "campaign-performance", "bookings")
TYPED = (*REPORTS, "receivables", "dashboard")
BUILT_AS = {"source-performance": "sources", "campaign-performance": "campaigns"} | {
    name: name for name in ("funnel", "bookings", "receivables", "dashboard")
}


def _built(
    factory: sessionmaker[Session], tenant_id: uuid.UUID, name: str, params: dict[str, str]
) -> dict[str, Any]:
    """The report's dict as its module builds it, before any response model."""
    filters = {k: uuid.UUID(v) for k, v in params.items() if k.endswith("_id")}
    w = window(_day(params.get("from")), _day(params.get("to")), dict(filters))
    with factory() as session:
        set_tenant(session, tenant_id)
        today = clock.tenant_today(session, tenant_id)
        figures = CounterFigures(session, tenant_id)
        built = figures.run(lambda: all_reports(session, figures, tenant_id, today, w))
        session.rollback()
    answer: dict[str, Any] = jsonable_encoder(built[BUILT_AS[name]])
    return answer


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _text(report: dict[str, Any]) -> str:
    """The report as JSON text, keys in their order, without the ``as_of`` stamp."""
    return json.dumps({k: v for k, v in report.items() if k != "as_of"})


def test_report_answers_are_the_built_dicts(
    world: TenantWorld, session_factory: sessionmaker[Session]
) -> None:
    ids = _march(world.admin)
    cases: list[tuple[str, dict[str, str]]] = [(name, dict(MARCH)) for name in REPORTS]
    cases += [
        ("receivables", {}),
        ("dashboard", dict(MARCH)),
        ("funnel", {**MARCH, "source_id": ids["source"], "campaign_id": ids["campaign"]}),
        ("dashboard", {**MARCH, "campaign_id": ids["campaign"]}),
        ("campaign-performance", {**MARCH, "source_id": ids["source"]}),
    ]
    for name, params in cases:
        answer = s.report(world.manager, name, **params)
        built = _built(session_factory, world.tenant_id, name, params)
        assert _text(answer) == _text(built)


def test_every_report_documents_its_answer(app: FastAPI) -> None:
    paths = app.openapi()["paths"]
    schemas = app.openapi()["components"]["schemas"]
    for name in TYPED:
        content = paths[f"{s.SALES}/reports/{name}"]["get"]["responses"]["200"]["content"]
        ref = content["application/json"]["schema"]["$ref"]
        assert "text/csv" in content
        properties = schemas[ref.rsplit("/", 1)[1]]["properties"]
        assert "as_of" in properties
    funnel_schema = schemas["FunnelReport"]["properties"]
    assert {"from", "to", "months", "totals", "source_id"} <= set(funnel_schema)
