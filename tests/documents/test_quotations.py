"""Quotations: the worked example exact on both databases, its PDF, versions, statuses,
sending (the proposal milestone) and accepting (the booking)."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal

from pypdf import PdfReader

from salestrack.documents.numbers import financial_year
from tests.documents.support import QUOTATIONS, SETTINGS, quoting_world, worked_example_body
from tests.support import TenantWorld, tenant_today

TOTAL = "11665250.00"
WORDS = "Rupees One Crore Sixteen Lakh Sixty Five Thousand Two Hundred Fifty Only"


def test_the_worked_example_is_exact(world: TenantWorld) -> None:
    lead_id, inventory_id = quoting_world(world.admin)
    quote = world.manager.ok(
        "POST", QUOTATIONS, 201, json=worked_example_body(lead_id, inventory_id)
    )
    assert (quote["status"], quote["version"], quote["number"]) == ("draft", 1, None)
    lines = [
        (
            ln["charge_type"],
            ln["amount"],
            ln["gst_rate"],
            ln["cgst"],
            ln["sgst"],
            ln["igst"],
            ln["total"],
        )
        for ln in quote["lines"]
    ]
    assert lines == [
        ("base_price", "10440000.00", "5.00", "261000.00", "261000.00", "0.00", "10962000.00"),
        ("floor_rise", "145000.00", "5.00", "3625.00", "3625.00", "0.00", "152250.00"),
        ("car_parking", "300000.00", "5.00", "7500.00", "7500.00", "0.00", "315000.00"),
        ("club_membership", "200000.00", "18.00", "18000.00", "18000.00", "0.00", "236000.00"),
    ]
    assert quote["lines"][0]["description"] == "Base price (1,450 sq ft \u00d7 ₹7,200.00/sq ft)"
    assert quote["lines"][0]["sac_code"] == "995411"
    assert (quote["subtotal"], quote["taxable_total"]) == ("11085000.00", "11085000.00")
    assert (quote["cgst_total"], quote["sgst_total"], quote["igst_total"]) == (
        "290125.00",
        "290125.00",
        "0.00",
    )
    assert quote["grand_total"] == TOTAL
    assert quote["amount_in_words"] == WORDS
    assert (quote["project"], quote["unit_type"], quote["interstate"]) == (
        "Whitefield Towers",
        "3BHK",
        False,
    )
    assert quote["terms"] == "Stamp duty and registration are extra."  # the tenant's default

    sent = world.manager.ok("POST", f"{QUOTATIONS}/{quote['id']}/send", json={})
    today = tenant_today()
    assert sent["number"] == f"QUO/{financial_year(today)}/000001"
    assert sent["quotation_date"] == today.isoformat()
    assert sent["valid_until"] == (today + timedelta(days=15)).isoformat()

    response = world.manager.get(f"{QUOTATIONS}/{quote['id']}/pdf")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert sent["number"].replace("/", "-") in response.headers["content-disposition"]
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    for expected in (
        "QUOTATION",
        f"No.: {sent['number']}",
        "Ravi Kumar",
        "Whitefield Towers",
        "Tower B, 1203",
        "3BHK · 1,450 sq ft",
        "1,04,40,000.00",
        "2,61,000.00",
        "1,09,62,000.00",
        "Club membership",
        "18%",
        "CGST ₹2,90,125.00",
        "SGST ₹2,90,125.00",
        "Total payable ₹1,16,65,250.00",
        WORDS,
        "Stamp duty and registration are extra.",
        "GSTIN: 29AAPFU0939F1ZR",
        "IFSC: HDFC0000123",
    ):
        assert expected in text, expected


def test_interstate_supply_pays_igst_and_rounds_per_line(world: TenantWorld) -> None:
    lead_id, inventory_id = quoting_world(world.admin)
    body = worked_example_body(
        lead_id,
        inventory_id,
        place_of_supply="27",
        area_sqft="1000.01",
        lines=[
            {"charge_type": "base_price", "rate_per_sqft": "0.03"},  # 30.0003 -> 30.00
            {"charge_type": "other", "amount": "0.05", "description": "Form fee"},
            {"charge_type": "car_parking", "amount": "300000", "discount": "25000.50"},
        ],
    )
    quote = world.admin.ok("POST", QUOTATIONS, 201, json=body)
    assert quote["interstate"] is True
    assert [(ln["amount"], ln["taxable"], ln["igst"], ln["cgst"]) for ln in quote["lines"]] == [
        ("30.00", "30.00", "1.50", "0.00"),
        ("0.05", "0.05", "0.01", "0.00"),  # 18% of 5 paise is 0.9 paise: 1 paisa
        ("300000.00", "274999.50", "13749.98", "0.00"),  # 13,749.975 half up
    ]
    assert quote["discount_total"] == "25000.50"
    assert quote["igst_total"] == "13751.49"
    assert quote["grand_total"] == str(Decimal("275029.55") + Decimal("13751.49"))
    within = world.admin.ok(
        "PUT", f"{QUOTATIONS}/{quote['id']}", json={**body, "place_of_supply": None}
    )
    assert within["interstate"] is False
    assert [(ln["cgst"], ln["sgst"]) for ln in within["lines"]][1] == ("0.00", "0.00")


def test_bad_input_is_refused_whole(world: TenantWorld, other_world: TenantWorld) -> None:
    lead_id, inventory_id = quoting_world(world.admin)
    body = worked_example_body(lead_id, inventory_id)
    cases = [
        ({"lines": [{"charge_type": "base_price", "amount": "1", "rate_per_sqft": "1"}]}, "one of"),
        ({"lines": [{"charge_type": "car_parking", "amount": "10", "discount": "11"}]}, "discount"),
        ({"lines": []}, "lines"),
        ({"lead_id": None}, "lead_id or customer_id"),
        ({"area_sqft": "0"}, "area_sqft"),
        ({"place_of_supply": "99"}, "place_of_supply"),
        (  # each figure within bounds, their product and sum beyond a money column's
            {
                "area_sqft": "9999999999999.99",
                "lines": [{"charge_type": "base_price", "rate_per_sqft": "999999.00"}],
            },
            "largest amount",
        ),
        (
            {
                "lines": [
                    {"charge_type": "car_parking", "amount": "9999999999999999.00"},
                    {"charge_type": "car_parking", "amount": "9999999999999999.00"},
                ]
            },
            "largest amount",
        ),
        (
            {
                "inventory_id": other_world.admin.ok(
                    "POST",
                    "/api/v1/sales/inventory",
                    201,
                    json={"project": "P", "unit_type": "2BHK", "total_units": 1},
                )["id"]
            },
            "inventory_id",
        ),
    ]
    for change, said in cases:
        response = world.admin.post(QUOTATIONS, json={**body, **change})
        assert response.status_code == 422, (change, response.text)
        assert said in response.text, (said, response.text)
    rates = [
        r
        for r in world.admin.ok("GET", SETTINGS)["tax_rates"]
        if r["charge_type"] != "club_membership"
    ]
    world.admin.ok("PUT", SETTINGS, json={"gstin": "29AAPFU0939F1ZR", "tax_rates": rates})
    missing = world.admin.post(QUOTATIONS, json=body)
    assert missing.status_code == 422
    assert missing.json()["missing_rates"] == ["club_membership"]
    assert world.admin.ok("GET", QUOTATIONS)["items"] == []  # nothing was written


def test_roles_and_tenants(world: TenantWorld, other_world: TenantWorld) -> None:
    lead_id, inventory_id = quoting_world(world.admin)
    quote = world.admin.ok("POST", QUOTATIONS, 201, json=worked_example_body(lead_id, inventory_id))
    url = f"{QUOTATIONS}/{quote['id']}"
    assert world.rep.get(QUOTATIONS).status_code == 403  # reps see no money
    assert world.rep.get(f"{url}/pdf").status_code == 403
    assert (
        world.rep.post(QUOTATIONS, json=worked_example_body(lead_id, inventory_id)).status_code
        == 403
    )
    assert world.viewer.get(url).status_code == 200
    assert world.viewer.post(f"{url}/send", json={}).status_code == 403
    for method, path in (
        ("GET", url),
        ("GET", f"{url}/pdf"),
        ("POST", f"{url}/send"),
        ("POST", f"{url}/revise"),
    ):
        response = other_world.admin.request(method, path, json={} if method == "POST" else None)
        assert response.status_code == 404, (method, path, response.text)
    assert other_world.admin.ok("GET", QUOTATIONS)["items"] == []


def test_versions_and_statuses(world: TenantWorld) -> None:
    lead_id, inventory_id = quoting_world(world.admin)
    api = world.manager
    v1 = api.ok("POST", QUOTATIONS, 201, json=worked_example_body(lead_id, inventory_id))
    assert api.post(f"{QUOTATIONS}/{v1['id']}/revise").status_code == 409  # edit the draft
    assert api.post(f"{QUOTATIONS}/{v1['id']}/accept", json={}).status_code == 409  # not sent
    v1 = api.ok("POST", f"{QUOTATIONS}/{v1['id']}/send", json={})
    assert api.post(f"{QUOTATIONS}/{v1['id']}/send", json={}).status_code == 409
    edit = api.request(
        "PUT", f"{QUOTATIONS}/{v1['id']}", json=worked_example_body(lead_id, inventory_id)
    )
    assert edit.status_code == 409  # sent: revise instead

    v2 = api.ok("POST", f"{QUOTATIONS}/{v1['id']}/revise", 201)
    assert (v2["version"], v2["status"], v2["number"], v2["series_id"]) == (
        2,
        "draft",
        None,
        v1["series_id"],
    )
    assert v2["grand_total"] == TOTAL
    discounted = worked_example_body(lead_id, inventory_id)
    discounted["lines"][2]["discount"] = "100000"
    v2 = api.ok("PUT", f"{QUOTATIONS}/{v2['id']}", json=discounted)
    assert v2["grand_total"] == str(Decimal(TOTAL) - Decimal("105000.00"))  # 1,00,000 + 5% GST
    again = api.ok("GET", f"{QUOTATIONS}/{v1['id']}")
    assert (again["status"], again["latest"], again["grand_total"]) == ("sent", False, TOTAL)
    assert api.post(f"{QUOTATIONS}/{v1['id']}/accept", json={}).status_code == 409  # v2 is newest

    v2 = api.ok("POST", f"{QUOTATIONS}/{v2['id']}/send", json={})
    assert v2["number"].endswith("/000002")
    rejected = api.ok("POST", f"{QUOTATIONS}/{v2['id']}/reject", json={"reason": "Over budget"})
    assert (rejected["status"], rejected["decision_note"]) == ("rejected", "Over budget")
    assert api.post(f"{QUOTATIONS}/{v2['id']}/accept", json={}).status_code == 409
    v3 = api.ok("POST", f"{QUOTATIONS}/{v2['id']}/revise", 201)
    assert v3["version"] == 3
    series = api.ok("GET", QUOTATIONS, params={"series_id": v1["series_id"]})["items"]
    assert [(q["version"], q["status"], q["latest"]) for q in series] == [
        (3, "draft", True),
        (2, "rejected", False),
        (1, "sent", False),
    ]


def test_a_quotation_past_its_validity_is_expired(world: TenantWorld) -> None:
    lead_id, inventory_id = quoting_world(world.admin)
    quote = world.admin.ok("POST", QUOTATIONS, 201, json=worked_example_body(lead_id, inventory_id))
    past = tenant_today() - timedelta(days=40)
    body = {
        "quotation_date": past.isoformat(),
        "valid_until": (past + timedelta(days=10)).isoformat(),
    }
    sent = world.admin.ok("POST", f"{QUOTATIONS}/{quote['id']}/send", json=body)
    assert sent["status"] == "expired"
    accept = world.admin.post(f"{QUOTATIONS}/{quote['id']}/accept", json={})
    assert accept.status_code == 409
    assert "expired" in accept.json()["detail"]
    assert [
        q["id"] for q in world.admin.ok("GET", QUOTATIONS, params={"status": "expired"})["items"]
    ] == [quote["id"]]
    assert world.admin.ok("GET", QUOTATIONS, params={"status": "sent"})["items"] == []
    bad = world.admin.post(f"{QUOTATIONS}/{quote['id']}/send", json={"valid_until": "2000-01-01"})
    assert bad.status_code == 409  # sent already


def test_sending_records_the_proposal_on_the_timeline(world: TenantWorld) -> None:
    lead_id, inventory_id = quoting_world(world.admin)
    quote = world.admin.ok("POST", QUOTATIONS, 201, json=worked_example_body(lead_id, inventory_id))
    sent = world.admin.ok("POST", f"{QUOTATIONS}/{quote['id']}/send", json={})
    timeline = world.admin.ok("GET", f"/api/v1/sales/reports/milestone-timeline/{lead_id}")
    proposals = [e for e in timeline["events"] if e["event_type"] == "proposal"]
    assert len(proposals) == 1
    milestone = proposals[0]["milestone"]
    assert milestone["metadata"] == {
        "quotation_id": quote["id"],
        "quotation_number": sent["number"],
        "quotation_version": 1,
        "amount": TOTAL,
        "valid_until": sent["valid_until"],
    }
    assert milestone["milestone_date"] == sent["quotation_date"]
    lead = world.admin.ok("GET", f"/api/v1/sales/leads/{lead_id}")
    assert lead["status"] == milestone["status_after"] != milestone["status_before"]
    # A sales rep sees the proposal, not its amount (reps see no money).
    rep_view = world.rep.ok("GET", f"/api/v1/sales/reports/milestone-timeline/{lead_id}")
    rep_meta = next(e for e in rep_view["events"] if e["event_type"] == "proposal")["milestone"][
        "metadata"
    ]
    assert "amount" not in rep_meta
    assert rep_meta["quotation_number"] == sent["number"]


def test_accepting_creates_the_booking_from_the_quotation(world: TenantWorld) -> None:
    lead_id, inventory_id = quoting_world(world.admin)
    quote = world.admin.ok("POST", QUOTATIONS, 201, json=worked_example_body(lead_id, inventory_id))
    world.admin.ok("POST", f"{QUOTATIONS}/{quote['id']}/send", json={})
    accepted = world.admin.ok("POST", f"{QUOTATIONS}/{quote['id']}/accept", json={})
    assert accepted["status"] == "accepted"
    booking = world.admin.ok("GET", f"/api/v1/sales/bookings/{accepted['booking_id']}")
    assert (booking["booking_amount"], booking["unit_type"], booking["unit_count"]) == (
        TOTAL,
        "3BHK",
        1,
    )
    assert (booking["delivery_date"], booking["status"], booking["lead_id"]) == (
        "2029-03-31",
        "confirmed",
        lead_id,
    )
    assert booking["inventory_id"] == inventory_id
    assert booking["customer_id"] == accepted["customer_id"]
    customer = world.admin.ok("GET", f"/api/v1/sales/customers/{accepted['customer_id']}")
    assert (customer["name"], customer["lead_id"]) == ("Ravi Kumar", lead_id)
    timeline = world.admin.ok("GET", f"/api/v1/sales/reports/milestone-timeline/{lead_id}")
    booked = next(e for e in timeline["events"] if e["event_type"] == "booking")["milestone"]
    assert booked["metadata"]["booking_amount"] == TOTAL
    assert booked["metadata"]["unit_type"] == "3BHK"
    assert booked["metadata"]["delivery_date"] == "2029-03-31"
    assert timeline["conversion_value"] == TOTAL
    assert (
        world.admin.post(f"{QUOTATIONS}/{quote['id']}/reject", json={"reason": "x"}).status_code
        == 409
    )
    assert world.admin.post(f"{QUOTATIONS}/{quote['id']}/revise").status_code == 409


def test_accepting_when_no_unit_is_left_changes_nothing(world: TenantWorld) -> None:
    lead_id, inventory_id = quoting_world(world.admin)
    world.admin.ok("PATCH", f"/api/v1/sales/inventory/{inventory_id}", json={"total_units": 0})
    quote = world.admin.ok("POST", QUOTATIONS, 201, json=worked_example_body(lead_id, inventory_id))
    world.admin.ok("POST", f"{QUOTATIONS}/{quote['id']}/send", json={})
    refused = world.admin.post(f"{QUOTATIONS}/{quote['id']}/accept", json={})
    assert refused.status_code == 409
    assert world.admin.ok("GET", f"{QUOTATIONS}/{quote['id']}")["status"] == "sent"
    assert world.admin.ok("GET", "/api/v1/sales/customers")["items"] == []
    assert world.admin.ok("GET", "/api/v1/sales/bookings")["items"] == []


def test_accepting_with_a_delivery_before_the_booking_day_is_refused_whole(
    world: TenantWorld,
) -> None:
    lead_id, inventory_id = quoting_world(world.admin)
    quote = world.admin.ok("POST", QUOTATIONS, 201, json=worked_example_body(lead_id, inventory_id))
    world.admin.ok("POST", f"{QUOTATIONS}/{quote['id']}/send", json={})
    yesterday = date.fromordinal(tenant_today().toordinal() - 1).isoformat()
    for body in (
        {"delivery_date": yesterday},  # booked today (left out)
        {"delivery_date": "2026-01-01", "booking_date": "2026-01-02"},
    ):
        refused = world.admin.ok("POST", f"{QUOTATIONS}/{quote['id']}/accept", 422, json=body)
        assert refused["detail"] == "delivery_date may not be before booking_date"
    assert world.admin.ok("GET", f"{QUOTATIONS}/{quote['id']}")["status"] == "sent"
    assert world.admin.ok("GET", "/api/v1/sales/customers")["items"] == []
    assert world.admin.ok("GET", "/api/v1/sales/bookings")["items"] == []
