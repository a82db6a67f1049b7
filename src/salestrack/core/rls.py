"""Row-level security on PostgreSQL: policies on every tenant table, and the app's role.

``apply_row_level_security`` runs after every ``salestrack migrate`` (as the owner), so a
table a later migration adds is covered without anyone remembering to: every table of the
schema with a ``tenant_id`` column gets ROW LEVEL SECURITY enabled and forced (the owner is
bound too) and a ``tenant_isolation`` policy whose USING and WITH CHECK both compare
``tenant_id`` with the transaction's ``app.tenant_id`` (see ``salestrack.core.tenancy``). With no
tenant set the comparison is with NULL, so nothing is visible and nothing can be written.

The app connects as a separate role (``SALESTRACK_APP_DB_ROLE``) that owns nothing, cannot
bypass row security and may only read and write rows: created here if missing.
"""

from __future__ import annotations

import re

from sqlalchemy import Connection, Engine, text

from salestrack.core.tenancy import SETTING

POLICY = "tenant_isolation"
TENANT_CONDITION = f"tenant_id = NULLIF(current_setting('{SETTING}', true), '')::uuid"
# Tables without ``tenant_id`` the app role may also add rows to (the worker's directory of
# tenants, ``core.jobs``: tenant ids only); every other such table it may only read.
SHARED_INSERTS = frozenset({"worker_tenants"})
_ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class RowSecurityError(RuntimeError):
    """The database cannot be given the isolation salestrack promises."""


def quote_ident(name: str) -> str:
    """A role name checked against a strict pattern, then double-quoted."""
    if not _ROLE_NAME.match(name):
        raise RowSecurityError(f"database role name {name!r} must match {_ROLE_NAME.pattern}")
    return f'"{name}"'


def _schema_tables(connection: Connection) -> tuple[list[str], list[str]]:
    """(tables with ``tenant_id``, other tables) of the current schema."""
    rows = connection.execute(
        text(
            "SELECT c.relname, EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid"
            " AND a.attname = 'tenant_id' AND NOT a.attisdropped)"
            " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')"
            " ORDER BY c.relname"
        )
    ).all()
    return [r[0] for r in rows if r[1]], [r[0] for r in rows if not r[1]]


def _ensure_role(connection: Connection, role: str) -> None:
    quoted = quote_ident(role)
    # Role names are cluster-wide and migrations may run concurrently: create, tolerate a race.
    connection.exec_driver_sql(
        "DO $$ BEGIN "
        f"CREATE ROLE {quoted} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE; "
        "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$"
    )
    row = connection.execute(
        text("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = :role"),
        {"role": role},
    ).one()
    if row.rolsuper or row.rolbypassrls:
        raise RowSecurityError(f"role {role} is a superuser or may bypass row-level security")
    if connection.execute(text("SELECT current_user")).scalar_one() == role:
        raise RowSecurityError(f"the app role {role} must not be the role that owns the tables")


def apply_row_level_security(connection: Connection, *, app_role: str) -> list[str]:
    """Policies on every tenant table and grants for ``app_role``; safe to run again.

    Returns the tenant tables covered. Tables without ``tenant_id`` (Alembic's version table,
    the worker's tenant directory) are readable by the app role; it may add rows to those in
    ``SHARED_INSERTS`` and nothing more.
    """
    _ensure_role(connection, app_role)
    role = quote_ident(app_role)
    schema = connection.execute(text("SELECT current_schema()")).scalar_one()
    tenant_tables, other_tables = _schema_tables(connection)
    connection.exec_driver_sql(f'GRANT USAGE ON SCHEMA "{schema}" TO {role}')
    for table in tenant_tables:
        connection.exec_driver_sql(f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY')
        connection.exec_driver_sql(f'ALTER TABLE "{table}" FORCE ROW LEVEL SECURITY')
        connection.exec_driver_sql(f'DROP POLICY IF EXISTS {POLICY} ON "{table}"')
        connection.exec_driver_sql(
            f'CREATE POLICY {POLICY} ON "{table}" '
            f"USING ({TENANT_CONDITION}) WITH CHECK ({TENANT_CONDITION})"
        )
        connection.exec_driver_sql(f'GRANT SELECT, INSERT, UPDATE, DELETE ON "{table}" TO {role}')
    for table in other_tables:
        connection.exec_driver_sql(f'REVOKE ALL ON "{table}" FROM {role}')
        rights = "SELECT, INSERT" if table in SHARED_INSERTS else "SELECT"
        connection.exec_driver_sql(f'GRANT {rights} ON "{table}" TO {role}')
    return tenant_tables


def connected_role_problems(engine: Engine) -> list[str]:
    """Why the role ``engine`` connects as could see past row-level security (none: [])."""
    if engine.dialect.name != "postgresql":
        return []
    with engine.connect() as connection:
        role = connection.execute(
            text(
                "SELECT rolname, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user"
            )
        ).one()
        owned = connection.execute(
            text(
                "SELECT count(*) FROM pg_tables"
                " WHERE schemaname = current_schema() AND tableowner = current_user"
            )
        ).scalar_one()
    problems = []
    if role.rolsuper:
        problems.append(f"role {role.rolname} is a superuser (bypasses row-level security)")
    elif role.rolbypassrls:
        problems.append(f"role {role.rolname} has BYPASSRLS")
    if owned:
        problems.append(f"role {role.rolname} owns {owned} table(s)")
    return problems
