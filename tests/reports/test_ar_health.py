"""The seed's customer health bands ("Checking Customer Health") on a worked example:
below 50,000 good, 50,000-100,000 monitor, above 100,000 high risk, anything unpaid over
30 days escalate; per customer (ledger summary, receivables rows) and summed (AR health
in the receivables report and on the dashboard), counters equal to the oracle."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker

from tests.money.conftest import LEDGER, new_customer, post
from tests.reports import scenario as s
from tests.reports.helpers import assert_parity
from tests.support import ApiClient, TenantWorld, tenant_today


def owing_customers(api: ApiClient) -> dict[str, str]:
    """name -> customer id, one customer per band and boundary (dated from the tenant's today)."""
    today = tenant_today()
    old = (today - timedelta(days=45)).isoformat()
    ids = {}
    for name, amount, day in (
        ("Anil", "40000.00", None),  # good
        ("Bhavna", "50000.00", None),  # monitor: 50,000 is not below 50,000
        ("Chetan", "75000.00", None),  # monitor
        ("Divya", "100000.00", None),  # monitor: 100,000 inclusive
        ("Eshan", "150000.00", None),  # high risk
        ("Farah", "20000.00", old),  # escalate: small but 45 days unpaid
        ("Gopal", "90000.00", None),  # paid in full: owes nothing
    ):
        customer = new_customer(api, name)["id"]
        extra = {"transaction_date": day} if day else {}
        post(api, customer, "invoice", amount, **extra)
        ids[name] = customer
    post(api, ids["Gopal"], "payment", "90000.00")
    return ids


def test_bands_per_customer_and_summed(
    world: TenantWorld, session_factory: sessionmaker[Session]
) -> None:
    api = world.admin
    ids = owing_customers(api)
    expected = {
        "Anil": "good",
        "Bhavna": "monitor",
        "Chetan": "monitor",
        "Divya": "monitor",
        "Eshan": "high_risk",
        "Farah": "escalate",
        "Gopal": "good",
    }
    for name, band in expected.items():
        summary = api.ok("GET", f"{LEDGER}/{ids[name]}")["summary"]
        assert summary["health"] == band, name

    owed = s.report(world.manager, "receivables")
    rows = {r["customer_id"]: r["health"] for r in owed["customers"]}
    assert rows == {ids[n]: b for n, b in expected.items() if n != "Gopal"}
    health = {**owed["health"]}
    assert health.pop("rule").startswith("outstanding below 50,000: good")
    assert health == {
        "status": "escalate",
        "customers_owing": 6,
        "good": 1,
        "monitor": 3,
        "high_risk": 1,
        "escalate": 1,
    }
    assert s.report(world.manager, "dashboard")["ar_health"] == owed["health"]
    assert_parity(session_factory, world.tenant_id)

    post(api, ids["Farah"], "payment", "20000.00")  # settled: Farah leaves the bands
    post(api, ids["Eshan"], "payment", "60000.00")  # 90,000 left: monitor
    after = s.report(world.manager, "receivables")["health"]
    assert (after["status"], after["monitor"], after["high_risk"], after["escalate"]) == (
        "monitor",
        4,
        0,
        0,
    )
    assert_parity(session_factory, world.tenant_id)


def test_nobody_owing_is_good(world: TenantWorld) -> None:
    health = s.report(world.manager, "receivables")["health"]
    assert (health["status"], health["customers_owing"]) == ("good", 0)
