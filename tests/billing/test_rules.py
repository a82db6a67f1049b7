"""Plans, stages and documents: another tenant's ids are 404, roles, bad input refused
whole (422 problem+json), replacing and withdrawing a plan, and a cancellation's credit
note."""

from __future__ import annotations

from datetime import date
from typing import Any

from tests.billing.support import (
    DOCUMENTS,
    LEDGER,
    PROJECT,
    SALES,
    STAGES,
    accepted_booking,
    construction_linked_plan,
    pay,
    pdf_text,
    plan_url,
    stage,
    today,
)
from tests.support import TenantWorld

PROBLEM = "application/problem+json"


def _demanded_world(world: TenantWorld) -> dict[str, Any]:
    booking = accepted_booking(world.admin)
    plan = construction_linked_plan(world.manager, booking["id"])
    first = plan["instalments"][0]
    demand = world.manager.ok("POST", f"{SALES}/instalments/{first['id']}/demand", 201)
    pay(world.manager, booking, "1000.00")
    receipt = world.admin.ok("GET", DOCUMENTS, params={"kind": "receipt"})["items"][0]
    return {"booking": booking, "plan": plan, "demand": demand, "receipt": receipt}


def test_another_tenants_ids_are_404(world: TenantWorld, other_world: TenantWorld) -> None:
    mine = _demanded_world(world)
    other = other_world.admin
    booking, plan = mine["booking"], mine["plan"]
    stage_id = plan["instalments"][1]["stage_id"]
    for method, url in (
        ("GET", plan_url(booking["id"])),
        ("GET", f"{SALES}/payment-plans/{plan['id']}"),
        ("POST", f"{SALES}/payment-plans/{plan['id']}/withdraw"),
        ("POST", f"{SALES}/instalments/{plan['instalments'][1]['id']}/demand"),
        ("POST", f"{STAGES}/{stage_id}/reach"),
        ("GET", f"{DOCUMENTS}/{mine['demand']['id']}"),
        ("GET", f"{DOCUMENTS}/{mine['demand']['id']}/pdf"),
        ("POST", f"{DOCUMENTS}/{mine['demand']['id']}/interest"),
        ("GET", f"{DOCUMENTS}/{mine['receipt']['id']}"),
        ("GET", f"{DOCUMENTS}/{mine['receipt']['id']}/pdf"),
        ("GET", f"{SALES}/customers/{booking['customer_id']}/statement"),
    ):
        answer = other.request(method, url, json={} if method == "POST" else None)
        assert answer.status_code == 404, (method, url, answer.text)
        assert answer.headers["content-type"].startswith(PROBLEM)
    body = {"instalments": [{"label": "All", "percentage": "100", "due_date": "2026-01-01"}]}
    assert other.post(plan_url(booking["id"]), json=body).status_code == 404
    assert other.ok("GET", DOCUMENTS, params={"customer_id": booking["customer_id"]})["items"] == []
    assert other.ok("GET", STAGES)["items"] == []


def test_roles(world: TenantWorld) -> None:
    mine = _demanded_world(world)
    stage_id = mine["plan"]["instalments"][1]["stage_id"]
    # Reps read stages (no money in them) but cannot mark one; they see no plan or document.
    assert [s["name"] for s in world.rep.ok("GET", STAGES, params={"project": PROJECT})["items"]]
    assert world.rep.post(f"{STAGES}/{stage_id}/reach", json={}).status_code == 403
    assert world.viewer.post(f"{STAGES}/{stage_id}/reach", json={}).status_code == 403
    assert world.rep.post(STAGES, json={"project": PROJECT, "name": "x"}).status_code == 403
    assert world.rep.get(plan_url(mine["booking"]["id"])).status_code == 403
    assert world.rep.get(f"{DOCUMENTS}/{mine['demand']['id']}").status_code == 403
    assert world.rep.get(DOCUMENTS).status_code == 403
    # Viewers read money, write none.
    assert world.viewer.get(plan_url(mine["booking"]["id"])).status_code == 200
    second = mine["plan"]["instalments"][1]["id"]
    assert world.viewer.post(f"{SALES}/instalments/{second}/demand").status_code == 403
    assert (
        world.manager.request(
            "PUT", f"{SALES}/billing-settings", json={"interest_rate": "12"}
        ).status_code
        == 403
    )  # admins set the rate
    assert (
        world.admin.request(
            "PUT", f"{SALES}/billing-settings", json={"interest_rate": "12"}
        ).status_code
        == 200
    )


def test_bad_input_is_refused_whole(world: TenantWorld) -> None:
    booking = accepted_booking(world.admin)
    other_project = world.admin.ok(
        "POST",
        f"{SALES}/inventory",
        201,
        json={"project": "Lake View", "unit_type": "2BHK", "total_units": 3},
    )
    elsewhere = stage(world.admin, "Slab 1", 1, project=other_project["project"])
    due = today().isoformat()
    bad_bodies = [
        {"instalments": []},
        {"instalments": [{"label": "x", "percentage": "100", "amount": "5", "due_date": due}]},
        {"instalments": [{"label": "x", "percentage": "100"}]},
        {"instalments": [{"label": "x", "percentage": "101", "due_date": due}]},
        {"instalments": [{"label": "x", "percentage": "0", "due_date": due}]},
        {"instalments": [{"label": "x", "percentage": "10.005", "due_date": due}]},
        {"instalments": [{"label": "x", "percentage": "90", "due_date": due}]},  # 90% in all
        {"instalments": [{"label": "x", "amount": "1", "due_date": due}]},
        {"instalments": [{"label": "x", "percentage": "100", "stage_id": elsewhere["id"]}]},
        {"instalments": [{"label": "", "percentage": "100", "due_date": due}]},
        {"instalments": [{"label": "x", "percentage": "100", "due_date": "2026-02-30"}]},
        {"instalments": [{"label": "x", "percentage": "100", "due_date": due}], "extra": 1},
    ]
    for body in bad_bodies:
        answer = world.manager.post(plan_url(booking["id"]), json=body)
        assert answer.status_code == 422, (body, answer.text)
        assert answer.headers["content-type"].startswith(PROBLEM)
        assert answer.json()["detail"]
    assert world.manager.get(plan_url(booking["id"])).status_code == 404  # nothing written
    ledger = world.admin.ok("GET", f"{LEDGER}/{booking['customer_id']}")
    assert [e["status"] for e in ledger["entries"]] == ["active"]  # the invoice stands
    for body in (
        {"project": "Nowhere", "name": "Slab 1"},
        {"project": PROJECT, "name": ""},
        {"project": PROJECT},
    ):
        answer = world.manager.post(STAGES, json=body)
        assert answer.status_code == 422, (body, answer.text)
    stage(world.manager, "Slab 9", 9)
    assert (
        world.manager.post(STAGES, json={"project": PROJECT, "name": "Slab 9"}).status_code == 409
    )
    for body in ({"interest_rate": "-1"}, {"interest_rate": "100.5"}, {"payment_days": 10}):
        answer = world.admin.request("PUT", f"{SALES}/billing-settings", json=body)
        assert answer.status_code == 422, (body, answer.text)
    answer = world.admin.get(
        f"{SALES}/customers/{booking['customer_id']}/statement",
        params={"date_from": "2026-12-31", "date_to": "2026-01-01"},
    )
    assert answer.status_code == 422


def test_a_pending_booking_takes_no_plan_and_a_plan_only_once(world: TenantWorld) -> None:
    booking = accepted_booking(world.admin)
    body = {"instalments": [{"label": "All", "percentage": "100", "due_date": "2026-01-01"}]}
    world.manager.ok("POST", plan_url(booking["id"]), 201, json=body)
    again = world.manager.post(plan_url(booking["id"]), json=body)
    assert again.status_code == 409
    inventory_id = booking["inventory_id"]
    pending = world.admin.ok(
        "POST",
        f"{SALES}/bookings",
        201,
        json={
            "customer_id": booking["customer_id"],
            "inventory_id": inventory_id,
            "booking_amount": "100000",
        },
    )
    assert world.manager.post(plan_url(pending["id"]), json=body).status_code == 409


def test_replacing_and_withdrawing_a_plan(world: TenantWorld) -> None:
    booking = accepted_booking(world.admin)
    plan = construction_linked_plan(world.manager, booking["id"])
    thirds = {
        "instalments": [
            {"label": f"Part {n}", "percentage": "33.33", "due_date": "2026-01-01"}
            for n in range(1, 3)
        ]
        + [{"label": "Part 3", "percentage": "33.34", "due_date": "2030-01-01"}]
    }
    replaced = world.manager.ok("PUT", f"{SALES}/payment-plans/{plan['id']}", json=thirds)
    # 33.33% of 1,16,65,250.00 = 38,88,027.825 -> 38,88,027.83 (half up), twice; the last
    # share 33.34% = 38,89,194.35; together 1,16,65,250.01: the last gives the paisa back.
    assert [i["amount"] for i in replaced["instalments"]] == [
        "3888027.83",
        "3888027.83",
        "3889194.34",
    ]
    assert [i["state"] for i in replaced["instalments"]] == ["due", "due", "upcoming"]
    world.manager.ok("POST", f"{SALES}/payment-plans/{plan['id']}/withdraw", 204)
    assert world.manager.get(plan_url(booking["id"])).status_code == 404
    account = world.admin.ok("GET", f"{LEDGER}/{booking['customer_id']}")
    assert account["summary"]["outstanding"] == "11665250.00"  # invoiced as a lump sum again
    assert account["summary"]["total_invoiced"] == "11665250.00"

    plan = world.manager.ok("POST", plan_url(booking["id"]), 201, json=thirds)
    first = plan["instalments"][0]["id"]
    world.manager.ok("POST", f"{SALES}/instalments/{first}/demand", 201)
    assert (
        world.manager.request("PUT", f"{SALES}/payment-plans/{plan['id']}", json=thirds).status_code
        == 409
    )
    withdraw = world.manager.post(f"{SALES}/payment-plans/{plan['id']}/withdraw")
    assert withdraw.status_code == 409


def test_interest_on_a_late_demand_is_a_debit_note(world: TenantWorld) -> None:
    booking = accepted_booking(world.admin)
    body = {
        "instalments": [
            {"label": "On booking", "percentage": "10", "due_date": "2026-01-01"},
            {"label": "Rest", "percentage": "90", "due_date": "2030-01-01"},
        ]
    }
    plan = world.manager.ok("POST", plan_url(booking["id"]), 201, json=body)
    demand = world.manager.ok(
        "POST",
        f"{SALES}/instalments/{plan['instalments'][0]['id']}/demand",
        201,
        json={"demand_date": "2026-01-01"},
    )
    assert demand["pay_by"] == "2026-01-16"
    url = f"{DOCUMENTS}/{demand['id']}/interest"
    assert world.manager.post(url, json={"as_of": "2026-02-15"}).status_code == 409  # no rate
    world.admin.ok("PUT", f"{SALES}/billing-settings", json={"interest_rate": "18"})
    pay(world.manager, booking, "566525.00", on=date(2026, 1, 26))
    note = world.manager.ok("POST", url, 201, json={"as_of": "2026-02-15"})
    # From the day after the pay-by date: 17 to 25 Jan (9 days) on 11,66,525.00, then
    # 26 Jan to 15 Feb (21 days) on 6,00,000.00, at 18% a year:
    # (10,498,725 + 12,600,000) x 0.18 / 365 = 11,391.152... -> 11,391.15
    assert (note["number"][:3], note["amount"]) == ("DN/", "11391.15")
    assert (note["period_from"], note["period_to"], note["rate"]) == (
        "2026-01-17",
        "2026-02-15",
        "18.00",
    )
    assert world.manager.post(url, json={"as_of": "2026-02-15"}).status_code == 409  # charged
    text = pdf_text(world.admin.get(f"{DOCUMENTS}/{note['id']}/pdf").content)
    for shown in ("DEBIT NOTE", note["number"], demand["number"], "₹11,391.15", "18% a year"):
        assert shown in text
    assert "17-Jan-2026 to 15-Feb-2026" in text
    assert "Rupees Eleven Thousand Three Hundred Ninety One and Fifteen Paise Only" in text
    account = world.admin.ok("GET", f"{LEDGER}/{booking['customer_id']}")["summary"]
    assert account["total_debit_notes"] == "11391.15"


def test_cancelling_a_booking_on_a_plan_credits_its_demands(world: TenantWorld) -> None:
    mine = _demanded_world(world)
    booking = mine["booking"]
    cancel = {"reason": "buyer withdrew", "refund_amount": "1000.00"}
    world.admin.ok("POST", f"{SALES}/bookings/{booking['id']}/cancel", json=cancel)
    account = world.admin.ok("GET", f"{LEDGER}/{booking['customer_id']}")
    # Demanded 11,66,525.00, paid 1,000.00, refund 1,000.00: credit 11,66,525.00.
    assert account["summary"]["outstanding"] == "-1000.00"
    notes = world.admin.ok("GET", DOCUMENTS, params={"kind": "credit_note"})["items"]
    assert [(n["number"][:3], n["amount"]) for n in notes] == [("CN/", "1166525.00")]
    assert notes[0]["booking_id"] == booking["id"]
    text = pdf_text(world.admin.get(f"{DOCUMENTS}/{notes[0]['id']}/pdf").content)
    for shown in ("CREDIT NOTE", notes[0]["number"], "₹11,66,525.00", booking["booking_code"]):
        assert shown in text
    assert notes[0]["amount_in_words"] == (
        "Rupees Eleven Lakh Sixty Six Thousand Five Hundred Twenty Five Only"
    )
    second = mine["plan"]["instalments"][1]
    world.manager.ok("POST", f"{STAGES}/{second['stage_id']}/reach", json={})
    again = world.manager.post(f"{SALES}/instalments/{second['id']}/demand")
    assert again.status_code == 409  # a cancelled booking is not demanded


def test_a_statement_between_two_days(world: TenantWorld) -> None:
    booking = accepted_booking(world.admin)
    body = {"instalments": [{"label": "All", "percentage": "100", "due_date": "2026-01-01"}]}
    plan = world.manager.ok("POST", plan_url(booking["id"]), 201, json=body)
    world.manager.ok(
        "POST",
        f"{SALES}/instalments/{plan['instalments'][0]['id']}/demand",
        201,
        json={"demand_date": "2026-01-05"},
    )
    pay(world.manager, booking, "1000000.00", on=date(2026, 1, 10))
    pay(world.manager, booking, "500000.50", on=date(2026, 2, 10))
    url = f"{SALES}/customers/{booking['customer_id']}/statement"
    shown = world.admin.ok("GET", url, params={"date_from": "2026-02-01", "date_to": "2026-02-28"})
    # Before February: 1,16,65,250.00 demanded less 10,00,000.00 paid.
    assert shown["opening_balance"] == "10665250.00"
    assert [(line["credit"], line["balance"]) for line in shown["lines"]] == [
        ("500000.50", "10165249.50")
    ]
    assert shown["lines"][0]["document_number"].startswith("RCT/")
    assert (shown["total_debits"], shown["total_credits"], shown["closing_balance"]) == (
        "0.00",
        "500000.50",
        "10165249.50",
    )
