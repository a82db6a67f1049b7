"""The salestrack command and the app's refusal to start on a bad setup."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from salestrack.app import create_app
from salestrack.cli import main
from salestrack.core.config import ConfigurationError, Settings, get_settings
from salestrack.core.db import make_engine
from salestrack.core.migrate import NotMigrated
from tests.databases import BACKENDS, empty_database
from tests.support import login


@pytest.fixture(params=BACKENDS)
def fresh_db(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """An empty database, selected the way a user does it: by environment."""
    with empty_database(request.param, tmp_path) as url:
        yield from _configured(url, monkeypatch)


def _configured(url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("SALESTRACK_DATABASE_URL", url)
    monkeypatch.setenv("SALESTRACK_SECRET_KEY", "cli-test-secret-key-0123456789-abcdefgh")
    monkeypatch.setenv("SALESTRACK_ARGON2_TIME_COST", "1")
    monkeypatch.setenv("SALESTRACK_ARGON2_MEMORY_KIB", "1024")
    monkeypatch.setenv("SALESTRACK_ARGON2_PARALLELISM", "1")
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


def _run(*args: str, input: str | None = None) -> str:
    result = CliRunner().invoke(main, list(args), input=input)
    assert result.exit_code == 0, result.output
    return result.output


def test_an_unmigrated_database_is_refused_with_a_clear_message(fresh_db: str) -> None:
    with pytest.raises(NotMigrated, match="run `salestrack migrate`"):
        create_app(get_settings())
    result = CliRunner().invoke(main, ["serve"])
    assert result.exit_code != 0
    assert "salestrack migrate" in result.output


def test_production_without_a_secret_key_refuses_to_start(tmp_path: Path) -> None:
    settings = Settings(env="production", database_url=f"sqlite:///{tmp_path / 'p.db'}")
    with pytest.raises(ConfigurationError, match="SALESTRACK_SECRET_KEY"):
        create_app(settings)


def test_short_secret_keys_are_refused() -> None:
    with pytest.raises(ConfigurationError, match="at least 32"):
        Settings(secret_key="short", database_url="sqlite://").signing_key()


def test_migrate_tenant_user_and_login(fresh_db: str) -> None:
    assert "database at revision" in _run("migrate")
    assert "database at revision" in _run("migrate")  # idempotent
    assert "created tenant acme" in _run("create-tenant", "acme", "--name", "Acme Realty")
    refused = CliRunner().invoke(main, ["create-tenant", "acme", "--name", "Again"])
    assert refused.exit_code != 0
    assert "already exists" in refused.output
    out = _run(
        "create-user",
        "--tenant",
        "acme",
        "--email",
        "Boss@Acme.example.com",
        "--password",
        "a long password",
        "--role",
        "manager",
    )
    assert "created manager boss@acme.example.com in acme" in out
    weak = CliRunner().invoke(
        main,
        [
            "create-user",
            "--tenant",
            "acme",
            "--email",
            "x@acme.example.com",
            "--password",
            "short",
            "--role",
            "viewer",
        ],
    )
    assert weak.exit_code != 0
    app = create_app(get_settings())
    response = login(TestClient(app), "acme", "boss@acme.example.com", "a long password")
    assert response.status_code == 200
    app.state.engine.dispose()


def test_demo_is_created_once_and_its_login_works(
    fresh_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SALESTRACK_DEMO_LEADS", "60")  # `make run` loads 600
    _run("migrate")
    first, second = _run("demo"), _run("demo")
    assert "tenant: demo" in first
    assert first == second
    app = create_app(get_settings())
    client = TestClient(app)
    token = login(client, "demo", "admin@demo.example.com", "sea-view-tower-17").json()[
        "access_token"
    ]
    headers = {"Authorization": f"Bearer {token}", "X-Tenant-ID": "demo"}
    dashboard = client.get(
        "/api/v1/sales/reports/dashboard", params={"from": "2000-01-01"}, headers=headers
    ).json()
    assert dashboard["kpis"]["total_leads"]["value"] == 60  # not duplicated by the second run
    assert client.get("/docs").status_code == 200
    app.state.engine.dispose()


def test_seed_then_rebuild_reports(fresh_db: str) -> None:
    _run("migrate")
    assert "40 leads" in _run("seed", "--tenant", "bulk", "--leads", "40", "--quiet")
    assert "(40 leads)" in _run("rebuild-reports", "--tenant", "bulk")
    result = CliRunner().invoke(main, ["rebuild-reports", "--tenant", "nobody"])
    assert result.exit_code != 0
    assert "no tenant 'nobody'" in result.output


def test_engine_on_sqlite_enforces_foreign_keys(fresh_db: str) -> None:
    if not fresh_db.startswith("sqlite"):
        pytest.skip("a SQLite connection setting")
    engine = make_engine(fresh_db)
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    engine.dispose()
