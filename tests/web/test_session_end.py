"""A page session ends at once when its user signs out (anywhere), their password changes
or they are deactivated (issue 17, item 6): a copy of the old cookie is no session."""

from __future__ import annotations

from fastapi import FastAPI

from salestrack.web.kit.session import COOKIE_NAME
from tests.support import TenantWorld, login
from tests.web.support import WebClient, browser, logged_in

USERS = "/api/v1/sales/users"
LEADS = "/api/v1/sales/leads"


def _copy(app: FastAPI, web: WebClient) -> WebClient:
    """Another browser holding the very cookie ``web`` holds now (a stolen or kept copy)."""
    copy = browser(app)
    copy.http.cookies.set(COOKIE_NAME, web.http.cookies[COOKIE_NAME])
    assert copy.get("/leads").url.path == "/leads"
    return copy


def _refused(web: WebClient) -> None:
    page = web.get("/leads")
    assert page.url.path == "/login"
    assert page.status_code == 200  # the login form, after the redirect
    web.get("/login")
    assert web.post("/leads/new", {"name": "Not me"}).url.path == "/login"


def test_signing_out_ends_the_session_for_every_copy_of_its_cookie(
    app: FastAPI, world: TenantWorld, other_world: TenantWorld
) -> None:
    rep = logged_in(app, world, "rep")
    kept = _copy(app, rep)
    elsewhere = logged_in(app, world, "rep")  # the same user in another browser
    manager = logged_in(app, world, "manager")
    stranger = logged_in(app, other_world, "rep")
    rep.get("/leads")
    assert rep.post("/logout").url.path == "/login"
    _refused(rep)
    _refused(kept)
    _refused(elsewhere)
    assert world.rep.get(LEADS).status_code == 401  # and the user's API tokens
    for untouched in (manager, stranger):
        assert untouched.get("/leads").url.path == "/leads"
    assert world.manager.get(LEADS).status_code == 200
    assert other_world.rep.get(LEADS).status_code == 200
    again = browser(app)
    assert again.login(world.slug, world.rep.email).url.path == "/follow-ups"


def test_signing_out_is_a_form_post_with_the_csrf_token(app: FastAPI, world: TenantWorld) -> None:
    rep = logged_in(app, world, "rep")
    assert rep.get("/logout").status_code == 405
    assert rep.post("/logout", csrf="").status_code == 403
    assert rep.get("/leads").url.path == "/leads"
    assert world.rep.get(LEADS).status_code == 200


def test_a_password_change_ends_the_users_page_sessions(
    app: FastAPI, world: TenantWorld, other_world: TenantWorld
) -> None:
    rep = logged_in(app, world, "rep")
    kept = _copy(app, rep)
    stranger = logged_in(app, other_world, "rep")
    new = "a brand new passphrase"
    world.admin.ok("PATCH", f"{USERS}/{world.rep.user_id}", json={"password": new})
    _refused(rep)
    _refused(kept)
    assert stranger.get("/leads").url.path == "/leads"
    assert browser(app).login(world.slug, world.rep.email, new).url.path == "/follow-ups"
    assert login(world.rep.http, world.slug, world.rep.email).status_code == 401


def test_a_reactivated_user_signs_in_again(app: FastAPI, world: TenantWorld) -> None:
    rep = logged_in(app, world, "rep")
    kept = _copy(app, rep)
    world.admin.ok("PATCH", f"{USERS}/{world.rep.user_id}", json={"is_active": False})
    world.admin.ok("PATCH", f"{USERS}/{world.rep.user_id}", json={"is_active": True})
    _refused(kept)  # the cookie from before the deactivation stays dead
    assert logged_in(app, world, "rep").get("/leads").url.path == "/leads"


def test_signing_out_through_the_api_ends_the_page_sessions(
    app: FastAPI, world: TenantWorld
) -> None:
    rep = logged_in(app, world, "rep")
    world.rep.ok("POST", "/api/v1/auth/logout", 204)
    _refused(rep)
