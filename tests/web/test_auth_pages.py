"""Logging in and out in a browser, on the API's login rules (throttle included)."""

from __future__ import annotations

import pytest
from fastapi import FastAPI

from salestrack.auth.roles import Role
from salestrack.web.kit.session import COOKIE_NAME
from tests.support import TenantWorld
from tests.web.support import WebClient, browser, text_of


def test_anonymous_visitor_is_sent_to_login(app: FastAPI) -> None:
    client = browser(app)
    response = client.get("/")
    assert response.url.path == "/login"
    assert 'for="tenant"' in response.text
    assert 'for="password"' in response.text


def test_login_opens_the_start_page_with_tenant_user_and_role(
    app: FastAPI, world: TenantWorld
) -> None:
    client = browser(app)
    response = client.login(world.slug, world.manager.email)
    assert response.status_code == 200
    assert response.url.path == "/reports"
    header = text_of(response)
    assert f"Tenant {world.slug}" in header
    assert world.manager.email in header
    assert "Manager" in header
    assert client.get("/").url.path == "/reports"


def test_session_cookie_is_httponly_lax_and_secure_only_over_https(
    app: FastAPI, world: TenantWorld
) -> None:
    plain = browser(app)
    plain.get("/login")
    response = plain.post(
        "/login",
        {"tenant": world.slug, "email": world.admin.email, "password": "correct horse battery"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE_NAME}=")
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Secure" not in cookie
    secure = browser(app, base_url="https://testserver")
    assert "Secure" in secure.get("/login").headers["set-cookie"]


def test_wrong_password_keeps_what_was_typed_but_not_the_password(
    app: FastAPI, world: TenantWorld
) -> None:
    client = browser(app)
    client.get("/login")
    response = client.post(
        "/login", {"tenant": world.slug, "email": world.rep.email, "password": "wrong-guess-1"}
    )
    assert response.status_code == 401
    assert "do not match an active user" in response.text
    assert f'value="{world.rep.email}"' in response.text
    assert "wrong-guess-1" not in response.text
    assert client.get("/leads").url.path == "/login"


def test_login_is_throttled_like_the_api(app: FastAPI, world: TenantWorld) -> None:
    client = browser(app)
    client.get("/login")
    for attempt in range(5):
        client.post(
            "/login",
            {"tenant": world.slug, "email": world.viewer.email, "password": f"guess-{attempt}"},
        )
    response = client.login(world.slug, world.viewer.email)
    assert response.status_code == 429
    assert "Too many failed logins" in response.text


def test_logout_ends_the_session(admin_web: WebClient) -> None:
    page = admin_web.get("/leads")
    assert page.status_code == 200
    response = admin_web.post("/logout")
    assert response.url.path == "/login"
    assert admin_web.get("/leads").url.path == "/login"


def test_a_tampered_cookie_is_no_session(admin_web: WebClient) -> None:
    value = admin_web.http.cookies[COOKIE_NAME]
    admin_web.http.cookies.clear()
    admin_web.http.cookies.set(COOKIE_NAME, value[:-2] + ("AA" if value[-2:] != "AA" else "BB"))
    assert admin_web.get("/leads").url.path == "/login"


def test_a_deactivated_user_is_logged_out_at_the_next_page(
    app: FastAPI, world: TenantWorld
) -> None:
    from tests.web.support import logged_in

    rep = logged_in(app, world, "rep")
    world.admin.ok("PATCH", f"/api/v1/sales/users/{world.rep.user_id}", json={"is_active": False})
    assert rep.get("/leads").url.path == "/login"


def test_login_returns_to_the_page_asked_for_but_never_off_site(
    app: FastAPI, world: TenantWorld
) -> None:
    client = browser(app)
    first = client.get("/leads?status=qualified")
    assert first.url.path == "/login"
    assert "status%3Dqualified" in str(first.url)
    client.post(
        "/login",
        {
            "tenant": world.slug,
            "email": world.admin.email,
            "password": "correct horse battery",
            "next": "/leads?status=qualified",
        },
    )
    assert client.last is not None
    assert str(client.last.url).endswith("/leads?status=qualified")
    other = browser(app)
    other.get("/login")
    response = other.post(
        "/login",
        {
            "tenant": world.slug,
            "email": world.admin.email,
            "password": "correct horse battery",
            "next": "//evil.example.com/",
        },
    )
    assert response.url.host == "testserver"
    assert response.url.path == "/reports"


@pytest.mark.parametrize("role", list(Role))
def test_every_role_starts_on_a_page_it_may_see(
    app: FastAPI, world: TenantWorld, role: Role
) -> None:
    client = browser(app)
    response = client.login(world.slug, world.clients[role].email)
    assert response.status_code == 200
    starts = {Role.sales_rep: "/follow-ups", Role.viewer: "/leads"}
    assert response.url.path == starts.get(role, "/reports")


def test_api_errors_stay_problem_json_while_pages_get_html(
    app: FastAPI, world: TenantWorld
) -> None:
    api_missing = world.admin.get("/api/v1/sales/leads/00000000-0000-0000-0000-000000000000")
    assert api_missing.status_code == 404
    assert api_missing.headers["content-type"].startswith("application/problem+json")
    page_missing = browser(app).get("/no-such-page")
    assert page_missing.status_code == 404
    assert page_missing.headers["content-type"].startswith("text/html")
    assert "Not found" in page_missing.text
