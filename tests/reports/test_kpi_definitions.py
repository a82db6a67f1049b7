"""Each dashboard KPI on a worked example, numerator and denominator over one population.

November 2025. Cohort (lead_date in November): N1 booked 1,000,000 on 20 Nov (confirmed;
lead 1 Nov, 19 days); N2 booked 500,000 on 12 Nov (lead 2 Nov, 10 days) and cancelled it
on 14 Nov (lost); N3 qualified by a site visit; N4 contacted with an open follow-up due
10 Nov; N5 new. Two October leads, O1 and O2, book 2,000,000 and 3,000,000 on 15 Nov;
O1 pays 1,500,000. Engagements in November: one on N1 (converted now), one on N4 (open).

Before this issue the booking rate was 3 bookings dated in November ÷ 2 converted leads of
the November cohort = 150%; the engagement rate 2 engagements ÷ 3 open leads = 0.67.
"""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from salestrack.reports.definitions import KPI_DEFINITIONS
from tests.reports import scenario as s
from tests.reports.helpers import assert_parity
from tests.support import ApiClient, TenantWorld

NOVEMBER = {"from": "2025-11-01", "to": "2025-11-30"}


def _november(api: ApiClient) -> None:
    stock = s.inventory(api)
    n1, n2, n3, n4, n5 = (s.lead(api, f"2025-11-0{day}")["id"] for day in (1, 2, 3, 4, 5))
    o1, o2 = (s.lead(api, "2025-10-10")["id"] for _ in range(2))
    s.engagement(api, n1, "2025-11-03T10:00:00Z")
    c1 = s.customer(api, "Asha", n1)["id"]
    s.booking(api, c1, stock["id"], "1000000", "2025-11-20", status="confirmed")
    c2 = s.customer(api, "Bala", n2)["id"]
    b2 = s.booking(api, c2, stock["id"], "500000", "2025-11-12", status="confirmed")
    cancel = {
        "status": "cancelled",
        "cancellation_reason": "budget",
        "cancellation_date": "2025-11-14",
    }
    api.ok("PATCH", f"{s.SALES}/bookings/{b2['id']}", json=cancel)
    s.milestone(api, n3, "site_visit", "2025-11-06", outcome="neutral")
    s.engagement(api, n4, "2025-11-05T10:00:00Z")
    s.milestone(
        api, n4, "contacted", "2025-11-06", follow_up_required=True, follow_up_date="2025-11-10"
    )
    for lead, amount in ((o1, "2000000"), (o2, "3000000")):
        customer = s.customer(api, "Chitra", lead)["id"]
        booking = s.booking(api, customer, stock["id"], amount, "2025-11-15", status="confirmed")
        if lead == o1:
            reference = {
                "reference_document_type": "booking",
                "reference_document_id": booking["id"],
            }
            s.payment(api, customer, "1500000", "2025-11-25", **reference)
    assert n5


def test_every_kpi_on_a_worked_example(
    world: TenantWorld, session_factory: sessionmaker[Session]
) -> None:
    _november(world.admin)
    kpis = s.report(world.manager, "dashboard", **NOVEMBER)["kpis"]
    value = {name: k["value"] for name, k in kpis.items()}
    assert value == {
        "total_leads": 5,  # N1..N5
        "new_leads": 1,  # N5
        "qualified_leads": 3,  # N1, N2 (converted), N3
        "converted_leads": 2,  # N1, N2
        "conversion_rate": "40.00",  # 2 / 5
        "lead_quality": "60.00",  # 3 / 5
        "active_customers": 3,  # Asha, and O1's and O2's customers hold live bookings
        "total_bookings": 3,  # N1, O1, O2 (N2's is cancelled)
        "booked_amount": "6000000.00",
        "customer_ltv": None,  # the customers were created in 2026, after the period
        "payment_collection": "25.00",  # 1,500,000 / (6,500,000 - 500,000 credit note)
        "booking_rate": "50.00",  # N1 holds its booking; N2 cancelled: 1 / 2
        "avg_days_to_conversion": "14.50",  # (19 + 10) / 2
        "engagements_this_month": 2,
        "engagement_rate": "0.33",  # N4's one engagement / 3 open leads (N3, N4, N5)
        "outstanding_balance": "4500000.00",  # 6,500,000 - 500,000 - 1,500,000
        "pending_follow_ups": 1,  # N4's
        "overdue_follow_ups": 1,
    }
    previous = {name: k["previous"] for name, k in kpis.items()}
    # October (2 Oct - 31 Oct): O1 and O2, both converted and holding their bookings.
    assert (previous["total_leads"], previous["converted_leads"]) == (2, 2)
    assert (previous["booking_rate"], previous["lead_quality"]) == ("100.00", "100.00")
    assert previous["total_bookings"] == 0  # they booked in November
    today = s.report(world.manager, "dashboard")["kpis"]
    assert today["customer_ltv"]["value"] == "1625000.00"  # 6,500,000 invoiced / 4 customers
    assert_parity(session_factory, world.tenant_id, lo=None, hi=None)


def test_the_booking_rate_never_exceeds_one_hundred(world: TenantWorld) -> None:
    """Many bookings of one converted lead still make one booked lead."""
    api = world.admin
    stock = s.inventory(api)
    lead = s.lead(api, "2025-11-01")["id"]
    customer = s.customer(api, "Deepa", lead)["id"]
    for day in ("2025-11-10", "2025-11-11", "2025-11-12"):
        s.booking(api, customer, stock["id"], "100000", day, status="confirmed")
    kpis = s.report(world.manager, "dashboard", **NOVEMBER)["kpis"]
    assert (kpis["total_bookings"]["value"], kpis["converted_leads"]["value"]) == (3, 1)
    assert kpis["booking_rate"]["value"] == "100.00"


def test_each_kpi_is_defined_in_the_openapi_schema(world: TenantWorld) -> None:
    schema = world.admin.ok("GET", "/openapi.json")
    kpis = schema["components"]["schemas"]["Kpis"]["properties"]
    assert set(kpis) == set(KPI_DEFINITIONS)
    for name, prop in kpis.items():
        assert prop["description"] == KPI_DEFINITIONS[name], name
    assert "same cohort" not in kpis["booking_rate"]["description"]
    assert "Converted leads holding" in kpis["booking_rate"]["description"]
    rows = schema["components"]["schemas"]
    for model, field in (
        ("CampaignRow", "roi"),
        ("SourceRow", "conversion_rate"),
        ("BookingReport", "churn_rate"),
        ("FunnelStages", "drop_off"),
    ):
        assert rows[model]["properties"][field]["description"], (model, field)
