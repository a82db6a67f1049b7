"""Applying and checking Alembic migrations from code (the CLI, the app's start-up, tests)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, pool

from salestrack.core.citus import Distribution, distribute_tenant_tables
from salestrack.core.rls import apply_row_level_security

MIGRATIONS_DIR = Path(__file__).parent.parent / "migrations"


class NotMigrated(RuntimeError):
    """The database schema is not the one this code was written for."""


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(
    database_url: str, revision: str = "head", *, app_role: str = "salestrack_app"
) -> Distribution | None:
    """Apply migrations as the owner; on PostgreSQL then (re)apply row-level security, and
    on a Citus coordinator distribute the tenant tables (``salestrack.core.citus``).

    Running the RLS and Citus steps after every upgrade covers tables later migrations add.
    Returns what the Citus step did (None without Citus).
    """
    command.upgrade(alembic_config(database_url), revision)
    if not database_url.startswith("postgresql"):
        return None
    engine = create_engine(database_url, poolclass=pool.NullPool)
    try:
        with engine.begin() as connection:
            apply_row_level_security(connection, app_role=app_role)
        return distribute_tenant_tables(engine, app_role=app_role)
    finally:
        engine.dispose()


def head_revision() -> str | None:
    return ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def ensure_migrated(engine: Engine) -> None:
    """Refuse to serve a database whose schema is behind (or ahead of) this code."""
    current, head = current_revision(engine), head_revision()
    if current != head:
        raise NotMigrated(
            f"database schema is at {current or 'nothing (empty database)'}, this version "
            f"needs {head}: run `salestrack migrate` first"
        )
