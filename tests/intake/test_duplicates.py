"""Likely duplicates and merging: everything moves to the survivor, the other is
soft-deleted pointing at it, the audit log has it, and every report equals the oracle."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.orm import Session, sessionmaker

from salestrack.core.tenancy import tenant_transaction
from salestrack.leads.models import Lead
from tests.intake.helpers import new_key, send
from tests.reports.helpers import both
from tests.support import TenantWorld

LEADS = "/api/v1/sales/leads"
DUPLICATES = "/api/v1/sales/duplicates"
MERGE = f"{DUPLICATES}/merge"


def _lead(world: TenantWorld, **fields: object) -> dict:
    return world.admin.ok("POST", LEADS, 201, json=fields)


def test_likely_duplicates_pair_same_phone_email_or_name(world: TenantWorld) -> None:
    admin = world.admin
    admin.ok("PUT", "/api/v1/sales/capture-settings", json={"duplicate_policy": "create"})
    a = _lead(world, name="Asha Rao", phone="+91 98100 00011")
    b = _lead(world, name="A. Rao", phone="9810000011")
    c = _lead(world, name="Bala", email="bala@example.com")
    d = _lead(world, name="Bala Iyer", email="BALA@example.com")
    e = _lead(world, name="chitra  ")
    f = _lead(world, name="Chitra")
    _lead(world, name="Nobody alike", phone="+91 98100 00099")
    pairs = {(p["lead_id"], p["other_id"]): p["reasons"] for p in admin.ok("GET", DUPLICATES)}
    assert pairs == {
        (a["id"], b["id"]): ["phone"],
        (c["id"], d["id"]): ["email"],
        (e["id"], f["id"]): ["name"],
    }


def test_merge_moves_everything_and_reports_stay_exact(
    world: TenantWorld, session_factory: sessionmaker[Session]
) -> None:
    admin = world.admin
    admin.ok("PUT", "/api/v1/sales/capture-settings", json={"duplicate_policy": "create"})
    survivor = _lead(world, name="Asha Rao", phone="+91 98100 00021", lead_date="2025-03-01")
    other = _lead(
        world, name="Asha", phone="098100 00021", email="asha@example.com", lead_date="2025-03-05"
    )
    admin.ok(
        "POST",
        "/api/v1/sales/engagement",
        201,
        json={
            "lead_id": other["id"],
            "engagement_type": "call_made",
            "engagement_channel": "phone",
            "engagement_date": "2025-03-06T10:00:00Z",
        },
    )
    stock = admin.ok(
        "POST",
        "/api/v1/sales/inventory",
        201,
        json={"project": "Lake View", "unit_type": "2BHK", "total_units": 10},
    )
    customer = admin.ok(
        "POST", "/api/v1/sales/customers", 201, json={"name": "Asha", "lead_id": other["id"]}
    )
    booking = admin.ok(
        "POST",
        "/api/v1/sales/bookings",
        201,
        json={
            "customer_id": customer["id"],
            "inventory_id": stock["id"],
            "booking_amount": "4500000.00",
            "booking_date": "2025-03-10",
            "status": "confirmed",
        },
    )
    assert booking["lead_id"] == other["id"]
    merged = admin.ok(
        "POST",
        f"{DUPLICATES}/merge",
        json={"survivor_id": survivor["id"], "duplicate_id": other["id"]},
    )
    assert merged["id"] == survivor["id"]
    assert merged["email"] == "asha@example.com"  # taken from the duplicate, which had one
    assert admin.get(f"{LEADS}/{other['id']}").status_code == 404
    assert admin.ok("GET", f"/api/v1/sales/bookings/{booking['id']}")["lead_id"] == survivor["id"]
    assert admin.ok("GET", f"/api/v1/sales/customers/{customer['id']}")["lead_id"] == survivor["id"]
    engagements = admin.ok("GET", f"{LEADS}/{survivor['id']}/engagements")["items"]
    assert [e["engagement_type"] for e in engagements] == ["call_made"]
    milestones = admin.ok("GET", f"{LEADS}/{survivor['id']}/milestones")["items"]
    assert "booking" in [m["milestone_type"] for m in milestones]
    history = admin.ok("GET", f"{LEADS}/{survivor['id']}/status-history")["items"]
    assert history[-1]["to_status"] == merged["status"]
    with tenant_transaction(session_factory, world.tenant_id) as session:
        gone = session.get(Lead, (world.tenant_id, uuid.UUID(other["id"])))
        assert gone is not None
        assert str(gone.merged_into) == survivor["id"]
        assert gone.deleted_at is not None
    audit = admin.ok("GET", f"/api/v1/sales/audit?entity=lead&entity_id={survivor['id']}")
    assert "merge" in [entry["action"] for entry in audit]
    assert list(admin.ok("GET", DUPLICATES)) == []
    fast, slow = both(session_factory, world.tenant_id)
    assert fast == slow
    funnel = fast["funnel"]
    assert funnel == slow["funnel"]
    sources = admin.ok("GET", "/api/v1/sales/reports/source-performance?from=2025-01-01")
    assert sum(r["total_leads"] for r in sources["sources"]) == 1
    campaigns = admin.ok(
        "GET", f"/api/v1/sales/reports/campaign-performance?from={date(2025, 1, 1)}"
    )
    assert sum(r["revenue"] != "0.00" for r in campaigns["campaigns"]) == 1


def test_merge_refusals(world: TenantWorld, other_world: TenantWorld) -> None:
    admin = world.admin
    mine = _lead(world, name="Mine")
    theirs = other_world.admin.ok("POST", LEADS, 201, json={"name": "Theirs"})
    same = admin.post(
        f"{DUPLICATES}/merge", json={"survivor_id": mine["id"], "duplicate_id": mine["id"]}
    )
    assert same.status_code == 422
    cross = admin.post(
        f"{DUPLICATES}/merge", json={"survivor_id": mine["id"], "duplicate_id": theirs["id"]}
    )
    assert cross.status_code == 404
    assert (
        world.viewer.post(
            f"{DUPLICATES}/merge", json={"survivor_id": mine["id"], "duplicate_id": theirs["id"]}
        ).status_code
        == 403
    )
    assert other_world.admin.ok("GET", f"{LEADS}/{theirs['id']}")["name"] == "Theirs"


def test_a_capture_racing_a_merge_lands_on_the_survivor_not_a_new_lead(
    world: TenantWorld,
) -> None:
    """The merge gives the survivor the duplicate's phone; a capture with that phone sent
    at the same moment found neither lead (PostgreSQL) and made a third for the buyer."""
    from concurrent.futures import ThreadPoolExecutor

    admin = world.admin
    key = new_key(admin)
    outcomes = []
    for i in range(6):
        phone = f"+9198765{i:05d}"
        dup = admin.ok("POST", LEADS, 201, json={"name": f"A{i}", "phone": phone})["id"]
        survivor = admin.ok("POST", LEADS, 201, json={"name": f"B{i}", "email": f"b{i}@x.io"})
        with ThreadPoolExecutor(2) as pool:
            merged = pool.submit(
                admin.post, MERGE, json={"survivor_id": survivor["id"], "duplicate_id": dup}
            )
            captured = pool.submit(send, admin, key, {"name": f"C{i}", "phone": phone})
            assert merged.result().status_code == 200
            outcomes.append(captured.result().json()["outcome"])
    assert outcomes == ["re_enquiry"] * 6
    live = admin.ok("GET", f"{LEADS}?limit=100")["items"]
    assert len(live) == 6  # the survivors only
