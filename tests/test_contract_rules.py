"""What issue 19's contract fuzzing found, each held by a plain test a reader can follow."""

from __future__ import annotations

import re
import uuid

import pytest
from fastapi import FastAPI

from tests.support import ApiClient

S = "/api/v1/sales"


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        (f"{S}/bookings/{{id}}", "GET, PATCH"),
        (f"{S}/leads/{{id}}", "DELETE, GET, PATCH"),
        (f"{S}/milestones/{{id}}", "DELETE, GET, PATCH"),
        (f"{S}/milestones/lead", "POST"),  # not taken for a milestone called "lead"
    ],
)
def test_a_405_lists_every_method_of_the_path(api: ApiClient, path: str, allowed: str) -> None:
    answer = api.request("PUT", path.format(id=uuid.uuid4()), json={})
    assert answer.status_code == 405
    assert answer.headers["Allow"] == allowed
    assert answer.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize("value", ["0", "1700000000", "2026-01-31T00:00:00", "0375-05-14"])
def test_a_day_is_iso_text_in_the_accepted_years(api: ApiClient, value: str) -> None:
    answer = api.request("GET", f"{S}/reports/dashboard", params={"to": value})
    assert answer.status_code == 422, answer.text
    assert answer.json()["detail"].startswith("to:")


def test_numbers_are_not_dates_in_bodies_either(api: ApiClient) -> None:
    answer = api.request("POST", f"{S}/leads", json={"name": "N", "lead_date": 0})
    assert answer.status_code == 422
    moment = {"engagement_type": "call_made", "engagement_channel": "phone"}
    answer = api.request("POST", f"{S}/engagement", json={**moment, "engagement_date": 1})
    assert answer.status_code == 422


def test_the_document_states_the_days_range_and_each_cursors_shape(app: FastAPI) -> None:
    paths = app.openapi()["paths"]
    to = next(p for p in paths[f"{S}/reports/dashboard"]["get"]["parameters"] if p["name"] == "to")
    day = to["schema"]["anyOf"][0]
    assert day["format"] == "date"
    assert re.search(day["pattern"], "2026-01-31")
    assert not re.search(day["pattern"], "0375-05-14")
    cursors = [
        parameter["schema"]["anyOf"][0]["pattern"]
        for item in paths.values()
        for operation in item.values()
        for parameter in operation.get("parameters", [])
        if parameter["name"] == "cursor"
    ]
    assert len(cursors) >= 10
    assert all(p.startswith("^") and p.endswith("$") for p in cursors)


def test_every_cursor_the_pattern_allows_is_a_page(api: ApiClient) -> None:
    """Fitting the documented pattern is all a cursor needs: no other cursor is refused."""
    lead = api.ok("POST", f"{S}/leads", 201, json={"name": "Paged"})["id"]
    far = "9" * 17
    cursors = {
        f"{S}/leads": f"{far}.{'f' * 32}",
        f"{S}/leads/{lead}/milestones": f"9999999.99999999999.-{far}.{'0' * 32}",
        f"{S}/leads/{lead}/status-history": "-" + "9" * 18,
        f"{S}/follow-ups": f"0.0.{'a' * 32}",
    }
    for path, cursor in cursors.items():
        assert api.request("GET", path, params={"cursor": cursor}).status_code == 200, path
        assert api.request("GET", path, params={"cursor": cursor + "x"}).status_code == 422, path


def test_issued_cursors_page_on(api: ApiClient) -> None:
    for i in range(3):
        api.ok("POST", f"{S}/leads", 201, json={"name": f"Lead {i}"})
    first = api.ok("GET", f"{S}/leads", params={"limit": 2})
    rest = api.ok("GET", f"{S}/leads", params={"limit": 2, "cursor": first["next_cursor"]})
    seen = [x["id"] for x in first["items"] + rest["items"]]
    assert len(seen) == len(set(seen)) == 3


def test_creates_link_to_the_operations_taking_their_id(app: FastAPI) -> None:
    paths = app.openapi()["paths"]

    def targets(path: str) -> set[str]:
        links = paths[path]["post"]["responses"]["201"].get("links", {})
        return {link["operationId"].split("_api_")[0] for link in links.values()}

    assert {"get_booking", "update_booking", "cancel_booking", "pay_refund"} <= targets(
        f"{S}/bookings"
    )
    assert "reverse_entry" in targets(f"{S}/ledger")
    assert {"follow_up_done", "get_milestone", "delete_milestone"} <= targets(
        f"{S}/milestones/lead"
    )
    assert {"get", "update", "delete", "create_milestone", "milestone_timeline"} <= targets(
        f"{S}/leads"
    )
    lead_link = paths[f"{S}/leads"]["post"]["responses"]["201"]["links"]
    body_link = next(v for k, v in lead_link.items() if k.startswith("create_milestone"))
    assert body_link["requestBody"] == {"lead_id": "$response.body#/id"}
    for kind in ("customers", "campaigns", "lead-sources", "inventory", "engagement"):
        assert targets(f"{S}/{kind}"), kind
