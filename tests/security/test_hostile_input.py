"""Hostile input (issue 17, item 4): each class of value that used to answer 500 is now a
422 problem+json with a ``detail`` (or a correct answer), and the same client's next
request still works, on SQLite and on PostgreSQL.

``test_input_bounds`` audits the schema side (every string input refuses control
characters); these send the values.
"""

from __future__ import annotations

import base64
import json
import uuid
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
from sqlalchemy.orm import Session, sessionmaker

from salestrack.auth.context import system_actor
from salestrack.leads.import_files import BadImportFile, ImportLimits
from salestrack.leads.importer import ImportOptions, ImportReport, run_import
from tests.money.conftest import BOOKINGS, INVENTORY, LEDGER, buyer, new_customer, new_inventory
from tests.support import ApiClient, TenantWorld

SALES = "/api/v1/sales"
CONTROLS = ("\x00", "\x01", "\x1b", "\x7f")
PAGED_LISTS = ("leads", "customers", "campaigns", "lead-sources", "bookings", "inventory")


def refused(response: httpx.Response, api: ApiClient) -> None:
    """A 422 problem+json with a detail, and the connection still serves the next request."""
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["detail"]
    assert api.get(f"{SALES}/leads", params={"limit": 1}).status_code == 200


def cursor(*values: Any, raw: str | None = None) -> str:
    text = raw if raw is not None else json.dumps(list(values))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _lead(api: ApiClient) -> dict[str, Any]:
    return api.ok("POST", f"{SALES}/leads", 201, json={"name": "Asha Rao"})


# --- control characters ------------------------------------------------------------


def _bodies(api: ApiClient) -> list[tuple[str, str, dict[str, Any]]]:
    """(method, url, body) per domain, each with one text field to spoil (``{}``)."""
    lead = _lead(api)
    _, customer_id = buyer(api)
    inventory = new_inventory(api)
    return [
        ("POST", f"{SALES}/leads", {"name": "{}"}),
        ("POST", f"{SALES}/leads", {"name": "n", "notes": "{}", "company": "c"}),
        ("PATCH", f"{SALES}/leads/{lead['id']}", {"company": "{}"}),
        ("POST", f"{SALES}/customers", {"name": "{}"}),
        ("POST", f"{SALES}/campaigns", {"campaign_name": "{}", "campaign_type": "email"}),
        (
            "POST",
            f"{SALES}/lead-sources",
            {"source_type": "website", "subsource_name": "{}", "channel": "Paid Search"},
        ),
        (
            "POST",
            f"{SALES}/milestones/lead",
            {
                "lead_id": lead["id"],
                "milestone_type": "contacted",
                "milestone_date": "2026-01-05",
                "notes": "{}",
            },
        ),
        (
            "POST",
            f"{SALES}/engagement",
            {
                "lead_id": lead["id"],
                "engagement_type": "email_sent",
                "engagement_channel": "email",
                "subject": "{}",
            },
        ),
        ("POST", INVENTORY, {"project": "{}", "unit_type": "2BHK", "total_units": 3}),
        (
            "POST",
            BOOKINGS,
            {
                "customer_id": customer_id,
                "inventory_id": inventory["id"],
                "booking_amount": "100.00",
                "notes": "{}",
            },
        ),
        (
            "POST",
            LEDGER,
            {
                "customer_id": customer_id,
                "transaction_type": "invoice",
                "debit_amount": "10.00",
                "description": "{}",
            },
        ),
        (
            "POST",
            f"{SALES}/users",
            {
                "email": "x@ex.com",
                "password": "correct horse battery",
                "role": "viewer",
                "full_name": "{}",
            },
        ),
    ]


def test_control_characters_in_any_text_field_are_refused(world: TenantWorld) -> None:
    api = world.admin
    for method, url, body in _bodies(api):
        for char in CONTROLS:
            spoiled = {
                k: v.replace("{}", f"a{char}b") if isinstance(v, str) else v
                for k, v in body.items()
            }
            refused(api.request(method, url, json=spoiled), api)
    # Tab and line breaks stay text.
    lead = api.ok("POST", f"{SALES}/leads", 201, json={"name": "n", "notes": "a\tb\r\nc"})
    assert lead["notes"] == "a\tb\r\nc"


def test_control_characters_in_search_parameters_are_refused(world: TenantWorld) -> None:
    api = world.admin
    searches = [(f"{SALES}/{name}", "q") for name in ("leads", "customers", "campaigns")]
    searches += [(BOOKINGS, "project"), (INVENTORY, "project"), (INVENTORY, "unit_type")]
    for url, name in searches:
        for char in CONTROLS:
            refused(api.get(url, params={name: f"x{char}y"}), api)
        assert api.get(url, params={name: "xy"}).status_code == 200


def test_control_characters_in_metadata_and_login_are_refused(
    world: TenantWorld, http: Any
) -> None:
    api = world.admin
    lead = _lead(api)
    base = {"lead_id": lead["id"], "milestone_type": "contacted", "milestone_date": "2026-01-05"}
    for metadata in ({"k": "a\x00b"}, {"a\x00": 1}, {"k": ["x", {"y": "\x01"}]}):
        refused(api.post(f"{SALES}/milestones/lead", json={**base, "metadata": metadata}), api)
    form = {"username": "a\x00@ex.com", "password": "whatever-long"}
    answer = http.post("/api/v1/auth/token", data=form, headers={"X-Tenant-ID": world.slug})
    refused(answer, api)


# --- cursors -----------------------------------------------------------------------

CRAFTED = {
    "naive timestamp": cursor("2026-01-01T00:00:00", str(uuid.uuid4())),
    "timestamp no zone can show": cursor("0001-01-01T00:00:00+14:00", str(uuid.uuid4())),
    "year 9999": cursor("9999-12-31T23:59:59+00:00", str(uuid.uuid4())),
    "object as id": cursor("2026-01-01T00:00:00+00:00", {"a": 1}),
    "huge number as id": cursor(raw='["2026-01-01T00:00:00+00:00", 1e400]'),
    "number as timestamp": cursor(1, str(uuid.uuid4())),
    "three values": cursor("2026-01-01T00:00:00+00:00", str(uuid.uuid4()), 1),
    "not a list": cursor(raw='{"a": 1}'),
    "not json": cursor(raw="\x00\x01"),
    "not base64": "%%%",
}


def test_crafted_cursors_are_refused_on_every_list(world: TenantWorld) -> None:
    api = world.admin
    lead = _lead(api)
    lists = [f"{SALES}/{name}" for name in PAGED_LISTS]
    lists += [
        f"{SALES}/leads/{lead['id']}/milestones",
        f"{SALES}/leads/{lead['id']}/engagements",
        f"{SALES}/leads/{lead['id']}/status-history",
        f"{SALES}/follow-ups",
        f"{SALES}/reports/receivables",
    ]
    for url in lists:
        for name, value in CRAFTED.items():
            response = api.get(url, params={"cursor": value})
            assert response.status_code == 422, (url, name, response.text)
            refused(response, api)
    receivables = f"{SALES}/reports/receivables"
    for value in ("1e400|" + str(uuid.uuid4()), "NaN|" + str(uuid.uuid4())):
        refused(api.get(receivables, params={"cursor": value}), api)


# --- dates and moments -------------------------------------------------------------


def test_days_and_moments_outside_the_calendar_are_refused(world: TenantWorld) -> None:
    api = world.admin
    lead = _lead(api)
    for name in ("created_from", "created_to", "lead_date_from", "lead_date_to"):
        for day in ("9999-12-31", "0001-01-01"):
            refused(api.get(f"{SALES}/leads", params={name: day}), api)
        assert api.get(f"{SALES}/leads", params={name: "2999-12-31"}).status_code == 200
    refused(api.get(BOOKINGS, params={"booking_date_to": "9999-12-31"}), api)
    refused(api.post(f"{SALES}/leads", json={"name": "n", "lead_date": "9999-12-31"}), api)
    engagement = {
        "lead_id": lead["id"],
        "engagement_type": "email_sent",
        "engagement_channel": "email",
    }
    for moment in ("0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59Z", "1899-12-31T23:59:59Z"):
        for field in ("engagement_date", "response_date"):
            refused(api.post(f"{SALES}/engagement", json={**engagement, field: moment}), api)
    milestone = {"lead_id": lead["id"], "milestone_type": "contacted"}
    refused(
        api.post(f"{SALES}/milestones/lead", json={**milestone, "milestone_date": "0001-01-01"}),
        api,
    )
    done = api.ok(
        "POST",
        f"{SALES}/engagement",
        201,
        json={**engagement, "engagement_date": "2999-12-31T23:59:59+05:30"},
    )
    assert done["engagement_date"] == "2999-12-31T18:29:59Z"


# --- free-form JSON ----------------------------------------------------------------


def test_metadata_too_deep_or_not_finite_is_refused(world: TenantWorld) -> None:
    api = world.admin
    lead = _lead(api)
    head = (
        f'{{"lead_id": "{lead["id"]}", "milestone_type": "contacted", '
        f'"milestone_date": "2026-01-05", "metadata": '
    )
    deep = '{"a": ' * 900 + "1" + "}" * 900
    for metadata in (
        deep,
        '{"a": ' + "[" * 900 + "]" * 900 + "}",
        '{"x": 1e400}',
        '{"x": [-1e400]}',
        '{"x": NaN}',
    ):
        body = head + metadata + "}"
        headers = {"Content-Type": "application/json"}
        refused(api.post(f"{SALES}/milestones/lead", content=body, headers=headers), api)
    nested = {"a": {"b": {"c": [1, 2.5, "x"]}}}
    made = api.ok(
        "POST",
        f"{SALES}/milestones/lead",
        201,
        json={
            "lead_id": lead["id"],
            "milestone_type": "contacted",
            "milestone_date": "2026-01-05",
            "metadata": nested,
        },
    )
    assert made["metadata"] == nested


# --- the importer ------------------------------------------------------------------


@pytest.mark.parametrize("char", ["\x00", "\x01"])
def test_an_import_with_control_characters_names_the_row(
    world: TenantWorld, session_factory: sessionmaker[Session], tmp_path: Path, char: str
) -> None:
    """A NUL byte refuses the file at its line; another control character is a row problem."""
    path = tmp_path / "leads.csv"
    path.write_text(
        f"name,company,source\nAsha{char}Rao,Acme,\nRavi,Acme{char},\nMeena,Acme,web{char}site\n"
    )
    limits = ImportLimits(max_bytes=1_000_000, max_rows=100, max_expanded_bytes=1_000_000)
    actor = system_actor(world.tenant_id, world.slug)
    with path.open("rb") as stream:
        events = run_import(
            session_factory,
            actor=actor,
            stream=stream,
            filename=path.name,
            options=ImportOptions(limits=limits),
        )
        if char == "\x00":
            with pytest.raises(BadImportFile, match="line 2 contains a NUL byte"):
                list(events)
        else:
            report = list(events)[-1]
            assert isinstance(report, ImportReport)
            assert report.created == 0
            assert [p.row for p in report.problems] == [2, 3, 4]
    assert world.admin.ok("GET", f"{SALES}/leads")["items"] == []


# --- sums of the largest amounts ---------------------------------------------------

MAX_AMOUNT = "9999999999999999.99"


def test_the_largest_amounts_add_up_in_the_reports(world: TenantWorld) -> None:
    """Each amount may be the documented maximum; the report counters and a lead's
    revenue add them up without overflowing (NUMERIC(18,2) did after two)."""
    api = world.admin
    customers = 6
    for i in range(customers):
        _, customer_id = buyer(api, f"Buyer {i}")
        for kind, side in (("invoice", "debit_amount"), ("payment", "credit_amount")):
            body = {"customer_id": customer_id, "transaction_type": kind, side: MAX_AMOUNT}
            assert api.post(LEDGER, json=body).status_code == 201, (i, kind)
    lead_id, _ = buyer(api, "Big Buyer")
    inventory = new_inventory(api, total=5)
    for i in range(3):  # one lead, three customers (each may owe the maximum)
        customer = new_customer(api, f"Big Buyer {i}", lead_id=lead_id)
        body = {
            "customer_id": customer["id"],
            "inventory_id": inventory["id"],
            "booking_amount": MAX_AMOUNT,
            "status": "confirmed",
        }
        assert api.post(BOOKINGS, json=body).status_code == 201
    for report in (
        "dashboard",
        "funnel",
        "source-performance",
        "campaign-performance",
        "bookings",
        "receivables",
    ):
        assert api.get(f"{SALES}/reports/{report}").status_code == 200, report
    bookings = api.ok("GET", f"{SALES}/reports/bookings")
    confirmed = next(s for s in bookings["statuses"] if s["status"] == "confirmed")
    assert confirmed["total_amount"] == "29999999999999999.97"
