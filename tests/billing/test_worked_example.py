"""The worked example: the quotation's 3BHK accepted into a booking with a 10/20/70
construction-linked plan; demands, payments, receipts and the ledger exact on both
databases."""

from __future__ import annotations

from salestrack.documents.numbers import financial_year
from tests.billing.support import (
    DOCUMENTS,
    LEDGER,
    SALES,
    STAGES,
    TOTAL,
    accepted_booking,
    construction_linked_plan,
    pay,
    pdf_text,
    plan_url,
    today,
)
from tests.support import TenantWorld


def test_the_worked_example_plan_demands_and_receipts(world: TenantWorld) -> None:
    booking = accepted_booking(world.admin)
    assert booking["booking_amount"] == TOTAL
    plan = construction_linked_plan(world.manager, booking["id"])
    assert plan["agreement_value"] == TOTAL
    rows = [(i["label"], i["percentage"], i["amount"], i["state"]) for i in plan["instalments"]]
    assert rows == [
        ("On booking", "10.00", "1166525.00", "due"),
        ("On completion of plinth", "20.00", "2333050.00", "upcoming"),
        ("On completion of slab 5", "70.00", "8165675.00", "upcoming"),
    ]
    customer_id = booking["customer_id"]
    account = world.admin.ok("GET", f"{LEDGER}/{customer_id}")
    # The lump-sum invoice is reversed: the demands invoice the booking from now on.
    assert account["summary"]["outstanding"] == "0.00"
    assert [e["status"] for e in account["entries"]] == ["reversed", "active"]

    first, second, _third = plan["instalments"]
    fy = financial_year(today())
    demand = world.manager.ok("POST", f"{SALES}/instalments/{first['id']}/demand", 201)
    assert (demand["kind"], demand["number"], demand["amount"]) == (
        "demand",
        f"INV/{fy}/000001",
        "1166525.00",
    )
    assert demand["amount_in_words"] == (
        "Rupees Eleven Lakh Sixty Six Thousand Five Hundred Twenty Five Only"
    )
    again = world.manager.post(f"{SALES}/instalments/{first['id']}/demand")
    assert again.status_code == 409
    assert again.headers["content-type"].startswith("application/problem+json")
    early = world.manager.post(f"{SALES}/instalments/{second['id']}/demand")
    assert early.status_code == 409, early.text

    assert world.rep.post(f"{STAGES}/{second['stage_id']}/reach", json={}).status_code == 403
    reached = world.manager.ok("POST", f"{STAGES}/{second['stage_id']}/reach", json={})
    assert reached["reached_on"] == today().isoformat()
    demand2 = world.manager.ok("POST", f"{SALES}/instalments/{second['id']}/demand", 201)
    assert (demand2["number"], demand2["amount"]) == (f"INV/{fy}/000002", "2333050.00")

    payment1 = pay(world.manager, booking, "1166525.00")
    payment2 = pay(world.manager, booking, "2050000.00")
    assert payment2["balance_after"] == "283050.00"
    summary = world.admin.ok("GET", f"{LEDGER}/{customer_id}")["summary"]
    assert (summary["total_invoiced"], summary["total_paid"], summary["outstanding"]) == (
        "3499575.00",
        "3216525.00",
        "283050.00",
    )
    receipts = world.admin.ok(
        "GET", DOCUMENTS, params={"customer_id": customer_id, "kind": "receipt"}
    )["items"]
    by_entry = {r["ledger_entry_id"]: r for r in receipts}
    r1, r2 = by_entry[payment1["id"]], by_entry[payment2["id"]]
    assert (r1["number"], r1["amount"]) == (f"RCT/{fy}/000001", "1166525.00")
    assert (r2["number"], r2["amount"]) == (f"RCT/{fy}/000002", "2050000.00")
    assert r2["amount_in_words"] == "Rupees Twenty Lakh Fifty Thousand Only"

    plan = world.admin.ok("GET", plan_url(booking["id"]))
    states = [(i["state"], i["paid"], i["outstanding"]) for i in plan["instalments"]]
    assert states == [
        ("paid", "1166525.00", "0.00"),
        ("part_paid", "2050000.00", "283050.00"),
        ("upcoming", "0.00", "8165675.00"),
    ]
    assert plan["instalments"][0]["demand_number"] == f"INV/{fy}/000001"

    statement = world.admin.ok("GET", f"{SALES}/customers/{customer_id}/statement")
    assert statement["closing_balance"] == "283050.00"
    assert [line["document_number"] for line in statement["lines"]] == [
        None,
        None,
        f"INV/{fy}/000001",
        f"INV/{fy}/000002",
        f"RCT/{fy}/000001",
        f"RCT/{fy}/000002",
    ]


def test_every_pdf_carries_the_figures(world: TenantWorld) -> None:
    booking = accepted_booking(world.admin)
    plan = construction_linked_plan(world.manager, booking["id"])
    first, second, _third = plan["instalments"]
    world.manager.ok("POST", f"{STAGES}/{second['stage_id']}/reach", json={})
    demand1 = world.manager.ok("POST", f"{SALES}/instalments/{first['id']}/demand", 201)
    demand2 = world.manager.ok("POST", f"{SALES}/instalments/{second['id']}/demand", 201)
    pay(world.manager, booking, "1166525.00")
    pay(world.manager, booking, "2050000.00")
    fy = financial_year(today())

    response = world.viewer.get(f"{DOCUMENTS}/{demand1['id']}/pdf")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "DEMAND LETTER" in text
    assert f"INV/{fy}/000001" in text
    assert "₹11,66,525.00" in text
    assert "10% of ₹1,16,65,250.00" in text
    assert "Rupees Eleven Lakh Sixty Six Thousand Five Hundred Twenty Five Only" in text

    text = pdf_text(world.admin.get(f"{DOCUMENTS}/{demand2['id']}/pdf").content)
    assert f"INV/{fy}/000002" in text
    assert "₹23,33,050.00" in text
    assert "₹34,99,575.00" in text  # the account's balance with both demands

    receipts = world.admin.ok("GET", DOCUMENTS, params={"kind": "receipt"})["items"]
    second_receipt = next(r for r in receipts if r["amount"] == "2050000.00")
    text = pdf_text(world.admin.get(f"{DOCUMENTS}/{second_receipt['id']}/pdf").content)
    assert "RECEIPT" in text
    assert f"RCT/{fy}/000002" in text
    assert "₹20,50,000.00" in text
    assert "Rupees Twenty Lakh Fifty Thousand Only" in text

    customer_id = booking["customer_id"]
    response = world.admin.get(f"{SALES}/customers/{customer_id}/statement/pdf")
    assert response.headers["content-type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "STATEMENT OF ACCOUNT" in text
    for figure in ("11,66,525.00", "23,33,050.00", "20,50,000.00", "₹2,83,050.00"):
        assert figure in text
    for number in (f"INV/{fy}/000001", f"INV/{fy}/000002", f"RCT/{fy}/000001"):
        assert number in text
    assert "Rupees Two Lakh Eighty Three Thousand Fifty Only" in text
    assert world.rep.get(f"{DOCUMENTS}/{demand1['id']}/pdf").status_code == 403


def test_raising_a_demand_again_with_its_key_replays_the_first_answer(
    world: TenantWorld,
) -> None:
    booking = accepted_booking(world.admin)
    plan = construction_linked_plan(world.manager, booking["id"])
    url = f"{SALES}/instalments/{plan['instalments'][0]['id']}/demand"
    key = {"Idempotency-Key": "demand-first-instalment"}
    first = world.manager.post(url, json={}, headers=key)
    again = world.manager.post(url, json={}, headers=key)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert world.manager.post(url, json={}).status_code == 409  # without the key: raised
    demands = world.admin.ok("GET", DOCUMENTS, params={"kind": "demand"})["items"]
    assert len(demands) == 1
    account = world.admin.ok("GET", f"{LEDGER}/{booking['customer_id']}")["summary"]
    assert account["total_invoiced"] == "1166525.00"
