"""Production wiring: migrate as the owner, serve as the app role, refuse to serve as owner."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from sqlalchemy import make_url

from salestrack.app import create_app
from salestrack.cli import main
from salestrack.core.config import ConfigurationError, get_settings
from tests.databases import TEST_APP_ROLE, app_role_url, empty_database
from tests.support import login


@pytest.fixture
def owner_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """An empty PostgreSQL schema; the app configured with the app role, migrate with owner."""
    with empty_database("postgresql", tmp_path) as url:
        monkeypatch.setenv("SALESTRACK_ENV", "production")
        monkeypatch.setenv("SALESTRACK_DATABASE_URL", app_role_url(url))
        monkeypatch.setenv("SALESTRACK_MIGRATION_DATABASE_URL", url)
        monkeypatch.setenv("SALESTRACK_APP_DB_ROLE", TEST_APP_ROLE)
        monkeypatch.setenv("SALESTRACK_SECRET_KEY", "roles-test-secret-key-0123456789-abcdefgh")
        monkeypatch.setenv("SALESTRACK_ARGON2_TIME_COST", "1")
        monkeypatch.setenv("SALESTRACK_ARGON2_MEMORY_KIB", "1024")
        monkeypatch.setenv("SALESTRACK_ARGON2_PARALLELISM", "1")
        get_settings.cache_clear()
        yield url
        get_settings.cache_clear()


def _run(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.postgres_only
def test_migrate_and_admin_as_owner_serve_as_app_role(owner_url: str) -> None:
    _run("migrate")
    _run("migrate")  # applying row-level security again is harmless
    _run("create-tenant", "acme", "--name", "Acme")
    _run(
        "create-user",
        *("--tenant", "acme", "--email", "boss@acme.example.com", "--role", "admin"),
        *("--password", "a long password"),
    )
    app = create_app(get_settings())  # production: the app role passes the role check
    try:
        client = TestClient(app)
        assert client.get("/readyz").status_code == 200
        token = login(client, "acme", "boss@acme.example.com", "a long password")
        assert token.status_code == 200, token.text
        headers = {"Authorization": f"Bearer {token.json()['access_token']}", "X-Tenant-ID": "acme"}
        created = client.post("/api/v1/sales/leads", json={"name": "Via app role"}, headers=headers)
        assert created.status_code == 201, created.text
        with app.state.engine.connect() as connection:
            assert connection.exec_driver_sql("SELECT current_user").scalar() == TEST_APP_ROLE
    finally:
        app.state.engine.dispose()


@pytest.mark.postgres_only
def test_production_refuses_to_serve_as_a_role_that_bypasses_rls(
    owner_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _run("migrate")
    monkeypatch.setenv("SALESTRACK_DATABASE_URL", owner_url)  # the superuser owner
    get_settings.cache_clear()
    with pytest.raises(ConfigurationError, match="bypass row-level security"):
        create_app(get_settings())


@pytest.mark.postgres_only
def test_migrate_refuses_a_superuser_as_the_app_role(
    owner_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    owner = make_url(owner_url).username  # the superuser the tests migrate as
    assert owner is not None
    monkeypatch.setenv("SALESTRACK_APP_DB_ROLE", owner)
    get_settings.cache_clear()
    result = CliRunner().invoke(main, ["migrate"])
    assert result.exit_code != 0
    assert "bypass row-level security" in result.output
