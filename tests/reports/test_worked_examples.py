"""The seed's worked examples, answered exactly by the reports (and equal to the oracle)."""

from __future__ import annotations

import csv
import io

from sqlalchemy.orm import Session, sessionmaker

from tests.reports import scenario as s
from tests.reports.helpers import assert_parity
from tests.support import TenantWorld


def test_campaign_example_cost_per_lead_conversion_and_roi(
    world: TenantWorld, session_factory: sessionmaker[Session]
) -> None:
    """50 leads, 10 converted, 150,000 revenue on a 50,000 budget: 1,000 per lead, 5,000 per
    conversion, ROI 200% (expected 300%)."""
    api = world.admin
    camp = s.campaign(api, "Diwali Digital", "50000", expected_roi="300")
    stock = s.inventory(api)
    for i in range(50):
        lead = s.lead(api, "2026-03-02", campaign_id=camp["id"])
        if i < 10:
            buyer = s.customer(api, f"Buyer {i}", lead["id"])
            s.booking(api, buyer["id"], stock["id"], "15000", "2026-03-20", status="confirmed")
    report = s.report(api, "campaign-performance")
    row = next(r for r in report["campaigns"] if r["campaign_id"] == camp["id"])
    assert row["leads"] == 50
    assert row["converted"] == 10
    assert row["conversion_rate"] == "20.00"
    assert row["budget"] == "50000.00"
    assert row["revenue"] == "150000.00"
    assert row["cost_per_lead"] == "1000.00"
    assert row["cost_per_conversion"] == "5000.00"
    assert row["roi"] == "200.00"
    assert row["expected_roi"] == "300.00"
    assert row["collected"] == "0.00"
    assert row["cash_roi"] == "-100.00"
    assert_parity(session_factory, world.tenant_id)
    text = api.get(f"{s.SALES}/reports/campaign-performance", params={"format": "csv"}).text
    rows = list(csv.DictReader(io.StringIO(text)))
    line = next(r for r in rows if r["campaign_id"] == camp["id"])
    assert (line["leads"], line["roi"], line["cost_per_lead"]) == ("50", "200.00", "1000.00")


def test_funnel_example_counts_each_stage_reached(
    world: TenantWorld, session_factory: sessionmaker[Session]
) -> None:
    """October: 50 new, 40 contacted, 30 qualified, 5 converted -> 10% conversion. Leads
    count at every stage up to the furthest reached, lost ones only while still lost."""
    api = world.admin
    leads = [s.lead(api, "2025-10-05")["id"] for _ in range(50)]
    for i, lead_id in enumerate(leads[:40]):
        s.milestone(api, lead_id, "contacted", "2025-10-06")
        if i < 30:
            s.milestone(api, lead_id, "site_visit", "2025-10-08")
        if i < 5:
            s.milestone(api, lead_id, "booking", "2025-10-20")
        elif i < 8:
            s.milestone(api, lead_id, "proposal", "2025-10-12")
        elif 30 <= i < 40:
            s.milestone(api, lead_id, "cancellation", "2025-10-15")
    s.milestone(api, leads[30], "reengaged", "2025-10-25")  # no longer lost
    # November: one lead booked straight from new has reached every stage; a lead set
    # back by hand keeps the furthest stage it reached.
    straight = s.lead(api, "2025-11-03")["id"]
    s.milestone(api, straight, "booking", "2025-11-04")
    back = s.lead(api, "2025-11-05")["id"]
    s.milestone(api, back, "demo", "2025-11-06")
    api.ok("PATCH", f"{s.SALES}/leads/{back}", json={"status": "contacted"})

    report = s.report(api, "funnel", **{"from": "2025-10-01", "to": "2025-11-30"})
    october, november = report["months"]
    assert october["month"] == "2025-10"
    assert [october[k] for k in ("new", "contacted", "qualified", "negotiation", "converted")] == [
        50,
        40,
        30,
        8,
        5,
    ]
    assert october["lost"] == 9
    assert october["conversion_rate"] == "10.00"
    assert october["drop_off"] == {
        "new_to_contacted": "20.00",
        "contacted_to_qualified": "25.00",
        "qualified_to_negotiation": "73.33",
        "negotiation_to_converted": "37.50",
    }
    assert [november[k] for k in ("new", "contacted", "qualified", "negotiation", "converted")] == [
        2,
        2,
        2,
        1,
        1,
    ]
    assert report["totals"]["new"] == 52
    assert report["totals"]["conversion_rate"] == "11.54"
    assert_parity(session_factory, world.tenant_id, lo=None, hi=None)
    text = api.get(
        f"{s.SALES}/reports/funnel",
        params={"from": "2025-10-01", "to": "2025-10-31", "format": "csv"},
    ).text
    header, first, total = list(csv.reader(io.StringIO(text)))
    assert header[:7] == [
        "month",
        "new",
        "contacted",
        "qualified",
        "negotiation",
        "converted",
        "lost",
    ]
    assert first[:9] == ["2025-10", "50", "40", "30", "8", "5", "9", "10.00", "20.00"]
    assert total[0] == "total"


def test_an_empty_tenant_has_null_rates_not_zero(world: TenantWorld) -> None:
    report = s.report(world.admin, "dashboard")
    assert report["kpis"]["total_leads"] == {"value": 0, "previous": 0}
    assert report["kpis"]["conversion_rate"]["value"] is None
    assert report["kpis"]["payment_collection"]["value"] is None
    assert s.report(world.admin, "bookings")["churn_rate"] is None
