"""Customers, campaigns and lead sources: the same CRUD rules as leads, plus their own."""

from __future__ import annotations

import pytest

from tests.support import ApiClient, TenantWorld

CUSTOMERS = "/api/v1/sales/customers"
CAMPAIGNS = "/api/v1/sales/campaigns"
SOURCES = "/api/v1/sales/lead-sources"


def test_customer_lifecycle(api: ApiClient) -> None:
    lead = api.ok("POST", "/api/v1/sales/leads", 201, json={"name": "Asha Rao"})
    customer = api.ok(
        "POST",
        CUSTOMERS,
        201,
        json={"name": "Asha Rao", "email": "asha@example.com", "lead_id": lead["id"]},
    )
    assert customer["customer_code"] == "CUST-0001"
    assert customer["status"] == "active"
    assert api.ok("GET", f"{CUSTOMERS}/{customer['id']}")["lead_id"] == lead["id"]
    api.ok("PATCH", f"{CUSTOMERS}/{customer['id']}", json={"status": "inactive"})
    assert (
        api.ok("GET", CUSTOMERS, params={"status": "inactive"})["items"][0]["id"] == customer["id"]
    )
    assert api.ok("GET", CUSTOMERS, params={"q": "asha@"})["items"][0]["id"] == customer["id"]
    assert (
        api.ok("GET", CUSTOMERS, params={"lead_id": lead["id"]})["items"][0]["id"] == customer["id"]
    )
    api.ok("DELETE", f"{CUSTOMERS}/{customer['id']}", 204)
    assert api.get(f"{CUSTOMERS}/{customer['id']}").status_code == 404
    assert api.ok("GET", CUSTOMERS)["items"] == []
    duplicate = api.post(CUSTOMERS, json={"name": "Again", "customer_code": "CUST-0001"})
    assert duplicate.status_code == 409  # codes stay reserved after a soft delete


def test_the_customer_search_matches_phone_too(api: ApiClient) -> None:
    """One customer search for the API and the web page: name, code, email and phone."""
    asha = api.ok("POST", CUSTOMERS, 201, json={"name": "Asha Rao", "phone": "+91 98450 12345"})
    api.ok("POST", CUSTOMERS, 201, json={"name": "Ravi Kumar", "phone": "+91 99000 55555"})
    found = api.ok("GET", CUSTOMERS, params={"q": "98450"})["items"]
    assert [c["id"] for c in found] == [asha["id"]]
    assert api.ok("GET", CUSTOMERS, params={"q": "+91 9"})["items"] != []
    assert api.ok("GET", CUSTOMERS, params={"q": "11111"})["items"] == []


def test_campaign_lifecycle_and_rules(world: TenantWorld) -> None:
    api = world.manager
    body = {
        "campaign_code": "CAMPAIGN_2025_Q1_EMAIL",
        "campaign_name": "Q1 Email Campaign",
        "campaign_type": "email",
        "start_date": "2025-01-01",
        "end_date": "2025-03-31",
        "budget": "50000.00",
        "expected_roi": "300",
        "assigned_to": str(world.rep.user_id),
    }
    campaign = api.ok("POST", CAMPAIGNS, 201, json=body)
    assert campaign["budget"] == "50000.00"
    assert campaign["expected_roi"] == "300.00"
    assert campaign["status"] == "active"
    assert api.post(CAMPAIGNS, json=body).status_code == 409
    url = f"{CAMPAIGNS}/{campaign['id']}"
    assert api.patch(url, json={"end_date": "2024-12-31"}).status_code == 422
    assert api.patch(url, json={"budget": "-1"}).status_code == 422
    assert api.ok("PATCH", url, json={"status": "paused"})["status"] == "paused"
    assert (
        api.ok("GET", CAMPAIGNS, params={"active_on": "2025-02-01"})["items"][0]["id"]
        == campaign["id"]
    )
    assert api.ok("GET", CAMPAIGNS, params={"active_on": "2025-06-01"})["items"] == []
    assert api.ok("GET", CAMPAIGNS, params={"campaign_type": "social"})["items"] == []
    generated = api.ok(
        "POST", CAMPAIGNS, 201, json={"campaign_name": "Auto", "campaign_type": "social"}
    )
    assert generated["campaign_code"].startswith("CAMP-")
    bad = {**body, "campaign_code": "X2", "start_date": "2025-05-01", "end_date": "2025-04-01"}
    assert api.post(CAMPAIGNS, json=bad).status_code == 422


@pytest.mark.parametrize(
    "field", [("campaign_type", "tv"), ("status", "running"), ("start_date", "01/02/2025")]
)
def test_campaign_bad_values_are_422(api: ApiClient, field: tuple[str, str]) -> None:
    body = {"campaign_name": "X", "campaign_type": "email", field[0]: field[1]}
    assert api.post(CAMPAIGNS, json=body).status_code == 422


def test_lead_source_lifecycle(api: ApiClient) -> None:
    campaign = api.ok(
        "POST", CAMPAIGNS, 201, json={"campaign_name": "Ads", "campaign_type": "digital"}
    )
    source = api.ok(
        "POST",
        SOURCES,
        201,
        json={
            "source_type": "social",
            "subsource_name": "Facebook",
            "channel": "Social Media",
            "campaign_id": campaign["id"],
        },
    )
    assert (
        api.ok("GET", SOURCES, params={"channel": "Social Media"})["items"][0]["id"] == source["id"]
    )
    assert (
        api.ok("GET", SOURCES, params={"campaign_id": campaign["id"]})["items"][0]["id"]
        == source["id"]
    )
    url = f"{SOURCES}/{source['id']}"
    assert (
        api.ok("PATCH", url, json={"subsource_name": "Instagram"})["subsource_name"] == "Instagram"
    )
    assert api.patch(url, json={"channel": "Carrier pigeon"}).status_code == 422
    api.ok("DELETE", url, 204)
    lead = api.post("/api/v1/sales/leads", json={"name": "X", "source_id": source["id"]})
    assert lead.status_code == 422  # a deleted source can no longer be used
    assert "source_id" in lead.json()["detail"]
