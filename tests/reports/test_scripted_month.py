"""A scripted March of activity, with every report's numbers worked out by hand.

Campaign "Spring Expo" (budget 100,000) feeds source website/Expo landing. Leads dated
March 2026: L1 contacted, visited (follow-up set), booked 1,000,000 (confirmed) and paid
400,000; L2 contacted then lost; L3 emailed (contacted) with an open follow-up; L4 new;
L5 (no source) has a pending 500,000 booking. C3 (no lead) booked 200,000 and cancelled.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from tests.reports import scenario as s
from tests.reports.helpers import assert_parity
from tests.support import TenantWorld

MARCH = {"from": "2026-03-01", "to": "2026-03-31"}


def _march(api: Any) -> dict[str, str]:
    camp = s.campaign(api, "Spring Expo", "100000", expected_roi="250")
    src = s.source(api, "website", "Expo landing", campaign_id=camp["id"])
    tagged = {"source_id": src["id"], "campaign_id": camp["id"]}
    l1, l2, l3, l4 = (s.lead(api, "2026-03-01", **tagged)["id"] for _ in range(4))
    l5 = s.lead(api, "2026-03-02")["id"]
    stock = s.inventory(api)
    s.milestone(api, l1, "contacted", "2026-03-02")
    s.milestone(
        api, l1, "site_visit", "2026-03-05", follow_up_required=True, follow_up_date="2026-03-10"
    )
    c1 = s.customer(api, "Asha", l1)["id"]
    b1 = s.booking(api, c1, stock["id"], "1000000", "2026-03-20", status="confirmed")
    s.payment(
        api,
        c1,
        "400000",
        "2026-03-25",
        reference_document_type="booking",
        reference_document_id=b1["id"],
    )
    s.milestone(api, l2, "contacted", "2026-03-03")
    s.milestone(api, l2, "cancellation", "2026-03-09")
    s.engagement(api, l3, "2026-03-03T10:00:00Z")
    s.milestone(
        api, l3, "contacted", "2026-03-04", follow_up_required=True, follow_up_date="2026-03-12"
    )
    c2 = s.customer(api, "Bala", l5)["id"]
    s.booking(api, c2, stock["id"], "500000", "2026-03-28")
    c3 = s.customer(api, "Chitra")["id"]
    b3 = s.booking(api, c3, stock["id"], "200000", "2026-03-15", status="confirmed")
    api.ok(
        "POST",
        f"{s.SALES}/bookings/{b3['id']}/cancel",
        json={"reason": "changed plans", "refund_amount": "0", "cancellation_date": "2026-03-30"},
    )
    return {"campaign": camp["id"], "source": src["id"], "l4": l4, "c1": c1}


def test_a_month_of_activity(world: TenantWorld, session_factory: sessionmaker[Session]) -> None:
    api = world.manager
    ids = _march(world.admin)

    kpis = s.report(api, "dashboard", **MARCH)["kpis"]
    value = {name: k["value"] for name, k in kpis.items()}
    assert value == {
        "total_leads": 5,
        "new_leads": 2,
        "qualified_leads": 1,
        "converted_leads": 1,
        "conversion_rate": "20.00",
        "lead_quality": "20.00",
        "active_customers": 2,
        "total_bookings": 2,
        "booked_amount": "1500000.00",
        "customer_ltv": None,  # no customer existed yet at the end of March 2026
        "payment_collection": "40.00",
        "booking_rate": "100.00",  # L1 converted and holds its confirmed booking
        "avg_days_to_conversion": "19.00",
        "engagements_this_month": 1,
        "engagement_rate": value["engagement_rate"],
        "outstanding_balance": "600000.00",
        "pending_follow_ups": 1,
        "overdue_follow_ups": 1,
    }
    # Active leads now: L3 and L4 open... L1 converted, L2 lost, L5 new.
    assert value["engagement_rate"] == "0.33"
    assert kpis["total_leads"]["previous"] == 0
    assert kpis["outstanding_balance"]["previous"] == "0.00"
    assert kpis["active_customers"]["previous"] is None
    this_month = s.report(api, "dashboard")["kpis"]
    assert this_month["customer_ltv"]["value"] == "400000.00"  # 1,200,000 invoiced / 3

    booked = s.report(api, "bookings", **MARCH)
    by_status = {r["status"]: r for r in booked["statuses"]}
    assert by_status["confirmed"] == {
        "status": "confirmed",
        "count": 1,
        "total_amount": "1000000.00",
        "units_booked": 1,
        "average_amount": "1000000.00",
    }
    assert (by_status["pending"]["count"], by_status["cancelled"]["count"]) == (1, 1)
    assert by_status["completed"]["average_amount"] is None
    assert booked["churn_rate"] == "33.33"
    assert booked["total_amount"] == "1700000.00"
    assert booked["refunds"] == {"promised": "0.00", "paid": "0.00", "due": "0.00"}

    owed = s.report(api, "receivables")
    assert owed["outstanding"] == "600000.00"
    assert owed["buckets"]["days_over_90"] == "600000.00"
    assert [(c["customer_id"], c["outstanding"]) for c in owed["customers"]] == [
        (ids["c1"], "600000.00")
    ]

    camp = next(
        r
        for r in s.report(api, "campaign-performance", **MARCH)["campaigns"]
        if r["campaign_id"] == ids["campaign"]
    )
    assert {k: camp[k] for k in ("leads", "qualified", "converted", "conversion_rate")} == {
        "leads": 4,
        "qualified": 1,
        "converted": 1,
        "conversion_rate": "25.00",
    }
    assert (camp["revenue"], camp["collected"]) == ("1000000.00", "400000.00")
    assert (camp["cost_per_lead"], camp["cost_per_conversion"]) == ("25000.00", "100000.00")
    assert (camp["roi"], camp["cash_roi"], camp["expected_roi"]) == ("900.00", "300.00", "250.00")

    rows = s.report(api, "source-performance", **MARCH)["sources"]
    expo = next(r for r in rows if r["source_id"] == ids["source"])
    assert (expo["total_leads"], expo["lost"], expo["cost_per_lead"]) == (4, 1, "25000.00")
    unsourced = next(r for r in rows if r["source_id"] is None)
    assert (unsourced["total_leads"], unsourced["cost"]) == (1, None)

    funnel = s.report(api, "funnel", **MARCH)
    assert [funnel["months"][0][k] for k in ("new", "contacted", "qualified", "lost")] == [
        5,
        3,
        1,
        1,
    ]
    assert_parity(session_factory, world.tenant_id)


def test_filters_deletes_and_other_tenants(
    world: TenantWorld, other_world: TenantWorld, session_factory: sessionmaker[Session]
) -> None:
    api = world.admin
    ids = _march(api)
    _march(other_world.admin)  # another tenant's March counts nowhere here
    by_campaign = s.report(api, "funnel", campaign_id=ids["campaign"], **MARCH)
    assert by_campaign["months"][0]["new"] == 4
    combined = s.report(
        api, "funnel", campaign_id=ids["campaign"], source_id=ids["source"], **MARCH
    )  # two dimensions at once: answered by the oracle
    assert combined["months"][0]["new"] == 4
    api.ok("DELETE", f"{s.SALES}/leads/{ids['l4']}", 204)
    kpis = s.report(world.viewer, "dashboard", **MARCH)["kpis"]
    assert (kpis["total_leads"]["value"], kpis["new_leads"]["value"]) == (4, 1)
    assert s.report(api, "funnel", **MARCH)["months"][0]["new"] == 4
    assert_parity(session_factory, world.tenant_id)
    world.rep.ok("GET", f"{s.SALES}/reports/dashboard", 403)


def test_a_deleted_campaign_keeps_its_row_while_its_leads_live(
    world: TenantWorld, session_factory: sessionmaker[Session]
) -> None:
    """README: a deleted campaign stays in campaign performance, marked, while live leads
    reference it (they are not moved to "no campaign"); with none left it is gone."""
    api = world.admin
    ids = _march(api)
    api.ok("DELETE", f"{s.SALES}/campaigns/{ids['campaign']}", 204)
    rows = {
        r["campaign_id"]: r for r in s.report(api, "campaign-performance", **MARCH)["campaigns"]
    }
    kept = rows[ids["campaign"]]
    assert (kept["deleted"], kept["campaign_name"], kept["leads"]) == (True, "Spring Expo", 4)
    assert rows[None]["leads"] == 1  # L5 only: the campaign's leads were not moved here
    assert sum(r["leads"] for r in rows.values()) == 5  # the funnel's March total
    api.ok("GET", f"{s.SALES}/campaigns/{ids['campaign']}", 404)
    assert_parity(session_factory, world.tenant_id)
    april = s.report(api, "campaign-performance", **{"from": "2026-04-01", "to": "2026-04-30"})
    assert ids["campaign"] not in {r["campaign_id"] for r in april["campaigns"]}


def test_a_month_with_a_payment_plan_and_its_documents(
    world: TenantWorld, session_factory: sessionmaker[Session]
) -> None:
    """March again, B1 (1,000,000, 400,000 paid) on a plan: 40% on booking, 60% on a
    construction stage; both demanded, 100,000 more paid, and interest at 12% a year on
    the rest of the second demand for the 18 days after its pay-by date. Every report
    still equals the oracle with the demands, receipts and the debit note in the data."""
    api = world.admin
    ids = _march(api)
    c1 = ids["c1"]
    b1 = api.ok("GET", f"{s.SALES}/bookings", params={"customer_id": c1})["items"][0]
    project = api.ok("GET", f"{s.SALES}/inventory/{b1['inventory_id']}")["project"]
    slab = api.ok(
        "POST", f"{s.SALES}/construction-stages", 201, json={"project": project, "name": "Slab 1"}
    )
    body = {
        "instalments": [
            {"label": "On booking", "percentage": "40", "due_date": "2026-03-20"},
            {"label": "On slab 1", "percentage": "60", "stage_id": slab["id"]},
        ]
    }
    plan = api.ok("POST", f"{s.SALES}/bookings/{b1['id']}/payment-plan", 201, json=body)
    first, second = (i["id"] for i in plan["instalments"])
    api.ok("POST", f"{s.SALES}/instalments/{first}/demand", 201, json={"demand_date": "2026-03-21"})
    api.ok(
        "POST",
        f"{s.SALES}/construction-stages/{slab['id']}/reach",
        json={"reached_on": "2026-03-27"},
    )
    demand = api.ok(
        "POST", f"{s.SALES}/instalments/{second}/demand", 201, json={"demand_date": "2026-03-28"}
    )
    assert demand["pay_by"] == "2026-04-12"
    s.payment(
        api,
        c1,
        "100000",
        "2026-03-29",
        reference_document_type="booking",
        reference_document_id=b1["id"],
    )
    api.ok("PUT", f"{s.SALES}/billing-settings", json={"interest_rate": "12", "payment_days": 15})
    note = api.ok(
        "POST",
        f"{s.SALES}/billing-documents/{demand['id']}/interest",
        201,
        json={"as_of": "2026-04-30"},
    )
    # 500,000 unpaid x 18 days x 12% / 365 = 2,958.904... -> 2,958.90
    assert (note["kind"], note["amount"], note["period_from"]) == (
        "debit_note",
        "2958.90",
        "2026-04-13",
    )
    states = [
        i["state"] for i in api.ok("GET", f"{s.SALES}/payment-plans/{plan['id']}")["instalments"]
    ]
    assert states == ["paid", "overdue"]

    owed = s.report(world.manager, "receivables")
    assert [(c["customer_id"], c["outstanding"]) for c in owed["customers"]] == [(c1, "502958.90")]
    booked = s.report(world.manager, "bookings", **MARCH)
    assert booked["total_amount"] == "1700000.00"  # the plan invoices B1, it books nothing
    assert_parity(session_factory, world.tenant_id)
