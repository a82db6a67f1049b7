"""Campaign and lead-source pages: list, create and edit on the API's services."""

from __future__ import annotations

from tests.support import TenantWorld
from tests.web.support import WebClient


def test_empty_lists_invite_the_first_record(admin_web: WebClient) -> None:
    assert "No campaigns yet." in admin_web.get("/campaigns").text
    assert "No lead sources yet." in admin_web.get("/sources").text


def test_create_and_edit_a_campaign(admin_web: WebClient, world: TenantWorld) -> None:
    response = admin_web.post(
        "/campaigns/new",
        {
            "campaign_name": "Whitefield Towers launch",
            "campaign_type": "digital",
            "status": "active",
            "start_date": "2026-01-01",
            "end_date": "2026-03-31",
            "budget": "2,50,000",
            "expected_roi": "300",
            "assigned_to": str(world.manager.user_id),
        },
    )
    assert response.status_code == 200
    assert response.url.path == "/campaigns"
    assert "Campaign created." in response.text
    assert "₹2,50,000" in response.text
    assert "300%" in response.text
    (stored,) = world.admin.ok("GET", "/api/v1/sales/campaigns")["items"]
    assert stored["budget"] == "250000.00"
    assert stored["campaign_code"].startswith("CAMP-")
    form = admin_web.get(f"/campaigns/{stored['id']}/edit")
    assert 'value="2,50,000"' in form.text
    edited = admin_web.post(
        f"/campaigns/{stored['id']}/edit",
        {
            "campaign_name": "Whitefield Towers launch",
            "campaign_type": "digital",
            "status": "paused",
            "start_date": "2026-01-01",
            "end_date": "",
            "budget": "3,00,000",
            "expected_roi": "",
            "description": "",
        },
    )
    assert "Campaign updated." in edited.text
    again = world.admin.ok("GET", f"/api/v1/sales/campaigns/{stored['id']}")
    assert (again["status"], again["budget"], again["end_date"]) == ("paused", "300000.00", None)
    assert again["expected_roi"] is None


def test_campaign_rules_are_the_apis(admin_web: WebClient, world: TenantWorld) -> None:
    response = admin_web.post(
        "/campaigns/new",
        {
            "campaign_name": "Backwards",
            "campaign_type": "event",
            "start_date": "2026-05-01",
            "end_date": "2026-04-01",
            "budget": "-5",
        },
    )
    assert response.status_code == 422
    assert 'id="budget-error"' in response.text
    fixed = admin_web.post(
        "/campaigns/new",
        {
            "campaign_name": "Backwards",
            "campaign_type": "event",
            "start_date": "2026-05-01",
            "end_date": "2026-04-01",
        },
    )
    assert fixed.status_code == 422
    assert 'id="end_date-error"' in fixed.text
    assert "before start_date" in fixed.text
    assert 'value="Backwards"' in fixed.text
    assert world.admin.ok("GET", "/api/v1/sales/campaigns")["items"] == []


def test_campaign_list_filters(admin_web: WebClient, world: TenantWorld) -> None:
    for name, kind, status in (
        ("Diwali Email", "email", "active"),
        ("Expo Stall", "event", "completed"),
    ):
        world.admin.ok(
            "POST",
            "/api/v1/sales/campaigns",
            201,
            json={"campaign_name": name, "campaign_type": kind, "status": status},
        )
    events = admin_web.get("/campaigns?campaign_type=event")
    assert "Expo Stall" in events.text
    assert "Diwali Email" not in events.text
    active = admin_web.get("/campaigns?status=active&q=diwali")
    assert "Diwali Email" in active.text
    assert "Expo Stall" not in active.text
    assert "No campaign matches" in admin_web.get("/campaigns?q=zzz").text


def test_create_edit_and_filter_sources(admin_web: WebClient, world: TenantWorld) -> None:
    missing = admin_web.post("/sources/new", {"subsource_name": "LinkedIn"})
    assert missing.status_code == 422
    assert 'id="source_type-error"' in missing.text
    assert 'id="channel-error"' in missing.text
    assert 'value="LinkedIn"' in missing.text
    created = admin_web.post(
        "/sources/new",
        {"source_type": "social", "subsource_name": "LinkedIn", "channel": "Social Media"},
    )
    assert "Source created." in created.text
    assert "LinkedIn" in created.text
    admin_web.post(
        "/sources/new",
        {"source_type": "walk_in", "subsource_name": "Site office", "channel": "Offline"},
    )
    offline = admin_web.get("/sources?channel=Offline")
    assert "Site office" in offline.text
    assert "LinkedIn" not in offline.text
    source = next(
        s
        for s in world.admin.ok("GET", "/api/v1/sales/lead-sources")["items"]
        if s["subsource_name"] == "LinkedIn"
    )
    edited = admin_web.post(
        f"/sources/{source['id']}/edit",
        {"source_type": "social", "subsource_name": "LinkedIn Ads", "channel": "Paid Search"},
    )
    assert "Source updated." in edited.text
    stored = world.admin.ok("GET", f"/api/v1/sales/lead-sources/{source['id']}")
    assert (stored["subsource_name"], stored["channel"]) == ("LinkedIn Ads", "Paid Search")
