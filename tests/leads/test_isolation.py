"""Another tenant's records answer exactly like missing ones, for every kind and method."""

from __future__ import annotations

import uuid

import pytest

from tests.support import ApiClient, TenantWorld

KINDS = {
    "leads": {"name": "Secret Lead"},
    "customers": {"name": "Secret Customer"},
    "campaigns": {"campaign_name": "Secret", "campaign_type": "email"},
    "lead-sources": {"source_type": "website", "channel": "Direct"},
}
PATCHES = {
    "leads": {"name": "Hijacked"},
    "customers": {"name": "Hijacked"},
    "campaigns": {"campaign_name": "Hijacked"},
    "lead-sources": {"subsource_name": "Hijacked"},
}


@pytest.mark.parametrize("kind", list(KINDS))
def test_other_tenants_records_are_404(
    world: TenantWorld, other_world: TenantWorld, kind: str
) -> None:
    theirs = other_world.admin.ok("POST", f"/api/v1/sales/{kind}", 201, json=KINDS[kind])
    before = other_world.admin.ok("GET", f"/api/v1/sales/{kind}/{theirs['id']}")
    mine = world.admin
    url = f"/api/v1/sales/{kind}/{theirs['id']}"
    missing = f"/api/v1/sales/{kind}/{uuid.uuid4()}"
    for target in (url, missing):
        get, patch, delete = (
            mine.get(target),
            mine.patch(target, json=PATCHES[kind]),
            mine.delete(target),
        )
        assert [get.status_code, patch.status_code, delete.status_code] == [404, 404, 404]
    assert mine.get(url).json()["detail"].endswith("not found")
    assert mine.ok("GET", f"/api/v1/sales/{kind}")["items"] == []
    assert other_world.admin.ok("GET", url) == before


def test_references_to_another_tenants_records_are_refused(
    world: TenantWorld, other_world: TenantWorld
) -> None:
    theirs = other_world.admin
    campaign = theirs.ok("POST", "/api/v1/sales/campaigns", 201, json=KINDS["campaigns"])
    source = theirs.ok("POST", "/api/v1/sales/lead-sources", 201, json=KINDS["lead-sources"])
    lead = theirs.ok("POST", "/api/v1/sales/leads", 201, json=KINDS["leads"])
    mine: ApiClient = world.admin
    for body in (
        {"name": "X", "campaign_id": campaign["id"]},
        {"name": "X", "source_id": source["id"]},
        {"name": "X", "assigned_to": str(other_world.rep.user_id)},
    ):
        assert mine.post("/api/v1/sales/leads", json=body).status_code == 422
    assert (
        mine.post("/api/v1/sales/customers", json={"name": "X", "lead_id": lead["id"]}).status_code
        == 422
    )


def test_filters_cannot_reach_into_another_tenant(
    world: TenantWorld, other_world: TenantWorld
) -> None:
    theirs = other_world.admin
    campaign = theirs.ok("POST", "/api/v1/sales/campaigns", 201, json=KINDS["campaigns"])
    theirs.ok(
        "POST", "/api/v1/sales/leads", 201, json={"name": "Theirs", "campaign_id": campaign["id"]}
    )
    page = world.admin.ok("GET", "/api/v1/sales/leads", params={"campaign_id": campaign["id"]})
    assert page["items"] == []
