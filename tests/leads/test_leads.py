"""Leads through the API: create, read, list, filter, update and soft delete."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date

import pytest

from tests.support import ApiClient, TenantWorld, tenant_today

LEADS = "/api/v1/sales/leads"


def _lead(api: ApiClient, **fields: object) -> dict:
    return api.ok("POST", LEADS, 201, json={"name": "Asha Rao", **fields})


def test_create_fills_code_status_and_lead_date(api: ApiClient) -> None:
    first, second = _lead(api), _lead(api, name="Bala Iyer")
    year = tenant_today().year
    assert first["lead_code"] == f"LEAD-{year}-0001"
    assert second["lead_code"] == f"LEAD-{year}-0002"
    assert first["status"] == "new"
    assert first["lead_date"] == tenant_today().isoformat()
    assert first["created_by"] == str(api.user_id)


def test_create_with_everything(world: TenantWorld) -> None:
    api = world.admin
    campaign = api.ok(
        "POST",
        "/api/v1/sales/campaigns",
        201,
        json={"campaign_name": "Q4 Digital", "campaign_type": "digital"},
    )
    source = api.ok(
        "POST",
        "/api/v1/sales/lead-sources",
        201,
        json={"source_type": "website", "subsource_name": "Google Ads", "channel": "Paid Search"},
    )
    lead = _lead(
        api,
        lead_code="IMPORT-77",
        company="Infosys",
        email="asha@example.com",
        phone="+91 98450 12345",
        source_id=source["id"],
        campaign_id=campaign["id"],
        assigned_to=str(world.rep.user_id),
        expected_value="4500000.00",
        notes="Wants a 3BHK",
        lead_date="2025-03-14",
    )
    fetched = api.ok("GET", f"{LEADS}/{lead['id']}")
    assert fetched == lead
    assert fetched["lead_code"] == "IMPORT-77"
    assert fetched["expected_value"] == "4500000.00"
    assert fetched["lead_date"] == "2025-03-14"
    assert fetched["assigned_to"] == str(world.rep.user_id)


def test_duplicate_code_is_409_and_generated_codes_skip_taken_ones(api: ApiClient) -> None:
    year = tenant_today().year
    _lead(api, lead_code=f"LEAD-{year}-0001")
    duplicate = api.post(LEADS, json={"name": "Again", "lead_code": f"LEAD-{year}-0001"})
    assert duplicate.status_code == 409
    assert "already used" in duplicate.json()["detail"]
    assert _lead(api)["lead_code"] == f"LEAD-{year}-0002"


def test_update_changes_only_what_was_sent(api: ApiClient) -> None:
    lead = _lead(api, company="Wipro", notes="first call")
    updated = api.ok(
        "PATCH", f"{LEADS}/{lead['id']}", json={"company": "Bosch", "expected_value": None}
    )
    assert updated["company"] == "Bosch"
    assert updated["notes"] == "first call"
    assert updated["expected_value"] is None
    assert api.patch(f"{LEADS}/{lead['id']}", json={"name": None}).status_code == 422


def test_soft_deleted_leads_vanish_everywhere(api: ApiClient) -> None:
    kept, gone = _lead(api, name="Kept"), _lead(api, name="Gone")
    assert api.delete(f"{LEADS}/{gone['id']}").status_code == 204
    assert api.get(f"{LEADS}/{gone['id']}").status_code == 404
    assert api.patch(f"{LEADS}/{gone['id']}", json={"name": "x"}).status_code == 404
    assert api.delete(f"{LEADS}/{gone['id']}").status_code == 404
    assert [lead["id"] for lead in api.ok("GET", LEADS)["items"]] == [kept["id"]]
    assert api.ok("GET", LEADS, params={"q": "Gone"})["items"] == []


def test_cursor_pagination_walks_every_lead_once(api: ApiClient) -> None:
    created = [_lead(api, name=f"Lead {i}")["id"] for i in range(7)]
    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = api.ok("GET", LEADS, params=params)
        seen += [lead["id"] for lead in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert pages == 3
    assert seen == list(reversed(created))  # newest first, no repeats, none missing


def test_page_size_is_bounded_and_cursors_are_checked(api: ApiClient) -> None:
    assert api.get(LEADS, params={"limit": 501}).status_code == 422
    assert api.get(LEADS, params={"limit": 0}).status_code == 422
    bad = api.get(LEADS, params={"cursor": "not-a-cursor"})
    assert bad.status_code == 422
    assert "cursor" in bad.json()["detail"]


def test_filters(world: TenantWorld) -> None:
    api = world.admin
    campaign = api.ok(
        "POST",
        "/api/v1/sales/campaigns",
        201,
        json={"campaign_name": "Expo", "campaign_type": "event"},
    )
    source = api.ok(
        "POST",
        "/api/v1/sales/lead-sources",
        201,
        json={"source_type": "event", "channel": "Offline"},
    )
    a = _lead(
        api,
        name="Anand Kumar",
        company="Acme 100% Realty",
        source_id=source["id"],
        campaign_id=campaign["id"],
        assigned_to=str(world.rep.user_id),
        lead_date="2025-01-10",
    )
    b = _lead(api, name="Bhavna", status="qualified", lead_date="2025-02-20")
    c = _lead(api, name="Chitra", company="ACME Homes")

    def ids(**params: object) -> set[str]:
        return {lead["id"] for lead in api.ok("GET", LEADS, params=params)["items"]}

    assert ids(status="qualified") == {b["id"]}
    assert ids(source_id=source["id"]) == {a["id"]}
    assert ids(campaign_id=campaign["id"]) == {a["id"]}
    assert ids(assigned_to=str(world.rep.user_id)) == {a["id"]}
    assert ids(q="acme") == {a["id"], c["id"]}
    assert ids(q="100%") == {a["id"]}
    assert ids(q=a["lead_code"]) == {a["id"]}
    assert ids(lead_date_from="2025-02-01", lead_date_to="2025-02-28") == {b["id"]}
    today = date.today().isoformat()
    assert ids(created_from=today, created_to=today) == {a["id"], b["id"], c["id"]}
    assert ids(created_to="2000-01-01") == set()
    assert api.get(LEADS, params={"status": "won"}).status_code == 422


def test_bad_input_is_422_with_a_detail_and_writes_nothing(api: ApiClient) -> None:
    cases = [
        {"name": "X", "status": "won"},
        {"name": "X", "lead_date": "2025-02-30"},
        {"name": "X", "expected_value": "-5"},
        {"name": "X", "expected_value": "1.001"},
        {"name": "X", "favourite_colour": "blue"},
        {"name": ""},
        {"name": "X", "email": "not-an-email"},
        {"name": "X", "source_id": "not-a-uuid"},
        {"name": "X", "source_id": str(uuid.uuid4())},
        {"name": "X" * 201},
    ]
    for body in cases:
        response = api.post(LEADS, json=body)
        assert response.status_code == 422, body
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["detail"], body
    assert api.ok("GET", LEADS)["items"] == []
    not_json = api.post(LEADS, content=b"{not json", headers={"Content-Type": "application/json"})
    assert not_json.status_code == 422


def test_oversized_bodies_are_413(api: ApiClient) -> None:
    response = api.post(LEADS, json={"name": "Big", "notes": "x" * 2_000_000})
    assert response.status_code == 413
    assert response.json()["detail"].startswith("request body is larger")
    assert api.ok("GET", LEADS)["items"] == []


def test_list_pages_carry_each_lead_as_its_own_page_shows_it(api: ApiClient) -> None:
    """The list reads plain rows (the fast path) and must answer exactly what a lead's own
    endpoint answers, money and timestamps included, across pages."""
    for i in range(5):
        _lead(api, name=f"Lead {i}", expected_value="4500000.50", phone=f"98765000{i:02d}")
    seen, cursor = [], None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = api.ok("GET", LEADS, params=params)
        seen += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(seen) == 5
    assert len({lead["id"] for lead in seen}) == 5
    for lead in seen:
        assert lead == api.ok("GET", f"{LEADS}/{lead['id']}")


def _streamed(total: int, chunk: int = 65_536) -> Iterator[bytes]:
    """A JSON body of about ``total`` bytes sent without a length (chunked encoding)."""
    yield b'{"name": "Big", "notes": "'
    for _ in range(total // chunk + 1):
        yield b"x" * chunk
    yield b'"}'


@pytest.mark.parametrize(
    ("url", "headers"),
    [
        (LEADS, {"Content-Type": "application/json"}),
        (LEADS, {"Content-Type": "application/json", "Idempotency-Key": "chunked-413"}),
        ("/api/v1/auth/token", {"Content-Type": "application/x-www-form-urlencoded"}),
    ],
)
def test_oversized_chunked_bodies_are_413_too(
    api: ApiClient, url: str, headers: dict[str, str]
) -> None:
    """No declared length to refuse up front: the limit is counted as the body arrives."""
    response = api.post(url, content=_streamed(2_000_000), headers=headers)
    assert response.status_code == 413, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["detail"] == "request body is larger than 1048576 bytes"
    assert api.ok("GET", LEADS)["items"] == []
