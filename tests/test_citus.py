"""``salestrack migrate`` on Citus: every tenant table distributed by tenant, and the test mode.

The Citus tests need a coordinator (``SALESTRACK_TEST_CITUS_URL``, e.g. from
``scripts/citus-dev.sh``); without one they are skipped with a notice. The rest run on plain
PostgreSQL and SQLite, where the Citus step must change nothing.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest
from sqlalchemy import Connection, Engine, create_engine, make_url, pool, text
from sqlalchemy.exc import DatabaseError

from salestrack.auth.roles import Role
from salestrack.core import citus, migrate
from salestrack.core.config import Settings
from salestrack.core.db import make_loop_engine
from salestrack.core.rls import SHARED_INSERTS
from salestrack.core.tenancy import set_local_statement
from salestrack.models import metadata
from tests.databases import CITUS_SHARD_COUNT, ON_CITUS, TEST_APP_ROLE
from tests.support import TenantWorld

needs_citus = pytest.mark.skipif(
    not ON_CITUS,
    reason="Citus mode is off: set SALESTRACK_TEST_CITUS_URL to a Citus coordinator "
    "(scripts/citus-dev.sh starts one)",
)


@pytest.fixture
def owner_engine(database_url: str) -> Iterator[Engine]:
    engine = create_engine(database_url, poolclass=pool.NullPool)
    yield engine
    engine.dispose()


@pytest.fixture
def owner(owner_engine: Engine) -> Iterator[Connection]:
    with owner_engine.connect() as connection:
        yield connection


@pytest.mark.postgres_only
def test_tables_are_ordered_tenants_first_and_after_every_table_they_reference(
    owner: Connection,
) -> None:
    order = citus.tenant_tables(owner)
    assert order[0] == "tenants"
    # Every table of the models but the shared list of tenants the worker visits (no
    # tenant_id: a reference table on Citus, below), nothing else.
    assert set(order) == set(metadata.tables) - SHARED_INSERTS
    assert set(citus.shared_tables(owner)) == SHARED_INSERTS
    for table in (metadata.tables[name] for name in order):
        for key in table.foreign_key_constraints:
            parent = key.referred_table.name
            if parent != table.name:
                assert order.index(parent) < order.index(table.name), (table.name, parent)


def test_migrate_without_citus_distributes_nothing(database_url: str, backend: str) -> None:
    if backend == "postgresql" and ON_CITUS:
        pytest.skip("this database is a Citus coordinator")
    assert migrate.upgrade(database_url, app_role=TEST_APP_ROLE) is None


@needs_citus
@pytest.mark.postgres_only
def test_every_tenant_table_is_distributed_by_tenant_id_colocated_with_tenants(
    owner: Connection,
) -> None:
    rows = owner.execute(
        text(
            "SELECT c.relname, column_to_column_name(p.logicalrelid, p.partkey),"
            " p.colocationid, (SELECT count(*) FROM pg_dist_shard s"
            "  WHERE s.logicalrelid = p.logicalrelid)"
            " FROM pg_dist_partition p JOIN pg_class c ON c.oid = p.logicalrelid"
            " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema()"
        )
    ).all()
    by_table = {name: (column, group, shards) for name, column, group, shards in rows}
    assert set(by_table) == set(metadata.tables)
    tenants_group = by_table["tenants"][1]
    tenant_tables = set(by_table) - SHARED_INSERTS
    for table in sorted(tenant_tables):
        column, group, shards = by_table[table]
        assert (column, group, shards) == ("tenant_id", tenants_group, CITUS_SHARD_COUNT), table
    # The worker's list of tenants (no tenant_id) is a reference table: one shard, on
    # every node.
    assert citus.reference_tables(owner) == SHARED_INSERTS
    for table in SHARED_INSERTS:
        assert by_table[table][2] == 1, table
    print(
        f"citus: {len(tenant_tables)} tenant tables, {CITUS_SHARD_COUNT} shards each,"
        f" colocated; reference tables: {', '.join(sorted(SHARED_INSERTS))}"
    )


@needs_citus
@pytest.mark.postgres_only
def test_migrating_again_changes_nothing(database_url: str) -> None:
    again = migrate.upgrade(database_url, app_role=TEST_APP_ROLE)
    assert again is not None
    assert (again.distributed, again.referenced, again.settings) == ([], [], [])


@needs_citus
@pytest.mark.postgres_only
def test_a_tenant_table_added_later_is_distributed_by_the_next_run(
    owner_engine: Engine, owner: Connection
) -> None:
    with owner_engine.begin() as connection:
        connection.execute(
            text(
                "CREATE TABLE later_notes (tenant_id uuid NOT NULL, id uuid NOT NULL,"
                " PRIMARY KEY (tenant_id, id))"
            )
        )
    try:
        done = citus.distribute_tenant_tables(owner_engine, app_role=TEST_APP_ROLE)
        assert done is not None
        assert done.distributed == ["later_notes"]
        assert citus.distributed_by(owner)["later_notes"] == "tenant_id"
    finally:
        with owner_engine.begin() as connection:
            connection.execute(text("DROP TABLE later_notes"))


@needs_citus
@pytest.mark.postgres_only
def test_a_table_without_tenant_added_later_becomes_a_reference_table(
    owner_engine: Engine, owner: Connection
) -> None:
    with owner_engine.begin() as connection:
        connection.execute(text("CREATE TABLE later_codes (code text PRIMARY KEY)"))
    try:
        done = citus.distribute_tenant_tables(owner_engine, app_role=TEST_APP_ROLE)
        assert done is not None
        assert (done.referenced, done.distributed) == (["later_codes"], [])
        assert "later_codes" in citus.reference_tables(owner)
    finally:
        with owner_engine.begin() as connection:
            connection.execute(text("DROP TABLE later_codes"))


@needs_citus
@pytest.mark.postgres_only
def test_a_tenant_table_not_distributed_by_tenant_fails_the_run(owner_engine: Engine) -> None:
    with owner_engine.begin() as connection:
        connection.execute(text("CREATE TABLE shared_notes (tenant_id uuid PRIMARY KEY)"))
        connection.execute(text("SELECT create_reference_table('shared_notes')"))
    try:
        with pytest.raises(citus.CitusError, match="shared_notes"):
            citus.distribute_tenant_tables(owner_engine, app_role=TEST_APP_ROLE)
    finally:
        with owner_engine.begin() as connection:
            connection.execute(text("DROP TABLE shared_notes"))


@needs_citus
@pytest.mark.postgres_only
def test_the_tenant_setting_reaches_the_workers_and_multi_shard_queries_fail(
    engine: Engine, world: TenantWorld
) -> None:
    with engine.connect() as app:
        assert app.execute(text("SHOW citus.propagate_set_commands")).scalar_one() == "local"
        app.execute(text(set_local_statement(world.tenant_id)))
        # Routed to the tenant's shard, where the policy reads the forwarded setting.
        found = app.execute(
            text("SELECT count(*) FROM users WHERE tenant_id = :t"), {"t": world.tenant_id}
        ).scalar_one()
        assert found == len(Role)  # one user per role
        app.rollback()
        app.execute(text(set_local_statement(uuid.uuid4())))
        with pytest.raises(DatabaseError, match="multi-task query about to be executed"):
            app.execute(text("SELECT count(*) FROM users"))


@pytest.mark.postgres_only
def test_api_transactions_open_in_one_script_except_on_citus(settings: Settings) -> None:
    """The loop engine's connections are in autocommit mode so that ``core.opening`` sends
    ``BEGIN``, the tenant and the user check as one script; on Citus they are not, and the
    statements go one by one (see the next test for why)."""

    async def autocommit() -> bool:
        engine = make_loop_engine(settings.database_url)
        assert engine is not None
        try:
            async with engine.connect() as connection:
                raw = await connection.get_raw_connection()
                return bool(raw.driver_connection.autocommit)  # type: ignore[union-attr]
        finally:
            await engine.dispose()

    # A loop of its own in a thread of its own: a browser test earlier in the process may
    # have left an event loop running in this thread.
    with ThreadPoolExecutor(1) as pool:
        assert pool.submit(asyncio.run, autocommit()).result() is not ON_CITUS


@needs_citus
@pytest.mark.postgres_only
def test_citus_forwards_a_set_local_as_its_whole_script(
    settings: Settings, world: TenantWorld
) -> None:
    """Why the opening script is not used on Citus: the worker receives the script's whole
    text, ``BEGIN`` and the query included, where the query's table is a shard."""
    script = (
        f"BEGIN; {set_local_statement(world.tenant_id)};"
        f" SELECT count(*) FROM users WHERE tenant_id = '{world.tenant_id}'"
    )
    url = make_url(settings.database_url).set(drivername="postgresql")
    conninfo = url.render_as_string(hide_password=False)
    with (
        psycopg.connect(conninfo, autocommit=True) as raw,
        pytest.raises(psycopg.errors.UndefinedTable, match='relation "users"'),
    ):
        raw.execute(script)
