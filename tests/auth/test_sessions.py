"""Signing out, a password change and a deactivation end a user's tokens at once
(issue 17, items 6 and 9): the next request of any token issued before is 401, a token
issued after works, and nobody else's tokens are touched."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.support import ApiClient, TenantWorld, login

LEADS = "/api/v1/sales/leads"
LOGOUT = "/api/v1/auth/logout"
USERS = "/api/v1/sales/users"
NEW_PASSWORD = "a brand new passphrase"


def _token(http: TestClient, world: TenantWorld, email: str, password: str) -> ApiClient:
    response = login(http, world.slug, email, password)
    assert response.status_code == 200, response.text
    user = next(c for c in world.clients.values() if c.email == email)
    return ApiClient(http, world.slug, response.json()["access_token"], user.user_id, email)


def _ended(client: ApiClient) -> None:
    response = client.get(LEADS)
    assert response.status_code == 401, response.text
    assert response.headers["content-type"].startswith("application/problem+json")


def _others_unaffected(world: TenantWorld, other: TenantWorld, *, but: ApiClient) -> None:
    for client in (*world.clients.values(), *other.clients.values()):
        if client.user_id != but.user_id:
            assert client.get(LEADS).status_code == 200, client.email


def test_signing_out_ends_every_token_of_the_user_at_once(
    http: TestClient, world: TenantWorld, other_world: TenantWorld
) -> None:
    first = world.rep
    second = _token(http, world, first.email, "correct horse battery")  # another device
    assert second.get(LEADS).status_code == 200
    assert first.post(LOGOUT).status_code == 204
    _ended(first)
    _ended(second)
    assert "session has ended" in first.get(LEADS).json()["detail"]
    assert first.post(LOGOUT).status_code == 401  # an ended token cannot sign out again
    _others_unaffected(world, other_world, but=first)
    fresh = _token(http, world, first.email, "correct horse battery")
    assert fresh.get(LEADS).status_code == 200


def test_signing_out_needs_a_valid_token(http: TestClient, world: TenantWorld) -> None:
    assert http.post(LOGOUT, headers={"X-Tenant-ID": world.slug}).status_code == 401
    forged = {"Authorization": "Bearer not-a-token", "X-Tenant-ID": world.slug}
    assert http.post(LOGOUT, headers=forged).status_code == 401
    assert world.rep.get(LEADS).status_code == 200


def test_a_password_reset_ends_the_users_tokens_and_the_new_password_works(
    http: TestClient, world: TenantWorld, other_world: TenantWorld
) -> None:
    rep = world.rep
    before = rep.get(LEADS)
    assert before.status_code == 200
    world.admin.ok("PATCH", f"{USERS}/{rep.user_id}", json={"password": NEW_PASSWORD})
    _ended(rep)  # at once, not when the token expires 15 minutes later
    assert login(http, world.slug, rep.email).status_code == 401  # the old password
    fresh = _token(http, world, rep.email, NEW_PASSWORD)
    assert fresh.get(LEADS).json() == before.json()
    _others_unaffected(world, other_world, but=rep)


def test_changing_ones_own_password_ends_ones_own_tokens(
    http: TestClient, world: TenantWorld
) -> None:
    admin = world.admin
    changed = admin.ok("PATCH", f"{USERS}/{admin.user_id}", json={"password": NEW_PASSWORD})
    assert changed["id"] == str(admin.user_id)  # the change itself is answered
    _ended(admin)
    fresh = _token(http, world, admin.email, NEW_PASSWORD)
    assert fresh.get(USERS).status_code == 200


def test_other_changes_to_a_user_keep_their_tokens(world: TenantWorld) -> None:
    world.admin.ok("PATCH", f"{USERS}/{world.rep.user_id}", json={"full_name": "Asha Rao"})
    assert world.rep.get(LEADS).status_code == 200


def test_reactivating_a_user_does_not_bring_old_tokens_back(
    http: TestClient, world: TenantWorld, other_world: TenantWorld
) -> None:
    rep = world.rep
    world.admin.ok("PATCH", f"{USERS}/{rep.user_id}", json={"is_active": False})
    _ended(rep)
    world.admin.ok("PATCH", f"{USERS}/{rep.user_id}", json={"is_active": True})
    _ended(rep)  # the token issued before the deactivation stays dead
    assert _token(http, world, rep.email, "correct horse battery").get(LEADS).status_code == 200
    _others_unaffected(world, other_world, but=rep)
