"""Billing pages without JavaScript: stages added and marked reached, a booking's payment
plan set by its form with each instalment's state, demands raised, a payment's receipt
and the buyer's documents on the customer and lead pages; refusals beside the field,
roles, another tenant's ids and missing CSRF tokens."""

from __future__ import annotations

import io
import re
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import FastAPI
from pypdf import PdfReader

from salestrack.documents.numbers import financial_year
from tests.documents.support import QUOTATIONS, quoting_world, worked_example_body
from tests.support import ApiClient, TenantWorld
from tests.web.support import WebClient, logged_in, text_of

SALES = "/api/v1/sales"
STAGES = f"{SALES}/construction-stages"
PROJECT = "Whitefield Towers"


def _today() -> str:
    """The tenant's day (its zone is the default, Asia/Kolkata)."""
    return datetime.now(ZoneInfo("Asia/Kolkata")).date().isoformat()


def _accepted_booking(admin: ApiClient) -> dict[str, Any]:
    """The quotation tests' 3BHK (₹1,16,65,250) quoted, sent and accepted: the booking."""
    lead_id, inventory_id = quoting_world(admin)
    quote = admin.ok("POST", QUOTATIONS, 201, json=worked_example_body(lead_id, inventory_id))
    admin.ok("POST", f"{QUOTATIONS}/{quote['id']}/send", json={})
    accepted = admin.ok("POST", f"{QUOTATIONS}/{quote['id']}/accept", json={})
    booking: dict[str, Any] = admin.ok("GET", f"{SALES}/bookings/{accepted['booking_id']}")
    return {**booking, "lead_id": lead_id}


def _stage(admin: ApiClient, name: str, position: int) -> dict[str, Any]:
    body = {"project": PROJECT, "name": name, "position": position}
    row: dict[str, Any] = admin.ok("POST", STAGES, 201, json=body)
    return row


def _plan_form(plinth: str, slab: str) -> dict[str, str]:
    """10% on booking (today), 20% on the plinth, 70% on slab 5: three rows of the form."""
    return {
        "label_1": "On booking",
        "percentage_1": "10",
        "due_date_1": _today(),
        "label_2": "On completion of plinth",
        "percentage_2": "20",
        "stage_id_2": plinth,
        "label_3": "On completion of slab 5",
        "percentage_3": "70",
        "stage_id_3": slab,
        "label_4": "",
        "percentage_4": "",
    }


def _pdf_text(content: bytes) -> str:
    assert content.startswith(b"%PDF-")
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def numbers_id(documents: list[dict[str, Any]], kind: str) -> str:
    """The id of the newest document of ``kind`` (the API lists newest first)."""
    return str(next(d["id"] for d in documents if d["kind"] == kind))


def _states(page_text: str) -> list[str]:
    return re.findall(r'data-testid="instalment" data-state="([a-z_]+)"', page_text)


def _interest_action(page_text: str) -> str:
    found = re.search(r'action="([^"]+/interest)"', page_text)
    assert found is not None, "no Charge interest form"
    return found.group(1)


def test_plan_stage_demand_payment_and_the_buyers_documents(
    app: FastAPI, world: TenantWorld
) -> None:
    manager = logged_in(app, world, "manager")
    booking = _accepted_booking(world.admin)
    url = f"/bookings/{booking['id']}"
    page = manager.get(url)
    assert 'data-testid="no-plan"' in page.text
    assert "Set a payment plan" in page.text

    # Stages through their page, then the plan through the booking page's form.
    manager.get("/stages")
    added = manager.post("/stages", {"project": PROJECT, "name": "Completion of plinth"})
    assert "Stage added." in added.text
    manager.post("/stages", {"project": PROJECT, "name": "Completion of slab 5", "position": "2"})
    stages = world.admin.ok("GET", STAGES, params={"project": PROJECT})["items"]
    ids = {s["name"]: s["id"] for s in stages}
    plinth, slab = ids["Completion of plinth"], ids["Completion of slab 5"]
    manager.get(url)
    saved = manager.post(f"{url}/payment-plan", _plan_form(plinth, slab))
    assert saved.status_code == 200
    assert "Payment plan saved." in saved.text
    assert _states(saved.text) == ["due", "upcoming", "upcoming"]
    text = text_of(saved)
    for amount in ("₹11,66,525", "₹23,33,050", "₹81,65,675"):
        assert amount in text
    assert saved.text.count('data-testid="raise-demand"') == 1
    assert "Its invoice was reversed" in text  # the demands invoice the booking instead

    # The first demand, then the plinth reached and its demand.
    fy = financial_year(datetime.now(ZoneInfo("Asia/Kolkata")).date())
    plan = world.admin.ok("GET", f"{SALES}/bookings/{booking['id']}/payment-plan")
    first, second, _third = (i["id"] for i in plan["instalments"])
    demanded = manager.post(f"{url}/instalments/{first}/demand", {})
    assert f"Demand INV/{fy}/000001 raised" in demanded.text
    assert _states(demanded.text) == ["demanded", "upcoming", "upcoming"]
    assert "Change the plan" not in demanded.text  # a demand fixes the instalments
    again = manager.post(f"{url}/instalments/{first}/demand", {})
    assert again.status_code == 409
    assert 'data-testid="plan-action-error"' in again.text
    stages_page = manager.get(f"/stages?project={PROJECT}")
    assert stages_page.text.count('data-testid="mark-reached"') == 2
    reached = manager.post(f"/stages/{plinth}/reached", {"reached_on": _today()})
    assert "Stage marked reached." in reached.text
    assert reached.text.count('data-testid="mark-reached"') == 1
    twice = manager.post(f"/stages/{plinth}/reached", {})
    assert twice.status_code == 409
    assert 'data-testid="reach-error"' in twice.text
    page = manager.get(url)
    assert _states(page.text) == ["demanded", "due", "upcoming"]
    manager.post(f"{url}/instalments/{second}/demand", {})

    # A payment on the ledger page: its receipt, and the oldest demand settled first.
    customer_url = f"/customers/{booking['customer_id']}"
    manager.get(customer_url)
    paid = manager.post(
        f"{customer_url}/ledger",
        {"transaction_type": "payment", "amount": "15,00,000", "booking_id": booking["id"]},
    )
    assert paid.status_code == 200
    documents = world.admin.ok(
        "GET", f"{SALES}/billing-documents", params={"customer_id": booking["customer_id"]}
    )["items"]
    numbers = {d["kind"]: d["number"] for d in documents}
    assert numbers["receipt"] == f"RCT/{fy}/000001"
    page = manager.get(url)
    assert _states(page.text) == ["paid", "part_paid", "upcoming"]
    assert numbers["receipt"] in page.text
    assert f"INV/{fy}/000002" in page.text
    for document in documents:
        assert f"/billing-documents/{document['id']}/pdf" in page.text

    # The buyer's documents on the customer's and the lead's pages, with the statement.
    for buyer_url in (customer_url, f"/leads/{booking['lead_id']}"):
        listed = manager.get(buyer_url)
        for number in (f"INV/{fy}/000001", f"INV/{fy}/000002", numbers["receipt"]):
            assert number in listed.text, (buyer_url, number)
        assert f'href="{customer_url}/statement.pdf"' in listed.text

    # The PDFs behind the links: as issued, with their figures.
    receipt = next(d for d in documents if d["kind"] == "receipt")
    pdf = manager.get(f"/billing-documents/{receipt['id']}/pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    assert f'filename="RCT-{fy}-000001.pdf"' in pdf.headers["content-disposition"]
    text = _pdf_text(pdf.content)
    assert numbers["receipt"] in text
    assert "15,00,000.00" in text
    assert "Rupees Fifteen Lakh Only" in text
    demand = _pdf_text(
        manager.get(f"/billing-documents/{numbers_id(documents, 'demand')}/pdf").content
    )
    assert "23,33,050.00" in demand
    statement = manager.get(f"{customer_url}/statement.pdf")
    assert statement.headers["content-type"] == "application/pdf"
    # Demanded 11,66,525 + 23,33,050, paid 15,00,000: 19,99,575 outstanding.
    assert "19,99,575.00" in _pdf_text(statement.content)
    bad_day = manager.get(f"{customer_url}/statement.pdf?date_from=yesterday")
    assert bad_day.status_code == 422
    rep = logged_in(app, world, "rep")
    assert rep.get(f"/billing-documents/{receipt['id']}/pdf").status_code == 403
    assert rep.get(f"{customer_url}/statement.pdf").status_code == 403


def test_plan_form_refusals_come_back_beside_the_field(
    admin_web: WebClient, world: TenantWorld
) -> None:
    booking = _accepted_booking(world.admin)
    plinth = _stage(world.admin, "Completion of plinth", 1)["id"]
    slab = _stage(world.admin, "Completion of slab 5", 2)["id"]
    url = f"/bookings/{booking['id']}"
    admin_web.get(url)
    bad_number = admin_web.post(
        f"{url}/payment-plan", {**_plan_form(plinth, slab), "percentage_2": "lots"}
    )
    assert bad_number.status_code == 422
    assert 'id="plan-percentage_2-error"' in bad_number.text
    assert 'value="lots"' in bad_number.text  # what was typed is kept
    short = admin_web.post(
        f"{url}/payment-plan", {**_plan_form(plinth, slab), "percentage_3": "60"}
    )
    assert short.status_code == 422
    assert "not the agreement value" in short.text
    both = admin_web.post(
        f"{url}/payment-plan", {**_plan_form(plinth, slab), "due_date_2": _today()}
    )
    assert both.status_code == 422
    assert 'id="plan-row_2-error"' in both.text
    empty = admin_web.post(f"{url}/payment-plan", {"label_1": ""})
    assert empty.status_code == 422
    assert "Give at least one instalment." in empty.text
    plan = admin_web.http.get(f"{SALES}/bookings/{booking['id']}/payment-plan")
    assert plan.status_code in (401, 403)  # the API wants a token, not the page's cookie
    missing = world.admin.get(f"{SALES}/bookings/{booking['id']}/payment-plan")
    assert missing.status_code == 404  # nothing refused was saved

    # Saved, then changed: the form shows the plan's instalments to edit.
    admin_web.post(f"{url}/payment-plan", _plan_form(plinth, slab))
    page = admin_web.get(url)
    assert "Change the plan" in page.text
    assert 'value="On completion of slab 5"' in page.text
    changed = admin_web.post(
        f"{url}/payment-plan",
        {
            **_plan_form(plinth, slab),
            "percentage_1": "",
            "amount_1": "23,33,050",
            "percentage_3": "60",
        },
    )
    assert "Payment plan saved." in changed.text
    plan = world.admin.ok("GET", f"{SALES}/bookings/{booking['id']}/payment-plan")
    amounts = [(i["percentage"], i["amount"]) for i in plan["instalments"]]
    assert amounts == [(None, "2333050.00"), ("20.00", "2333050.00"), ("60.00", "6999150.00")]

    # Withdrawn before any demand: the booking is invoiced as one amount again.
    withdrawn = admin_web.post(f"{url}/payment-plan/withdraw", {})
    assert "Payment plan withdrawn" in withdrawn.text
    assert 'data-testid="no-plan"' in withdrawn.text
    account = world.admin.ok("GET", f"{SALES}/ledger/{booking['customer_id']}")
    assert account["summary"]["outstanding"] == "11665250.00"


def test_roles_on_stages_and_plans(app: FastAPI, world: TenantWorld) -> None:
    booking = _accepted_booking(world.admin)
    plinth = _stage(world.admin, "Completion of plinth", 1)
    rep = logged_in(app, world, "rep")
    stages_page = rep.get("/stages")
    assert stages_page.status_code == 200  # stages carry no amount: reps read them
    assert "Completion of plinth" in stages_page.text
    assert 'data-testid="mark-reached"' not in stages_page.text
    assert "Add a stage" not in stages_page.text
    assert rep.post(f"/stages/{plinth['id']}/reached", {}).status_code == 403
    assert rep.post("/stages", {"project": PROJECT, "name": "Roof"}).status_code == 403
    assert rep.get(f"/bookings/{booking['id']}").status_code == 403
    rep.get("/stages")
    forced = rep.post(f"/bookings/{booking['id']}/payment-plan", _plan_form(plinth["id"], ""))
    assert forced.status_code == 403
    stage_now = world.admin.ok("GET", STAGES)["items"][0]
    assert stage_now["reached_on"] is None

    viewer = logged_in(app, world, "viewer")
    page = viewer.get(f"/bookings/{booking['id']}")
    assert page.status_code == 200
    assert 'id="payment-plan"' in page.text
    assert "Set a payment plan" not in page.text
    assert 'data-testid="mark-reached"' not in viewer.get("/stages").text
    assert viewer.post(f"/stages/{plinth['id']}/reached", {}).status_code == 403


def test_another_tenants_ids_are_not_found(
    admin_web: WebClient, world: TenantWorld, other_world: TenantWorld
) -> None:
    theirs = _accepted_booking(other_world.admin)
    stage = _stage(other_world.admin, "Completion of plinth", 1)
    plan = other_world.admin.ok(
        "POST",
        f"{SALES}/bookings/{theirs['id']}/payment-plan",
        201,
        json={"instalments": [{"label": "All", "percentage": "100", "due_date": _today()}]},
    )
    instalment = plan["instalments"][0]["id"]
    admin_web.get("/stages")
    assert admin_web.get(f"/bookings/{theirs['id']}").status_code == 404
    assert admin_web.post(f"/bookings/{theirs['id']}/payment-plan", {}).status_code == 404
    assert (
        admin_web.post(f"/bookings/{theirs['id']}/instalments/{instalment}/demand").status_code
        == 404
    )
    assert admin_web.post(f"/stages/{stage['id']}/reached", {}).status_code == 404
    assert "Completion of plinth" not in admin_web.get("/stages").text
    demand = other_world.admin.ok("POST", f"{SALES}/instalments/{instalment}/demand", 201)
    assert admin_web.get(f"/billing-documents/{demand['id']}/pdf").status_code == 404
    assert admin_web.get(f"/customers/{theirs['customer_id']}/statement.pdf").status_code == 404
    assert admin_web.get("/billing-documents/not-an-id/pdf").status_code == 404
    # Their instalment under one of our bookings is not found either.
    ours = _accepted_booking(world.admin)
    world.admin.ok(
        "POST",
        f"{SALES}/bookings/{ours['id']}/payment-plan",
        201,
        json={"instalments": [{"label": "All", "percentage": "100", "due_date": _today()}]},
    )
    admin_web.get("/stages")
    crossed = admin_web.post(f"/bookings/{ours['id']}/instalments/{instalment}/demand")
    assert crossed.status_code == 404
    assert other_world.admin.ok("GET", STAGES)["items"][0]["reached_on"] is None


def test_posts_without_the_csrf_token_are_refused(admin_web: WebClient, world: TenantWorld) -> None:
    booking = _accepted_booking(world.admin)
    plinth = _stage(world.admin, "Completion of plinth", 1)["id"]
    slab = _stage(world.admin, "Completion of slab 5", 2)["id"]
    admin_web.get("/stages")
    assert admin_web.post(f"/stages/{plinth}/reached", {}, csrf="").status_code == 403
    assert (
        admin_web.post("/stages", {"project": PROJECT, "name": "Roof"}, csrf="").status_code == 403
    )
    url = f"/bookings/{booking['id']}"
    refused = admin_web.post(f"{url}/payment-plan", _plan_form(plinth, slab), csrf="")
    assert refused.status_code == 403
    assert world.admin.get(f"{SALES}/bookings/{booking['id']}/payment-plan").status_code == 404
    assert all(s["reached_on"] is None for s in world.admin.ok("GET", STAGES)["items"])
    world.admin.ok(
        "POST",
        f"{SALES}/bookings/{booking['id']}/payment-plan",
        201,
        json={"instalments": [{"label": "All", "percentage": "100", "due_date": _today()}]},
    )
    plan = world.admin.ok("GET", f"{SALES}/bookings/{booking['id']}/payment-plan")
    instalment = plan["instalments"][0]["id"]
    assert admin_web.post(f"{url}/instalments/{instalment}/demand", {}, csrf="").status_code == 403
    assert world.admin.ok("GET", f"{SALES}/billing-documents")["items"] == []


def test_an_overdue_demand_is_charged_interest_by_a_debit_note(
    admin_web: WebClient, world: TenantWorld
) -> None:
    booking = _accepted_booking(world.admin)
    long_ago = (datetime.now(ZoneInfo("Asia/Kolkata")).date() - timedelta(days=60)).isoformat()
    plan = world.admin.ok(
        "POST",
        f"{SALES}/bookings/{booking['id']}/payment-plan",
        201,
        json={
            "instalments": [
                {"label": "On booking", "percentage": "10", "due_date": long_ago},
                {"label": "Rest", "percentage": "90", "due_date": "2029-03-31"},
            ]
        },
    )
    first = plan["instalments"][0]["id"]
    world.admin.ok(
        "POST", f"{SALES}/instalments/{first}/demand", 201, json={"demand_date": long_ago}
    )
    url = f"/bookings/{booking['id']}"
    page = admin_web.get(url)
    assert _states(page.text) == ["overdue", "upcoming"]
    no_rate = admin_web.post(
        re.search(r'action="([^"]+/interest)"', page.text).group(1),
        {},  # type: ignore[union-attr]
    )
    assert no_rate.status_code == 409
    assert "interest rate" in no_rate.text
    world.admin.ok(
        "PUT", f"{SALES}/billing-settings", json={"interest_rate": "18", "payment_days": 15}
    )
    charged = admin_web.post(_interest_action(admin_web.get(url).text), {})
    assert charged.status_code == 200
    notes = world.admin.ok("GET", f"{SALES}/billing-documents", params={"kind": "debit_note"})
    (note,) = notes["items"]
    assert f"Debit note {note['number']} for the interest raised" in charged.text
    assert "Debit note (interest)" in admin_web.get(f"/customers/{booking['customer_id']}").text
