"""``?format=csv``: every report downloads as CSV with the same numbers as its JSON."""

from __future__ import annotations

import csv
import io

from tests.reports import scenario as s
from tests.reports.test_scripted_month import MARCH, _march
from tests.support import ApiClient, TenantWorld


def _csv(api: ApiClient, path: str, **params: str) -> list[dict[str, str]]:
    response = api.get(f"{s.SALES}/reports/{path}", params={**params, "format": "csv"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    return list(csv.DictReader(io.StringIO(response.text)))


def test_reports_as_csv_carry_the_json_numbers(world: TenantWorld) -> None:
    api = world.manager
    ids = _march(world.admin)
    kpis = {r["kpi"]: r for r in _csv(api, "dashboard", **MARCH)}
    assert kpis["conversion_rate"]["value"] == "20.00"
    assert kpis["customer_ltv"]["value"] == ""  # null: no customers yet at the end of March
    assert kpis["outstanding_balance"]["value"] == "600000.00"
    statuses = {r["status"]: r for r in _csv(api, "bookings", **MARCH)}
    assert statuses["confirmed"]["total_amount"] == "1000000.00"
    assert statuses["churn_rate"]["count"] == "33.33"
    customers = _csv(api, "receivables")
    assert customers[0]["outstanding"] == "600000.00"
    assert customers[-1]["customer_id"] == "total"
    sources = _csv(api, "source-performance", **MARCH)
    assert (
        next(r for r in sources if r["source_id"] == ids["source"])["cost_per_lead"] == "25000.00"
    )

    ledger = {r["field"]: r["value"] for r in _csv(api, f"customer-ledger/{ids['c1']}")}
    json_ledger = api.ok("GET", f"{s.SALES}/reports/customer-ledger/{ids['c1']}")
    assert ledger["outstanding"] == json_ledger["outstanding"] == "600000.00"
    lead = s.lead(world.admin, "2026-03-01")["id"]
    s.engagement(world.admin, lead, "2026-03-03T10:00:00Z")
    stats = {r["field"]: r["value"] for r in _csv(api, f"engagement-stats/{lead}")}
    assert stats["total_engagements"] == "1"
    assert stats["by_type.email_sent"] == "1"
    events = _csv(api, f"milestone-timeline/{lead}")
    assert [(e["kind"], e["event_type"]) for e in events] == [
        ("milestone", "lead_generated"),
        ("engagement", "email_sent"),
    ]
    assert api.get(f"{s.SALES}/reports/funnel", params={"format": "xml"}).status_code == 422
