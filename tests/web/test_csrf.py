"""Every form post must carry the session's CSRF token; without it nothing happens."""

from __future__ import annotations

from fastapi import FastAPI

from tests.support import TenantWorld
from tests.web.support import WebClient, browser, logged_in

FORGED = "x" * 43


def _lead_count(world: TenantWorld) -> int:
    return len(world.admin.ok("GET", "/api/v1/sales/leads")["items"])


def test_a_post_without_a_token_is_refused_and_changes_nothing(
    admin_web: WebClient, world: TenantWorld
) -> None:
    response = admin_web.post("/leads/new", {"name": "Forged Lead"}, csrf="")
    assert response.status_code == 403
    assert "did not come from this site" in response.text
    assert _lead_count(world) == 0


def test_a_post_with_a_wrong_token_is_refused(admin_web: WebClient, world: TenantWorld) -> None:
    response = admin_web.post("/leads/new", {"name": "Forged Lead"}, csrf=FORGED)
    assert response.status_code == 403
    assert _lead_count(world) == 0
    ok = admin_web.post("/leads/new", {"name": "Real Lead", "lead_date": "2026-01-05"})
    assert ok.status_code == 200, ok.text
    assert _lead_count(world) == 1


def test_another_sessions_token_does_not_work(app: FastAPI, world: TenantWorld) -> None:
    admin = logged_in(app, world, "admin")
    manager = logged_in(app, world, "manager")
    response = admin.post("/leads/new", {"name": "Cross Session"}, csrf=manager.csrf)
    assert response.status_code == 403
    assert _lead_count(world) == 0


def test_logout_and_login_need_the_token_too(app: FastAPI, world: TenantWorld) -> None:
    admin = logged_in(app, world, "admin")
    assert admin.post("/logout", csrf="").status_code == 403
    assert admin.get("/leads").url.path == "/leads"  # still logged in
    stranger = browser(app)
    response = stranger.post(
        "/login",
        {"tenant": world.slug, "email": world.admin.email, "password": "correct horse battery"},
        csrf="",
    )
    assert response.status_code == 403
    assert stranger.get("/leads").url.path == "/login"


def test_the_token_changes_at_login(app: FastAPI, world: TenantWorld) -> None:
    client = browser(app)
    client.get("/login")
    before = client.csrf
    client.post(
        "/login",
        {"tenant": world.slug, "email": world.admin.email, "password": "correct horse battery"},
    )
    assert client.csrf
    assert client.csrf != before
    assert client.post("/leads/new", {"name": "Old Token"}, csrf=before).status_code == 403
