"""New passwords are refused when common, breached, guessable or made of the user's own name
or email (issue 17, item 9): on creating a user and on changing a password, through the API
and the command line, and nothing is written when refused."""

from __future__ import annotations

import uuid

import pytest

from salestrack.auth import passwords
from salestrack.core.config import Settings
from tests.cli.process import Cli, environment
from tests.support import PASSWORD, TenantWorld, login

USERS = "/api/v1/sales/users"
NAME = "Ravi Kumar"

# (password, why) for a user named Ravi Kumar at ravi.kumar@<tenant>.example.com
REFUSED = [
    ("aaaaaaaaaa", passwords.GUESSABLE),  # the example: a repeat
    ("password123", passwords.COMMON),
    ("qwertyuiop", passwords.COMMON),
    ("1234567890", passwords.COMMON),
    ("iloveyou12", passwords.GUESSABLE),  # a common password with digits after it
    ("P@ssw0rd2024", passwords.GUESSABLE),  # l33t spelling and a year
    ("abcdefghijkl", passwords.GUESSABLE),  # a sequence
    ("ravi.kumar1", passwords.OWN_WORDS),  # the local part of the email
    ("ravikumar2024", passwords.OWN_WORDS),  # the name
    ("Ravi Kumar!!", passwords.OWN_WORDS),
]
ACCEPTED = [PASSWORD, "sea-view-tower-17", "kx7!fjq-22Ld", "Tr0ub4dor&3-horse"]


@pytest.fixture(scope="module")
def cli(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Cli:
    return Cli(environment(settings), tmp_path_factory.mktemp("cli"))


def _email(world: TenantWorld) -> str:
    return f"ravi.kumar-{uuid.uuid4().hex[:6]}@{world.slug}.example.com"


@pytest.mark.parametrize(("password", "why"), REFUSED)
def test_the_rule_names_why_a_password_is_refused(password: str, why: str) -> None:
    email = "ravi.kumar@acme.example.com"
    found = passwords.problem(password, email=email, full_name=NAME)
    assert found is not None
    assert found.startswith(why), found


@pytest.mark.parametrize("password", ACCEPTED)
def test_strong_passwords_pass(password: str) -> None:
    assert passwords.problem(password, email="ravi.kumar@acme.example.com", full_name=NAME) is None


def test_the_api_refuses_weak_passwords_for_a_new_user(world: TenantWorld) -> None:
    api = world.admin
    before = api.ok("GET", USERS)
    for password, why in REFUSED:
        email = f"ravi.kumar@{world.slug}.example.com"
        body = {"email": email, "full_name": NAME, "password": password, "role": "sales_rep"}
        response = api.post(USERS, json=body)
        assert response.status_code == 422, (password, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["detail"].startswith(why), (password, response.json())
        assert response.json()["errors"][0]["loc"] == ["body", "password"]
    assert api.ok("GET", USERS) == before  # nothing written
    email = _email(world)
    body = {"email": email, "full_name": NAME, "password": "kx7!fjq-22Ld", "role": "sales_rep"}
    api.ok("POST", USERS, 201, json=body)
    assert login(api.http, world.slug, email, "kx7!fjq-22Ld").status_code == 200


def test_the_api_refuses_a_weak_new_password_and_keeps_the_old_one(world: TenantWorld) -> None:
    api, rep = world.admin, world.rep
    local = rep.email.split("@")[0]
    for password in ("aaaaaaaaaa", "1234567890", f"{local}2024", rep.email):
        response = api.patch(f"{USERS}/{rep.user_id}", json={"password": password})
        assert response.status_code == 422, (password, response.text)
        assert response.json()["detail"]
    # A new name comes with the new password: the password is checked against it too.
    renamed = {"full_name": "Priya Sharma", "password": "priyasharma99"}
    assert api.patch(f"{USERS}/{rep.user_id}", json=renamed).status_code == 422
    assert login(api.http, world.slug, rep.email, PASSWORD).status_code == 200
    api.ok("PATCH", f"{USERS}/{rep.user_id}", json={"password": "sea-view-tower-17"})
    assert login(api.http, world.slug, rep.email, "sea-view-tower-17").status_code == 200


def test_the_command_line_refuses_a_weak_password(cli: Cli, world: TenantWorld) -> None:
    email = _email(world)
    for password in ("aaaaaaaaaa", "password123", email):
        args = ("create-user", "--tenant", world.slug, "--email", email, "--role", "viewer")
        result = cli.run(*args, "--password", password)
        assert result.returncode != 0, result.stdout
        assert "Error: this password" in result.stderr, result.stderr
        assert "Traceback" not in result.stderr
    assert email not in [u["email"] for u in world.admin.ok("GET", USERS)]
