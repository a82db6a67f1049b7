"""Billing as a hostile user drives it: another tenant's ids answer exactly like missing
ones, extreme and malformed values are refused whole (422 problem+json) or stored and
printed safely, a replayed Idempotency-Key with another body is refused, and interest is
never charged for days that have not passed, nor a demand or a stage dated ahead."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest

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
    today,
)
from tests.support import TenantWorld

PROBLEM = "application/problem+json"


def _all(label: str = "All", **line: Any) -> dict[str, Any]:
    return {
        "instalments": [{"label": label, "percentage": "100", "due_date": "2026-01-01", **line}]
    }


def _same_as_missing(answer: Any, missing: Any, mine: str, nobody: str) -> None:
    """404 problem+json whose text names nothing of the other tenant's row."""
    assert answer.status_code == missing.status_code == 404, answer.text
    assert answer.headers["content-type"].startswith(PROBLEM)
    assert answer.json()["detail"].replace(mine, "X") == missing.json()["detail"].replace(
        nobody, "X"
    )


def test_another_tenants_ids_answer_like_missing_ones(
    world: TenantWorld, other_world: TenantWorld
) -> None:
    booking = accepted_booking(world.admin)
    plan = construction_linked_plan(world.manager, booking["id"])
    first, second = plan["instalments"][0], plan["instalments"][1]
    demand = world.manager.ok("POST", f"{SALES}/instalments/{first['id']}/demand", 201)
    other = other_world.admin
    nobody = str(uuid.uuid4())
    for method, template, mine, body in (
        ("PUT", f"{SALES}/payment-plans/{{}}", plan["id"], _all()),
        ("GET", f"{SALES}/payment-plans/{{}}", plan["id"], None),
        ("POST", f"{SALES}/payment-plans/{{}}/withdraw", plan["id"], None),
        ("POST", f"{SALES}/instalments/{{}}/demand", second["id"], {}),
        ("POST", f"{STAGES}/{{}}/reach", second["stage_id"], {}),
        ("GET", f"{DOCUMENTS}/{{}}", demand["id"], None),
        ("GET", f"{DOCUMENTS}/{{}}/pdf", demand["id"], None),
        ("POST", f"{DOCUMENTS}/{{}}/interest", demand["id"], {}),
        ("GET", f"{SALES}/customers/{{}}/statement", booking["customer_id"], None),
        ("GET", f"{SALES}/customers/{{}}/statement/pdf", booking["customer_id"], None),
        ("GET", f"{SALES}/bookings/{{}}/payment-plan", booking["id"], None),
        ("POST", f"{SALES}/bookings/{{}}/payment-plan", booking["id"], _all()),
    ):
        answer = other.request(method, template.format(mine), json=body)
        missing = other.request(method, template.format(nobody), json=body)
        _same_as_missing(answer, missing, mine, nobody)
    # Their stage in our plan is "no such stage", as a made-up id is.
    theirs = accepted_booking(other)
    refused = other.post(plan_url(theirs["id"]), json=_all(due_date=None, stage_id=first["id"]))
    made_up = other.post(plan_url(theirs["id"]), json=_all(due_date=None, stage_id=nobody))
    assert refused.status_code == made_up.status_code == 422
    assert refused.json()["detail"].replace(first["id"], "X") == made_up.json()["detail"].replace(
        nobody, "X"
    )
    for params in ({"booking_id": booking["id"]}, {"customer_id": booking["customer_id"]}):
        assert other.ok("GET", DOCUMENTS, params=params)["items"] == []
    # Nothing of ours moved.
    assert (
        world.admin.ok("GET", f"{SALES}/payment-plans/{plan['id']}")["instalments"][1]["state"]
        == "upcoming"
    )


def test_extreme_and_malformed_plans_are_refused_whole(world: TenantWorld) -> None:
    booking = accepted_booking(world.admin)
    due = today().isoformat()

    def line(**values: Any) -> dict[str, Any]:
        return {"label": "x", "due_date": due, **values}

    bad_bodies: list[Any] = [
        {"instalments": [line(percentage="NaN")]},
        {"instalments": [line(percentage="Infinity")]},
        {"instalments": [line(percentage="1e309")]},
        {"instalments": [line(amount="NaN")]},
        {"instalments": [line(amount="-Infinity")]},
        {"instalments": [line(amount="1e309")]},
        {"instalments": [line(amount="10000000000000000.00")]},  # one paisa past the bound
        {"instalments": [line(amount="0")]},
        {"instalments": [line(amount="-11665250.00")]},
        {"instalments": [line(percentage="-100")]},
        {"instalments": [line(percentage=True)]},
        {"instalments": [line(percentage="99.99")]},
        {"instalments": [line(percentage="100.01")]},
        {"instalments": [line(percentage="50"), line(percentage="49.99")]},
        {"instalments": [line(percentage="50"), line(percentage="50.01")]},
        {"instalments": [line(percentage="0.1") for _ in range(1000)]},
        {"instalments": [line(percentage="100", due_date="0001-01-01")]},
        {"instalments": [line(percentage="100", due_date="9999-12-31")]},
        {"instalments": [line(percentage="100", label="On\x00booking")]},
        {"instalments": [line(percentage="100", label="On\x1bbooking")]},
        {"instalments": [line(percentage="100", label="x" * 10_000)]},
        {"instalments": [line(percentage="100")], "notes": "n" * 10_001},
        {"instalments": [line(percentage="100")], "notes": "bell\x07"},
    ]
    for body in bad_bodies:
        answer = world.manager.post(plan_url(booking["id"]), json=body)
        assert answer.status_code == 422, (str(body)[:200], answer.text[:300])
        assert answer.headers["content-type"].startswith(PROBLEM)
        assert answer.json()["detail"]
    # A JSON number too large for a float (1e309 reads as infinity) is refused too.
    raw = b'{"instalments": [{"label": "x", "amount": 1e309, "due_date": "2026-01-01"}]}'
    answer = world.manager.post(
        plan_url(booking["id"]), content=raw, headers={"content-type": "application/json"}
    )
    assert answer.status_code == 422, answer.text
    assert world.manager.get(plan_url(booking["id"])).status_code == 404  # nothing written
    account = world.admin.ok("GET", f"{LEDGER}/{booking['customer_id']}")
    assert [e["status"] for e in account["entries"]] == ["active"]


def test_hostile_text_is_stored_and_printed_safely(world: TenantWorld) -> None:
    """U+2028, a right-to-left override, markup and a 10 kB note are stored as typed; the
    demand's PDF and the statement's PDF still render."""
    booking = accepted_booking(world.admin)
    label = "On booking\u2028\u202e<script>alert(1)</script> \u0915\u093e\u0930 ✓ 🏠"
    notes = "\u202eevil " * 1_666  # ~10 kB
    body = {
        "instalments": [
            {"label": label, "percentage": "100", "due_date": today().isoformat()},
        ],
        "notes": notes,
    }
    plan = world.manager.ok("POST", plan_url(booking["id"]), 201, json=body)
    assert plan["instalments"][0]["label"] == label
    assert plan["notes"] == notes.strip()  # inputs are stripped
    demand = world.manager.ok(
        "POST", f"{SALES}/instalments/{plan['instalments'][0]['id']}/demand", 201
    )
    assert demand["description"] == label
    pdf = world.viewer.get(f"{DOCUMENTS}/{demand['id']}/pdf")
    assert pdf.status_code == 200, pdf.text[:300]
    assert "11665250" in pdf_text(pdf.content).replace(",", "")
    statement = world.viewer.get(f"{SALES}/customers/{booking['customer_id']}/statement/pdf")
    assert statement.status_code == 200, statement.text[:300]


def test_interest_is_not_charged_for_days_to_come(world: TenantWorld) -> None:
    booking = accepted_booking(world.admin)
    world.admin.ok("PUT", f"{SALES}/billing-settings", json={"interest_rate": "18"})
    long_ago = today() - timedelta(days=60)
    body = _all(due_date=long_ago.isoformat())
    plan = world.manager.ok("POST", plan_url(booking["id"]), 201, json=body)
    demand = world.manager.ok(
        "POST",
        f"{SALES}/instalments/{plan['instalments'][0]['id']}/demand",
        201,
        json={"demand_date": long_ago.isoformat()},
    )
    url = f"{DOCUMENTS}/{demand['id']}/interest"
    for as_of in ((today() + timedelta(days=1)).isoformat(), "2999-12-31"):
        answer = world.manager.post(url, json={"as_of": as_of})
        assert answer.status_code == 422, answer.text
        assert answer.headers["content-type"].startswith(PROBLEM)
        assert "as_of" in answer.json()["detail"]
    assert world.admin.ok("GET", DOCUMENTS, params={"kind": "debit_note"})["items"] == []
    note = world.manager.ok("POST", url, 201, json={"as_of": today().isoformat()})
    assert note["period_to"] == today().isoformat()


def test_a_replayed_key_with_another_body_is_refused(world: TenantWorld) -> None:
    booking = accepted_booking(world.admin)
    key = {"Idempotency-Key": f"plan-{uuid.uuid4()}"}
    first = world.manager.post(plan_url(booking["id"]), json=_all(), headers=key)
    assert first.status_code == 201
    again = world.manager.post(plan_url(booking["id"]), json=_all(), headers=key)
    assert (again.status_code, again.json()) == (201, first.json())
    changed = world.manager.post(plan_url(booking["id"]), json=_all("Other"), headers=key)
    assert changed.status_code in (409, 422), changed.text
    assert changed.headers["content-type"].startswith(PROBLEM)
    instalment = first.json()["instalments"][0]["id"]
    demand_key = {"Idempotency-Key": f"demand-{uuid.uuid4()}"}
    url = f"{SALES}/instalments/{instalment}/demand"
    raised = world.manager.post(url, json={}, headers=demand_key)
    assert raised.status_code == 201
    other_day = {"demand_date": (today() + timedelta(days=1)).isoformat()}
    assert world.manager.post(url, json=other_day, headers=demand_key).status_code in (409, 422)
    twice = world.manager.post(url, json={})  # no key: the instalment was demanded
    assert twice.status_code == 409
    assert twice.json()["demand_number"] == raised.json()["number"]
    assert len(world.admin.ok("GET", DOCUMENTS, params={"kind": "demand"})["items"]) == 1


def test_an_upcoming_instalment_cannot_be_demanded_by_dating_the_demand_ahead(
    world: TenantWorld,
) -> None:
    booking = accepted_booking(world.admin)
    ahead = today() + timedelta(days=400)
    body = {
        "instalments": [
            {"label": "Now", "percentage": "50", "due_date": today().isoformat()},
            {"label": "Later", "percentage": "50", "due_date": ahead.isoformat()},
        ]
    }
    plan = world.manager.ok("POST", plan_url(booking["id"]), 201, json=body)
    now, later = (f"{SALES}/instalments/{i['id']}/demand" for i in plan["instalments"])
    for url, day in ((later, ahead), (later, "2999-12-31"), (now, today() + timedelta(days=1))):
        answer = world.manager.post(url, json={"demand_date": str(day)})
        assert answer.status_code == 422, answer.text
        assert answer.headers["content-type"].startswith(PROBLEM)
        assert "demand_date" in answer.json()["detail"]
    assert world.manager.post(later, json={}).status_code == 409  # upcoming
    assert world.admin.ok("GET", DOCUMENTS, params={"kind": "demand"})["items"] == []
    account = world.admin.ok("GET", f"{LEDGER}/{booking['customer_id']}")
    assert account["summary"]["outstanding"] == "0.00"
    world.manager.ok("POST", now, 201, json={"demand_date": today().isoformat()})


def test_a_stage_is_not_marked_reached_on_a_day_to_come(world: TenantWorld) -> None:
    """A stage is marked once and never unmarked: a day ahead (a typo) would hold its
    instalments upcoming until then, with no way to correct it."""
    accepted_booking(world.admin)  # the project's inventory
    row = world.manager.ok("POST", STAGES, 201, json={"project": PROJECT, "name": "Slab 1"})
    url = f"{STAGES}/{row['id']}/reach"
    for day in (today() + timedelta(days=1), "2999-12-31"):
        answer = world.manager.post(url, json={"reached_on": str(day)})
        assert answer.status_code == 422, answer.text
        assert answer.headers["content-type"].startswith(PROBLEM)
        assert "reached_on" in answer.json()["detail"]
    assert world.manager.ok("GET", STAGES)["items"][0]["reached_on"] is None
    reached = world.manager.ok("POST", url, json={"reached_on": "2026-01-15"})
    assert reached["reached_on"] == "2026-01-15"


def test_a_statement_too_long_to_show_whole_is_refused_not_cut(
    world: TenantWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past the line limit a statement would show wrong totals and closing balance: 422."""
    from salestrack.billing import statement

    monkeypatch.setattr(statement, "MAX_LINES", 2)
    booking = accepted_booking(world.admin)
    for amount in ("100.00", "200.00"):
        pay(world.admin, booking, amount)
    url = f"{SALES}/customers/{booking['customer_id']}/statement"
    refused = world.admin.get(url)
    assert refused.status_code == 422, refused.text
    assert "more than 2 entries" in refused.json()["detail"]
