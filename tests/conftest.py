"""Every test runs on SQLite and on PostgreSQL, each with a freshly migrated schema.

Tests isolate themselves by tenant: each one builds its own tenants through the public
services and API, so no test sees another's rows (which is the product's promise too).
On CI (CI=true) PostgreSQL must be reachable: the run fails instead of skipping it.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session, sessionmaker

from salestrack import migrate
from salestrack.app import create_app
from salestrack.config import Settings
from salestrack.db import make_engine, make_session_factory
from tests.support import ApiClient, TenantWorld, build_tenant

PG_ADMIN_URL = os.environ.get(
    "SALESTRACK_TEST_PG_URL", "postgresql+psycopg://root@127.0.0.1:5432/test"
)
ON_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
BACKENDS = [
    b for b in os.environ.get("SALESTRACK_TEST_BACKENDS", "sqlite,postgresql").split(",") if b
]


def _fresh_pg_schema() -> tuple[str, str]:
    schema = f"st_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_ADMIN_URL)
    try:
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:
        message = f"PostgreSQL at {PG_ADMIN_URL} is unreachable: {exc}"
        if ON_CI:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    finally:
        admin.dispose()
    separator = "&" if "?" in PG_ADMIN_URL else "?"
    return schema, f"{PG_ADMIN_URL}{separator}options=-csearch_path%3D{schema}"


def _drop_pg_schema(schema: str) -> None:
    admin = create_engine(PG_ADMIN_URL)
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A migrated database: a SQLite file, or a new schema in the local PostgreSQL."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'salestrack.db'}"
        migrate.upgrade(url)
        yield url
        return
    schema, url = _fresh_pg_schema()
    try:
        migrate.upgrade(url)
        yield url
    finally:
        _drop_pg_schema(schema)


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
