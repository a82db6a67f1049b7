"""Every test runs on SQLite and on PostgreSQL, each with a freshly migrated schema.

Tests isolate themselves by tenant: each one builds its own tenants through the public
services and API, so no test sees another's rows (which is the product's promise too).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from salestrack import wiring
from salestrack.app import create_app
from salestrack.core import migrate
from salestrack.core.config import Settings
from salestrack.core.db import make_engine
from tests.databases import (
    BACKENDS,
    CITUS_SHARD_COUNT,
    ON_CITUS,
    TEST_APP_ROLE,
    app_role_url,
    empty_database,
)
from tests.support import ApiClient, TenantWorld, build_tenant


def pytest_report_header() -> str:
    """Say up front whether the PostgreSQL leg runs on Citus (and the Citus tests with it)."""
    if ON_CITUS:
        return (
            f"citus: PostgreSQL leg on the coordinator at SALESTRACK_TEST_CITUS_URL, schema "
            f"distributed in {CITUS_SHARD_COUNT} shards, multi-shard queries are errors"
        )
    return "citus: off, Citus tests skipped (set SALESTRACK_TEST_CITUS_URL, see docs/citus.md)"


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A migrated database shared by the session's tests (they isolate by tenant).

    This is the owner's URL; the app connects with ``settings.database_url`` (the app role).
    """
    with empty_database(request.param, tmp_path_factory.mktemp("db")) as url:
        migrate.upgrade(url, app_role=TEST_APP_ROLE)
        yield url


@pytest.fixture(scope="session")
def settings(database_url: str) -> Settings:
    return Settings(
        env="test",
        database_url=app_role_url(database_url),
        migration_database_url=database_url,
        app_db_role=TEST_APP_ROLE,
        secret_key="test-secret-key-that-is-long-enough-0123456789",
        argon2_time_cost=1,
        argon2_memory_kib=1024,
        argon2_parallelism=1,
    )


@pytest.fixture(scope="session")
def engine(settings: Settings) -> Iterator[Engine]:
    engine = make_engine(settings.database_url, pool_size=20)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def app(settings: Settings, engine: Engine) -> FastAPI:
    return create_app(settings, engine=engine)


@pytest.fixture(scope="session")
def http(app: FastAPI) -> Iterator[TestClient]:
    """One client, one event loop for the whole run, as a server process has."""
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


@pytest.fixture(scope="session")
def session_factory(engine: Engine) -> sessionmaker[Session]:
    return wiring.session_factory(engine)


@pytest.fixture(autouse=True)
def _postgres_only(request: pytest.FixtureRequest) -> None:
    """Tests marked ``postgres_only`` run once, on PostgreSQL (skipped on the SQLite leg)."""
    if request.node.get_closest_marker("postgres_only") is None:
        return
    callspec = getattr(request.node, "callspec", None)
    backend = callspec.params.get("database_url") if callspec else None
    if backend is None and "postgresql" not in BACKENDS:
        pytest.skip("PostgreSQL is not among SALESTRACK_TEST_BACKENDS")
    if backend is not None and backend != "postgresql":
        pytest.skip("PostgreSQL only")


@pytest.fixture
def backend(database_url: str) -> str:
    return "sqlite" if database_url.startswith("sqlite") else "postgresql"


@pytest.fixture
def world(http: TestClient, session_factory: sessionmaker[Session]) -> TenantWorld:
    """A fresh tenant with one logged-in user per role."""
    return build_tenant(http, session_factory)


@pytest.fixture
def other_world(http: TestClient, session_factory: sessionmaker[Session]) -> TenantWorld:
    """A second, unrelated tenant, for isolation tests."""
    return build_tenant(http, session_factory)


@pytest.fixture
def api(world: TenantWorld) -> ApiClient:
    """The first tenant's admin."""
    return world.admin


# Counts of the security suites (probes sent, leaks; fuzz cases, failures) in the summary.
from tests.security.tally import (  # noqa: E402
    pytest_sessionfinish,
    pytest_terminal_summary,
    pytest_testnodedown,
)

__all__ = ["pytest_sessionfinish", "pytest_terminal_summary", "pytest_testnodedown"]
