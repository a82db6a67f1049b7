"""Roles and tenants on pages: what a role may not do is not offered, and refused if forced;
another tenant's records are simply not found."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI

from tests.support import TenantWorld
from tests.web.support import WebClient, browser, logged_in


def _lead(world: TenantWorld, name: str = "Asha Rao") -> dict[str, Any]:
    result: dict[str, Any] = world.admin.ok("POST", "/api/v1/sales/leads", 201, json={"name": name})
    return result


def test_another_tenants_lead_is_not_found(
    admin_web: WebClient, world: TenantWorld, other_world: TenantWorld
) -> None:
    theirs = _lead(other_world, "Their Secret Lead")
    for url in (f"/leads/{theirs['id']}", f"/leads/{theirs['id']}/edit"):
        page = admin_web.get(url)
        assert page.status_code == 404, url
        assert "Not found" in page.text
        assert "Their Secret Lead" not in page.text
    edit = admin_web.post(
        f"/leads/{theirs['id']}/edit",
        {"name": "Hijacked", "status": "lost", "lead_date": "2026-01-01"},
    )
    assert edit.status_code == 404
    assert admin_web.post(f"/leads/{theirs['id']}/delete").status_code == 404
    stored = other_world.admin.ok("GET", f"/api/v1/sales/leads/{theirs['id']}")
    assert (stored["name"], stored["status"]) == ("Their Secret Lead", "new")
    assert "Their Secret Lead" not in admin_web.get("/leads").text


def test_other_tenants_campaigns_and_sources_are_not_found(
    admin_web: WebClient, other_world: TenantWorld
) -> None:
    campaign = other_world.admin.ok(
        "POST",
        "/api/v1/sales/campaigns",
        201,
        json={"campaign_name": "Theirs", "campaign_type": "email"},
    )
    source = other_world.admin.ok(
        "POST",
        "/api/v1/sales/lead-sources",
        201,
        json={"source_type": "event", "channel": "Offline"},
    )
    assert admin_web.get(f"/campaigns/{campaign['id']}/edit").status_code == 404
    assert admin_web.get(f"/sources/{source['id']}/edit").status_code == 404


def test_a_lead_cannot_point_at_another_tenants_source(
    admin_web: WebClient, world: TenantWorld, other_world: TenantWorld
) -> None:
    source = other_world.admin.ok(
        "POST",
        "/api/v1/sales/lead-sources",
        201,
        json={"source_type": "event", "channel": "Offline"},
    )
    response = admin_web.post(
        "/leads/new", {"name": "Sneaky", "source_id": source["id"], "lead_date": "2026-01-01"}
    )
    assert response.status_code == 422
    assert 'id="source_id-error"' in response.text
    assert world.admin.ok("GET", "/api/v1/sales/leads")["items"] == []


@pytest.mark.parametrize("url", ["/leads/not-a-uuid", "/leads/123/edit", "/campaigns/x/edit"])
def test_a_malformed_id_is_not_found(admin_web: WebClient, url: str) -> None:
    assert admin_web.get(url).status_code == 404


def test_a_viewer_is_offered_no_changes_and_refused_if_forced(
    viewer_web: WebClient, world: TenantWorld
) -> None:
    lead = _lead(world)
    listing = viewer_web.get("/leads")
    assert "Asha Rao" in listing.text
    assert "New lead" not in listing.text
    detail = viewer_web.get(f"/leads/{lead['id']}")
    assert detail.status_code == 200
    assert "/edit" not in detail.text
    assert "/delete" not in detail.text
    assert viewer_web.get("/leads/new").status_code == 403
    forced = viewer_web.post("/leads/new", {"name": "Forced", "lead_date": "2026-01-01"})
    assert forced.status_code == 403
    assert "may not do this" in forced.text
    assert viewer_web.post(f"/leads/{lead['id']}/delete").status_code == 403
    assert viewer_web.post(f"/leads/{lead['id']}/edit", {"name": "X"}).status_code == 403
    assert len(world.admin.ok("GET", "/api/v1/sales/leads")["items"]) == 1


def test_a_sales_rep_works_leads_but_only_reads_campaigns_and_sources(
    rep_web: WebClient, world: TenantWorld
) -> None:
    assert "New lead" in rep_web.get("/leads").text
    created = rep_web.post("/leads/new", {"name": "Rep Lead", "lead_date": "2026-01-01"})
    assert created.status_code == 200
    assert "Lead created." in created.text
    campaigns = rep_web.get("/campaigns")
    assert campaigns.status_code == 200
    assert "New campaign" not in campaigns.text
    assert "New source" not in rep_web.get("/sources").text
    assert rep_web.get("/campaigns/new").status_code == 403
    forced = rep_web.post("/campaigns/new", {"campaign_name": "Mine", "campaign_type": "email"})
    assert forced.status_code == 403
    assert (
        rep_web.post("/sources/new", {"source_type": "event", "channel": "Offline"}).status_code
        == 403
    )
    assert world.admin.ok("GET", "/api/v1/sales/campaigns")["items"] == []


def test_logged_out_posts_go_to_login_and_change_nothing(app: FastAPI, world: TenantWorld) -> None:
    stranger = browser(app)
    stranger.get("/login")
    response = stranger.post("/leads/new", {"name": "Anonymous"}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")
    assert world.admin.ok("GET", "/api/v1/sales/leads")["items"] == []


def test_navigation_shows_only_what_the_role_may_see(app: FastAPI, world: TenantWorld) -> None:
    page = logged_in(app, world, "viewer").get("/leads")
    nav = page.text.split('aria-label="Main"')[1].split("</nav>")[0]
    for label in ("Leads", "Campaigns", "Sources"):
        assert f">{label}</a>" in nav
