"""Empty test databases: a SQLite file, or a fresh schema in the local PostgreSQL.

On CI (CI=true) PostgreSQL must be reachable: the run fails instead of skipping it.
On PostgreSQL the schema is migrated as the owner (root) and the app under test connects
as ``TEST_APP_ROLE`` (no ownership, no BYPASSRLS), as production does, so row-level
security is in force for every test. Roles are cluster-wide: migrations create it if
missing and grant it rights on their own schema only.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text

PG_ADMIN_URL = os.environ.get(
    "SALESTRACK_TEST_PG_URL", "postgresql+psycopg://root@127.0.0.1:5432/test"
)
ON_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
TEST_APP_ROLE = "salestrack_test_app"
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


def app_role_url(url: str, role: str = TEST_APP_ROLE) -> str:
    """The same database reached as ``role`` (trust authentication on localhost)."""
    if not url.startswith("postgresql"):
        return url
    return make_url(url).set(username=role, password=None).render_as_string(hide_password=False)


@contextmanager
def empty_database(backend: str, directory: Path) -> Iterator[str]:
    """The URL of an empty database of the given backend, removed afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{directory / f'salestrack-{uuid.uuid4().hex[:8]}.db'}"
        return
    schema, url = _fresh_pg_schema()
    try:
        yield url
    finally:
        _drop_pg_schema(schema)
