"""The schema can be distributed by tenant: tenant_id leads every key; models match migrations."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, ForeignKeyConstraint, PrimaryKeyConstraint, UniqueConstraint

from salestrack.core.rls import SHARED_INSERTS
from salestrack.models import metadata

# The one deliberate exception: the worker's directory of tenants (``core.jobs``) lists
# tenant ids and nothing else, outside row-level security, so the worker can find the
# tenants it must visit. Any other column there would be data seen across tenants.
CROSS_TENANT_COLUMNS = {"worker_tenants": {"tenant", "enlisted_at"}}


def _constraint_columns(table_name: str) -> list[tuple[str, list[str]]]:
    table = metadata.tables[table_name]
    found: list[tuple[str, list[str]]] = []
    for constraint in table.constraints:
        if isinstance(constraint, PrimaryKeyConstraint | UniqueConstraint | ForeignKeyConstraint):
            found.append((type(constraint).__name__, [c.name for c in constraint.columns]))
    for index in table.indexes:
        if index.unique:
            found.append(("unique index", [c.name for c in index.columns]))
    return found


def test_every_table_is_keyed_by_tenant_first() -> None:
    offenders = []
    for name, table in metadata.tables.items():
        if name in CROSS_TENANT_COLUMNS:
            assert {c.name for c in table.columns} == CROSS_TENANT_COLUMNS[name], name
            continue
        if "tenant_id" not in table.columns:
            offenders.append(f"{name}: no tenant_id column")
        for kind, columns in _constraint_columns(name):
            if not columns or columns[0] != "tenant_id":
                offenders.append(f"{name}: {kind} {columns} does not start with tenant_id")
    assert offenders == []


def test_the_only_tables_outside_tenancy_are_the_known_ones() -> None:
    outside = {n for n, t in metadata.tables.items() if "tenant_id" not in t.columns}
    assert outside == set(CROSS_TENANT_COLUMNS) == set(SHARED_INSERTS)


def test_foreign_keys_point_at_tenant_keyed_targets() -> None:
    for table in metadata.tables.values():
        for fk in table.foreign_key_constraints:
            targets = [element.column.name for element in fk.elements]
            assert targets[0] == "tenant_id", f"{table.name}: {fk.name} -> {targets}"


def test_keys_are_uuids_not_identity_columns() -> None:
    for table in metadata.tables.values():
        for column in table.primary_key.columns:
            assert column.autoincrement in (False, "auto")
            assert not column.identity, f"{table.name}.{column.name} is an identity column"
            if column.name in ("id", "tenant_id"):
                assert column.type.python_type.__name__ == "UUID"


def test_migrations_match_the_models(engine: Engine) -> None:
    """`alembic check`: a model change without its migration fails here, on both databases."""
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, metadata) == []
