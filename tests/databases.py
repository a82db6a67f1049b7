"""Empty test databases: a SQLite file, or a fresh schema in the local PostgreSQL.

On CI (CI=true) PostgreSQL must be reachable: the run fails instead of skipping it.
On PostgreSQL the schema is migrated as the owner (root) and the app under test connects
as ``TEST_APP_ROLE`` (no ownership, no BYPASSRLS), as production does, so row-level
security is in force for every test. Roles are cluster-wide: migrations create it if
missing and grant it rights on their own schema only. Every PostgreSQL connection of the
tests cancels a statement after ``STATEMENT_TIMEOUT_MS``, so a hang fails its test instead
of stalling the run.

Citus mode: with ``SALESTRACK_TEST_CITUS_URL`` (a Citus coordinator, e.g. the one
``scripts/citus-dev.sh`` starts) the PostgreSQL leg runs there instead. ``salestrack
migrate`` distributes the test schema (4 shards per table) and the app role's connections
run with ``citus.multi_task_query_log_level = 'error'``: any query that is not routed to
a single shard (one tenant) fails the test that made it.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.exc import OperationalError

CITUS_URL = os.environ.get("SALESTRACK_TEST_CITUS_URL", "")
ON_CITUS = bool(CITUS_URL)
PG_ADMIN_URL = CITUS_URL or os.environ.get(
    "SALESTRACK_TEST_PG_URL", "postgresql+psycopg://root@127.0.0.1:5432/test"
)
ON_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
STATEMENT_TIMEOUT_MS = 30_000
CITUS_SHARD_COUNT = 4
# libpq ``options`` of every test connection (the owner's and the app role's).
_SESSION_OPTIONS = [f"statement_timeout={STATEMENT_TIMEOUT_MS}"]
if ON_CITUS:
    _SESSION_OPTIONS.append(f"citus.shard_count={CITUS_SHARD_COUNT}")
# Only the app role: migrations and DDL legitimately touch every shard.
APP_ROLE_OPTIONS = ["citus.multi_task_query_log_level=error"] if ON_CITUS else []
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
    return schema, _with_options(PG_ADMIN_URL, [f"search_path={schema}", *_SESSION_OPTIONS])


def _with_options(url: str, settings: list[str]) -> str:
    """``url`` whose connections start with these ``name=value`` settings (libpq options)."""
    options = " ".join(f"-c{setting}" for setting in settings)
    return (
        make_url(url).update_query_dict({"options": options}).render_as_string(hide_password=False)
    )


def _drop_pg_schema(schema: str) -> None:
    """Drop a test's schema; a deadlock with another session's locks (the other test worker
    may be running DDL or ANALYZE at that moment) is retried, as PostgreSQL advises."""
    admin = create_engine(PG_ADMIN_URL)
    try:
        for attempt in range(3):
            try:
                with admin.begin() as connection:
                    connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
                return
            except OperationalError as exc:
                if attempt == 2 or "deadlock detected" not in str(exc):
                    raise
    finally:
        admin.dispose()


def app_role_url(url: str, role: str = TEST_APP_ROLE, *, single_shard_only: bool = True) -> str:
    """The same database reached as ``role`` (trust authentication on localhost).

    On Citus its queries must each route to one shard, unless ``single_shard_only`` is
    False: only for tests that query without a tenant filter on purpose (the row-level
    security probes), to show what a forgetful query would see.
    """
    if not url.startswith("postgresql"):
        return url
    parsed = make_url(url).set(username=role, password=None)
    if APP_ROLE_OPTIONS and single_shard_only:
        options = " ".join(
            [str(parsed.query.get("options", ""))] + [f"-c{o}" for o in APP_ROLE_OPTIONS]
        )
        parsed = parsed.update_query_dict({"options": options.strip()})
    return parsed.render_as_string(hide_password=False)


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
