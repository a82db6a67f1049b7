"""Distributing the schema on Citus, as the last step of ``salestrack migrate``.

Every tenant table is keyed by ``tenant_id`` first and joins only on tenant equality, so on
a Citus coordinator each one is hash-distributed by ``tenant_id`` and colocated with
``tenants``: all of a tenant's rows live on one worker, and every query the app makes
(always for one tenant) runs there whole. Tables are distributed in foreign-key order
(``tenants`` first: a distributed table may only reference distributed tables), each in a
transaction of its own, so a run that stops halfway is finished by the next. A table a later
migration adds is created local and distributed by the next ``migrate``; a tenant table
left local (or distributed otherwise) fails the command instead of going unnoticed.

A table without ``tenant_id`` (``worker_tenants``: the worker's list of tenants, read across
tenants) becomes a reference table, copied to every node: a local table on the coordinator
could not be written in a transaction that also writes a tenant's shards on a worker (as
creating a tenant does), and a query joining it with tenant tables could not be planned.
Reference tables are made first, since distributed tables may reference them but not the
other way round. Alembic's ``alembic_version`` stays local (only migrations read it).

Row-level security needs the transaction's ``app.tenant_id`` on the workers, where the
shards are. Citus forwards ``SET LOCAL`` only with ``citus.propagate_set_commands =
'local'``, so that is set, in this database, for the app role and for the owner (whose CLI
commands run under the same policies).

Without the ``citus`` extension nothing here runs (plain PostgreSQL, SQLite).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from graphlib import TopologicalSorter

from sqlalchemy import Connection, Engine, text

from salestrack.core.rls import quote_ident

ROOT_TABLE = "tenants"
DISTRIBUTION_COLUMN = "tenant_id"
LOCAL_TABLES = frozenset({"alembic_version"})
PROPAGATE_SET = ("citus.propagate_set_commands", "local")
_SETTING_NAME = re.compile(r"^[a-z_]+(\.[a-z_]+)?$")


class CitusError(RuntimeError):
    """The schema could not be distributed as salestrack needs it."""


@dataclass
class Distribution:
    """What a run did: tables distributed now, reference tables made now, and role
    settings added now."""

    distributed: list[str] = field(default_factory=list)
    settings: list[str] = field(default_factory=list)
    referenced: list[str] = field(default_factory=list)


def citus_installed(connection: Connection) -> bool:
    return bool(
        connection.execute(
            text("SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus')")
        ).scalar_one()
    )


def tenant_tables(connection: Connection) -> list[str]:
    """The current schema's tables with a ``tenant_id`` column, in foreign-key order:
    ``tenants`` first, every table after the tables it references."""
    graph = _reference_graph(connection, _tables(connection, with_tenant=True))
    if ROOT_TABLE in graph:
        for table in graph:
            if table != ROOT_TABLE:
                graph[table].add(ROOT_TABLE)
    return _stable_order(graph)


def shared_tables(connection: Connection) -> list[str]:
    """The current schema's tables without ``tenant_id`` (but ``alembic_version``), in
    foreign-key order: the ones to make reference tables.

    A table with a foreign key to a tenant table is left out (and local): Citus refuses a
    reference table that references a distributed one. At head there is none; before
    migration 0022 ``worker_tenants`` was one, so a database migrated to an older revision
    keeps it local, as it was then."""
    tenant = set(_tables(connection, with_tenant=True))
    tables = [t for t in _tables(connection, with_tenant=False) if t not in LOCAL_TABLES]
    graph = _reference_graph(connection, tables + sorted(tenant))
    kept = {t for t in tables if not graph[t] & tenant}
    return _stable_order({t: graph[t] & kept for t in kept})


def _tables(connection: Connection, *, with_tenant: bool) -> list[str]:
    """The current schema's tables that have (or lack) a ``tenant_id`` column."""
    return list(
        connection.execute(
            text(
                "SELECT c.relname FROM pg_class c"
                " JOIN pg_namespace n ON n.oid = c.relnamespace"
                " WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')"
                " AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid"
                "  AND a.attname = :column AND NOT a.attisdropped) = :with_tenant"
            ),
            {"column": DISTRIBUTION_COLUMN, "with_tenant": with_tenant},
        ).scalars()
    )


def _reference_graph(connection: Connection, tables: list[str]) -> dict[str, set[str]]:
    """``tables``, each with those of ``tables`` its foreign keys reference."""
    graph: dict[str, set[str]] = {table: set() for table in tables}
    references = connection.execute(
        text(
            "SELECT child.relname, parent.relname FROM pg_constraint k"
            " JOIN pg_class child ON child.oid = k.conrelid"
            " JOIN pg_class parent ON parent.oid = k.confrelid"
            " JOIN pg_namespace n ON n.oid = child.relnamespace"
            " WHERE k.contype = 'f' AND n.nspname = current_schema()"
        )
    ).all()
    for child, parent in references:
        if child in graph and parent in graph and child != parent:
            graph[child].add(parent)
    return graph


def _stable_order(graph: dict[str, set[str]]) -> list[str]:
    """Topological order, alphabetical among tables that are ready together (reproducible)."""
    sorter = TopologicalSorter(graph)
    sorter.prepare()
    order: list[str] = []
    while sorter.is_active():
        ready = sorted(sorter.get_ready())
        order.extend(ready)
        sorter.done(*ready)
    return order


def distributed_by(connection: Connection) -> dict[str, str | None]:
    """Distributed tables of the current schema and the column each is hashed by (None for
    reference and schema-local tables, which have none)."""
    rows = connection.execute(
        text(
            "SELECT c.relname, CASE WHEN p.partmethod = 'h'"
            " THEN column_to_column_name(p.logicalrelid, p.partkey) END"
            " FROM pg_dist_partition p JOIN pg_class c ON c.oid = p.logicalrelid"
            " JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = current_schema()"
        )
    ).all()
    return {str(name): column for name, column in rows}


def reference_tables(connection: Connection) -> set[str]:
    """The current schema's reference tables (not distributed by a column, replicated to
    every node)."""
    return set(
        connection.execute(
            text(
                "SELECT c.relname FROM pg_dist_partition p"
                " JOIN pg_class c ON c.oid = p.logicalrelid"
                " JOIN pg_namespace n ON n.oid = c.relnamespace"
                " WHERE n.nspname = current_schema() AND p.partmethod = 'n'"
                " AND p.repmodel = 't'"
            )
        ).scalars()
    )


def _qualified(connection: Connection, table: str) -> str:
    """``schema.table`` quoted by the server, as ``create_distributed_table`` reads it."""
    return str(
        connection.execute(
            text("SELECT format('%I.%I', current_schema(), CAST(:table AS text))"),
            {"table": table},
        ).scalar_one()
    )


def _distribute(engine: Engine, table: str) -> None:
    with engine.begin() as connection:
        colocate = "default" if table == ROOT_TABLE else _qualified(connection, ROOT_TABLE)
        connection.execute(
            text(
                "SELECT create_distributed_table(CAST(:table AS regclass), :column,"
                " colocate_with => :colocate)"
            ),
            {
                "table": _qualified(connection, table),
                "column": DISTRIBUTION_COLUMN,
                "colocate": colocate,
            },
        )


def _make_reference(engine: Engine, table: str) -> None:
    with engine.begin() as connection:
        connection.execute(
            text("SELECT create_reference_table(CAST(:table AS regclass))"),
            {"table": _qualified(connection, table)},
        )


def set_role_default(connection: Connection, role: str, setting: str, value: str) -> bool:
    """``ALTER ROLE role IN DATABASE <this one> SET setting = value`` unless already so;
    True when it changed. ``role`` may be ``CURRENT_USER``; ``setting`` is a name from code
    (checked), ``value`` a constant (quoted as a literal)."""
    if not _SETTING_NAME.match(setting):
        raise CitusError(f"unexpected setting name {setting!r}")
    current = connection.execute(
        text(
            "SELECT s.setconfig FROM pg_db_role_setting s"
            " JOIN pg_database d ON d.oid = s.setdatabase AND d.datname = current_database()"
            " JOIN pg_roles r ON r.oid = s.setrole"
            " AND r.rolname = CASE WHEN :role = 'CURRENT_USER' THEN current_user ELSE :role END"
        ),
        {"role": role},
    ).scalar_one_or_none()
    if f"{setting}={value}" in (current or []):
        return False
    target = "CURRENT_USER" if role == "CURRENT_USER" else quote_ident(role)
    database = connection.execute(text("SELECT quote_ident(current_database())")).scalar_one()
    literal = value.replace("'", "''")
    connection.exec_driver_sql(
        f"ALTER ROLE {target} IN DATABASE {database} SET {setting} = '{literal}'"
    )
    return True


def distribute_tenant_tables(engine: Engine, *, app_role: str) -> Distribution | None:
    """Make every table without ``tenant_id`` a reference table and distribute every tenant
    table, those not yet done, and set what the roles need; None when the database has no
    Citus. Running it again changes nothing."""
    with engine.connect() as connection:
        if not citus_installed(connection):
            return None
        shared = shared_tables(connection)
        order = tenant_tables(connection)
        done = distributed_by(connection)
    result = Distribution()
    for table in shared:
        if table not in done:
            _make_reference(engine, table)
            result.referenced.append(table)
    for table in order:
        if table not in done:
            _distribute(engine, table)
            result.distributed.append(table)
    with engine.begin() as connection:
        owner = connection.execute(text("SELECT current_user")).scalar_one()
        for role, name in ((app_role, app_role), ("CURRENT_USER", owner)):
            if set_role_default(connection, role, *PROPAGATE_SET):
                result.settings.append(f"{name}: {PROPAGATE_SET[0]} = {PROPAGATE_SET[1]}")
        _check(connection, order, shared)
    return result


def _check(connection: Connection, tables: list[str], shared: list[str]) -> None:
    """Fail when a tenant table is local, or distributed other than by ``tenant_id``, or a
    table without ``tenant_id`` is anything but a reference table."""
    done = distributed_by(connection)
    wrong = [t for t in tables if done.get(t, "") != DISTRIBUTION_COLUMN]
    if wrong:
        raise CitusError(
            "tenant tables not distributed by tenant_id on this Citus database: "
            + ", ".join(sorted(wrong))
        )
    references = reference_tables(connection)
    not_reference = [t for t in shared if t not in references]
    if not_reference:
        raise CitusError(
            "tables without tenant_id that are not reference tables on this Citus database: "
            + ", ".join(sorted(not_reference))
        )
