"""Each user's own preferences: the API (``/api/v1/me/preferences``) and the page (/me),
with the defaults, the checks, the CSRF token, and the locale applied to their pages."""

from __future__ import annotations

from fastapi import FastAPI

from tests.support import ApiClient, TenantWorld
from tests.web.support import logged_in, text_of

ME = "/api/v1/me/preferences"


def test_defaults_by_role(world: TenantWorld) -> None:
    rep = world.rep.ok("GET", ME)
    assert rep == {
        "digest_enabled": True,
        "digest_time": "08:00:00",
        "team_digest_enabled": False,
        "alerts_enabled": True,
        "alert_minutes": 30,
        "locale": None,
        "effective_locale": "en_IN",
        "team_digest_available": False,
    }
    manager = world.manager.ok("GET", ME)
    assert (manager["team_digest_enabled"], manager["team_digest_available"]) == (True, True)
    admin = world.admin.ok("GET", ME)
    assert (admin["team_digest_enabled"], admin["team_digest_available"]) == (False, True)
    assert world.viewer.ok("GET", ME)["digest_enabled"] is True


def test_changing_some_preferences_keeps_the_others(world: TenantWorld) -> None:
    rep = world.rep
    changed = rep.ok("PATCH", ME, json={"digest_time": "07:15", "locale": "hi_IN"})
    assert (changed["digest_time"], changed["locale"], changed["effective_locale"]) == (
        "07:15:00",
        "hi_IN",
        "hi_IN",
    )
    again = rep.ok("PATCH", ME, json={"alerts_enabled": False, "alert_minutes": 90})
    assert (again["digest_time"], again["locale"], again["alerts_enabled"]) == (
        "07:15:00",
        "hi_IN",
        False,
    )
    assert rep.ok("GET", ME) == again
    back = rep.ok("PATCH", ME, json={"locale": None})
    assert (back["locale"], back["effective_locale"]) == (None, "en_IN")
    assert world.manager.ok("GET", ME)["digest_time"] == "08:00:00"  # only the caller's


def _refused(api: ApiClient, body: object, field: str) -> None:
    before = api.ok("GET", ME)
    answer = api.patch(ME, json=body)
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert field in answer.text
    assert api.ok("GET", ME) == before


def test_bad_preferences_are_refused_with_nothing_changed(world: TenantWorld) -> None:
    rep = world.rep
    _refused(rep, {"alert_minutes": 2}, "alert_minutes")
    _refused(rep, {"alert_minutes": 1441}, "alert_minutes")
    _refused(rep, {"alert_minutes": True}, "alert_minutes")
    _refused(rep, {"alerts_enabled": 0}, "alerts_enabled")
    _refused(rep, {"digest_time": "25:00"}, "digest_time")
    _refused(rep, {"digest_time": "08:00+05:30"}, "digest_time")
    _refused(rep, {"locale": "xx_XX"}, "locale")
    _refused(rep, {"digest_enabled": None}, "digest_enabled")
    _refused(rep, {"sms": True}, "sms")
    _refused(rep, {"team_digest_enabled": True, "digest_time": "06:00"}, "team digest")


def test_preferences_need_a_valid_token(world: TenantWorld, other_world: TenantWorld) -> None:
    rep = world.rep
    assert rep.http.get(ME).status_code == 401
    assert rep.http.get(ME, headers={"X-Tenant-ID": world.slug}).status_code == 401
    wrong_tenant = {**rep.headers, "X-Tenant-ID": other_world.slug}
    assert rep.http.get(ME, headers=wrong_tenant).status_code == 403


def test_the_preferences_page(app: FastAPI, world: TenantWorld) -> None:
    browser = logged_in(app, world, "rep")
    page = browser.get("/me")
    assert page.status_code == 200
    text = text_of(page)
    assert "My preferences" in text
    assert "Morning digest" in text
    assert "overdue follow-ups (same time)" not in text  # not offered to a sales rep
    assert 'href="/me"' in page.text  # every page links to it from the user's name
    assert "12,34,567.5" in text  # the tenant's en_IN grouping until they choose

    refused = browser.post("/me", {"digest_time": "07:00"}, csrf="")
    assert refused.status_code == 403

    bad = browser.post(
        "/me", {"digest_enabled": "on", "digest_time": "07:00", "alert_minutes": "1"}
    )
    assert bad.status_code == 422
    assert "alert_minutes" in bad.text or "greater than or equal to 5" in bad.text
    assert world.rep.ok("GET", ME)["digest_time"] == "08:00:00"

    saved = browser.post(
        "/me",
        {"digest_time": "06:45", "alerts_enabled": "on", "alert_minutes": "15", "locale": "de_DE"},
        follow_redirects=True,
    )
    assert saved.status_code == 200
    assert "Preferences updated" in text_of(saved)
    chosen = world.rep.ok("GET", ME)
    assert (chosen["digest_enabled"], chosen["digest_time"], chosen["alert_minutes"]) == (
        False,
        "06:45:00",
        15,
    )
    assert chosen["locale"] == "de_DE"
    assert "1.234.567,5" in text_of(saved)  # now written the German way on their pages


def test_a_manager_can_turn_the_team_digest_off_on_the_page(
    app: FastAPI, world: TenantWorld
) -> None:
    browser = logged_in(app, world, "manager")
    assert "overdue follow-ups (same time)" in text_of(browser.get("/me"))
    browser.post("/me", {"digest_enabled": "on", "digest_time": "08:00", "alert_minutes": "30"})
    assert world.manager.ok("GET", ME)["team_digest_enabled"] is False
