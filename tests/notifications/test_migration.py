"""Upgrading past 0017 leaves every tenant listed once for the worker (whose scan raises
"follow-up due"; 0018 lists those that existed before), also under row-level security forced
on ``tenants``; 0019 (notifications, calendar feeds) reverses."""

from __future__ import annotations

import uuid
from pathlib import Path

from alembic import command
from sqlalchemy import text

from salestrack import wiring
from salestrack.auth import service as auth
from salestrack.core import migrate
from salestrack.core.db import make_engine, transaction
from tests.databases import TEST_APP_ROLE, empty_database


def test_existing_tenants_are_listed_and_the_migration_reverses(
    backend: str, tmp_path: Path
) -> None:
    """On a database of its own (the shared one stays at head)."""
    with empty_database(backend, tmp_path) as url:
        migrate.upgrade(url, "0017", app_role=TEST_APP_ROLE)  # RLS forced on PostgreSQL
        engine = make_engine(url)
        try:
            slug = f"m-{uuid.uuid4().hex[:8]}"
            with transaction(wiring.session_factory(engine)) as session:
                tenant_id = auth.create_tenant(session, slug=slug, name="Before 0019").tenant_id
            migrate.upgrade(url, app_role=TEST_APP_ROLE)
            with engine.connect() as connection:
                listed = connection.execute(text("SELECT tenant FROM worker_tenants")).scalars()
                assert [uuid.UUID(str(t)) for t in listed] == [tenant_id]
                if backend == "postgresql":  # forced again for the owner, as migrate left it
                    forced = connection.execute(
                        text(
                            "SELECT relforcerowsecurity FROM pg_class WHERE oid = 'tenants'::regclass"
                        )
                    ).scalar()
                    assert forced is True
            command.downgrade(migrate.alembic_config(url), "0017")
            with engine.connect() as connection:
                tables = connection.dialect.get_table_names(connection)
                assert "notifications" not in tables
                assert "calendar_feeds" not in tables
            migrate.upgrade(url, app_role=TEST_APP_ROLE)  # and up again: nothing listed twice
            with engine.connect() as connection:
                count = connection.execute(text("SELECT count(*) FROM worker_tenants")).scalar()
                assert count == 1
        finally:
            engine.dispose()
