"""Billing pages as a hostile user drives them: the withdraw and interest forms refuse a
post without its CSRF token and another tenant's booking or demand (404, nothing
written), a rep finds no amount of the buyer's documents on any page or PDF, and text
typed into a plan is shown escaped."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import FastAPI

from tests.billing.support import DOCUMENTS, SALES, accepted_booking, plan_url, today
from tests.money.conftest import book, buyer, new_inventory
from tests.support import ApiClient, TenantWorld
from tests.web.support import WebClient, logged_in

LABEL = "On booking <script>alert(1)</script>\u202e"


def _overdue_demand(api: ApiClient, label: str = "All") -> dict[str, Any]:
    """A booking whose one instalment was demanded 60 days ago, at 18% interest."""
    booking = accepted_booking(api)
    api.ok("PUT", f"{SALES}/billing-settings", json={"interest_rate": "18"})
    long_ago = (today() - timedelta(days=60)).isoformat()
    body = {"instalments": [{"label": label, "percentage": "100", "due_date": long_ago}]}
    plan = api.ok("POST", plan_url(booking["id"]), 201, json=body)
    demand = api.ok(
        "POST",
        f"{SALES}/instalments/{plan['instalments'][0]['id']}/demand",
        201,
        json={"demand_date": long_ago},
    )
    return {"booking": booking, "plan": plan, "demand": demand}


def test_withdraw_and_interest_forms_refuse_a_missing_token_and_foreign_ids(
    admin_web: WebClient, world: TenantWorld, other_world: TenantWorld
) -> None:
    mine = _overdue_demand(world.admin)
    booking = mine["booking"]["id"]
    admin_web.get(f"/bookings/{booking}")
    interest = f"/bookings/{booking}/demands/{mine['demand']['id']}/interest"
    assert admin_web.post(interest, {}, csrf="").status_code == 403
    assert world.admin.ok("GET", DOCUMENTS, params={"kind": "debit_note"})["items"] == []

    _lead, customer = buyer(world.admin)
    fresh = book(
        world.admin,
        customer,
        new_inventory(world.admin, project="Lake View")["id"],
        status="confirmed",
    )
    world.admin.ok(
        "POST",
        plan_url(fresh["id"]),
        201,
        json={"instalments": [{"label": "All", "percentage": "100", "due_date": "2026-01-01"}]},
    )
    admin_web.get(f"/bookings/{fresh['id']}")
    withdraw = f"/bookings/{fresh['id']}/payment-plan/withdraw"
    assert admin_web.post(withdraw, {}, csrf="").status_code == 403
    assert world.admin.get(plan_url(fresh["id"])).status_code == 200  # still there

    theirs = _overdue_demand(other_world.admin)
    their_booking, their_demand = theirs["booking"]["id"], theirs["demand"]["id"]
    admin_web.get("/stages")
    for url in (
        f"/bookings/{their_booking}/payment-plan/withdraw",
        f"/bookings/{their_booking}/demands/{their_demand}/interest",
        f"/bookings/{booking}/demands/{their_demand}/interest",  # theirs under ours
        f"/bookings/{booking}/demands/{mine['demand']['id']}x/interest",
    ):
        assert admin_web.post(url, {}).status_code == 404, url
    assert other_world.admin.ok("GET", DOCUMENTS, params={"kind": "debit_note"})["items"] == []
    assert other_world.admin.get(plan_url(their_booking)).status_code == 200
    # The real form posts, with their token, still work.
    assert admin_web.post(interest, {}).status_code in (200, 303)
    notes = world.admin.ok("GET", DOCUMENTS, params={"kind": "debit_note"})["items"]
    assert [n["period_to"] for n in notes] == [today().isoformat()]


def test_a_rep_finds_no_amount_of_the_buyers_documents(app: FastAPI, world: TenantWorld) -> None:
    mine = _overdue_demand(world.admin)
    booking, demand = mine["booking"], mine["demand"]
    rep = logged_in(app, world, "rep")
    customer = world.admin.ok("GET", f"{SALES}/customers/{booking['customer_id']}")
    pages = [rep.get(f"/leads/{customer['lead_id']}"), rep.get(f"/customers/{customer['id']}")]
    for page in pages:
        assert page.status_code == 200
        assert demand["number"] not in page.text
        assert "1,16,65,250" not in page.text
    manager = logged_in(app, world, "manager")  # who may read money sees them there
    assert demand["number"] in manager.get(f"/customers/{customer['id']}").text
    assert rep.get(f"/billing-documents/{demand['id']}/pdf").status_code == 403
    assert rep.get(f"/customers/{booking['customer_id']}/statement.pdf").status_code == 403
    assert rep.get(f"/bookings/{booking['id']}").status_code == 403


def test_text_typed_into_a_plan_is_shown_escaped(admin_web: WebClient, world: TenantWorld) -> None:
    mine = _overdue_demand(world.admin, LABEL)
    page = admin_web.get(f"/bookings/{mine['booking']['id']}")
    assert page.status_code == 200
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    pdf = admin_web.get(f"/billing-documents/{mine['demand']['id']}/pdf")
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
    customer = mine["booking"]["customer_id"]
    for query in ("date_from=0001-01-01", "date_to=9999-12-31", "date_from=2026-13-01"):
        answer = admin_web.get(f"/customers/{customer}/statement.pdf?{query}")
        assert answer.status_code == 422, (query, answer.status_code)


def test_a_forged_plan_form_is_refused_on_the_page_never_a_server_error(
    admin_web: WebClient, world: TenantWorld
) -> None:
    booking = accepted_booking(world.admin)["id"]
    admin_web.get(f"/bookings/{booking}")
    due = today().isoformat()
    forged: list[dict[str, str]] = [
        {"label_²": "x", "percentage_²": "100", "due_date_²": due},  # a digit int() refuses
        {"label_" + "9" * 5000: "x", "percentage_1": "100", "due_date_1": due},
        {"label_1": "x", "percentage_1": "NaN", "due_date_1": due},
        {"label_1": "x", "percentage_1": "1e309", "due_date_1": due},
        {"label_1": "x", "amount_1": "-Infinity", "due_date_1": due},
        {"label_1": "x", "amount_1": "1" * 40, "due_date_1": due},
        {"label_1": "x\x00y", "percentage_1": "100", "due_date_1": due},
        {"label_1": "x", "percentage_1": "100", "due_date_1": "9999-12-31"},
        {"label_1": "x", "percentage_1": "100", "stage_id_1": "not-a-stage"},
    ]
    for form in forged:
        answer = admin_web.post(f"/bookings/{booking}/payment-plan", form)
        assert answer.status_code == 422, (str(form)[:80], answer.status_code)
    assert world.admin.get(plan_url(booking)).status_code == 404
