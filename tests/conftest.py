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

from salestrack import migrate
from salestrack.app import create_app
from salestrack.config import Settings
from salestrack.db import make_engine, make_session_factory
from tests.databases import BACKENDS, empty_database
from tests.support import ApiClient, TenantWorld, build_tenant


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A migrated database shared by the session's tests (they isolate by tenant)."""
    with empty_database(request.param, tmp_path_factory.mktemp("db")) as url:
        migrate.upgrade(url)
        yield url


@pytest.fixture(scope="session")
def settings(database_url: str) -> Settings:
    return Settings(
        env="test",
        database_url=database_url,
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
def http(app: FastAPI) -> TestClient:
    return TestClient(app, raise_server_exceptions=False)


@pytest.fixture(scope="session")
def session_factory(engine: Engine) -> sessionmaker[Session]:
    return make_session_factory(engine)


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
