"""Isolation in depth: PostgreSQL itself refuses to show or write another tenant's rows.

The app's queries filter by tenant; these tests go around them with raw SQL as the app's
database role, to prove that a query which forgets its filter still sees nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Connection, Engine, create_engine, select, text
from sqlalchemy.exc import NotSupportedError, ProgrammingError
from sqlalchemy.orm import Session, sessionmaker

from salestrack import wiring
from salestrack.core.rls import POLICY, SHARED_INSERTS
from salestrack.core.tenancy import (
    TenantMismatch,
    TenantNotSet,
    set_local_statement,
    set_tenant,
    tenant_transaction,
)
from salestrack.leads.models import Lead
from salestrack.models import metadata
from tests.databases import TEST_APP_ROLE, app_role_url
from tests.support import TenantWorld

LEADS = "/api/v1/sales/leads"
MOVING_ROWS_REFUSED = "row-level security|modifying the partition value of rows is not allowed"


@pytest.fixture
def owner(database_url: str) -> Iterator[Connection]:
    """The owner's (superuser's) view of the test schema, for the catalog and counting."""
    engine = create_engine(database_url)
    with engine.connect() as connection:
        yield connection
    engine.dispose()


@pytest.fixture
def forgetful(database_url: str) -> Iterator[Engine]:
    """The app role, allowed (on Citus) queries that span shards: these tests query without
    a tenant filter on purpose, as a forgetful query would, to see what RLS lets through."""
    engine = create_engine(app_role_url(database_url, single_shard_only=False))
    yield engine
    engine.dispose()


@pytest.fixture
def two_tenants_with_leads(world: TenantWorld, other_world: TenantWorld) -> None:
    for client in (world.admin, other_world.admin):
        for name in ("First", "Second"):
            client.ok("POST", LEADS, 201, json={"name": name})


def _tenant_tables(owner: Connection) -> dict[str, tuple[bool, bool]]:
    rows = owner.execute(
        text(
            "SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity FROM pg_class c"
            " JOIN pg_namespace n ON n.oid = c.relnamespace"
            " JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id'"
            " WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')"
        )
    ).all()
    return {r[0]: (r[1], r[2]) for r in rows}


@pytest.mark.postgres_only
def test_catalog_every_tenant_table_has_forced_rls_and_a_tenant_policy(
    owner: Connection,
) -> None:
    tables = _tenant_tables(owner)
    expected = set(metadata.tables) - SHARED_INSERTS  # the worker's tenant directory
    assert set(tables) == expected, "catalog and models disagree on tenant tables"
    policies = {
        r.table: r
        for r in owner.execute(
            text(
                "SELECT c.relname AS table, p.polname, p.polcmd, p.polpermissive,"
                " pg_get_expr(p.polqual, p.polrelid) AS using_expr,"
                " pg_get_expr(p.polwithcheck, p.polrelid) AS check_expr"
                " FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid"
                " JOIN pg_namespace n ON n.oid = c.relnamespace"
                " WHERE n.nspname = current_schema()"
            )
        )
    }
    problems = []
    for table, (enabled, forced) in sorted(tables.items()):
        if not (enabled and forced):
            problems.append(f"{table}: row security enabled={enabled} forced={forced}")
        policy = policies.get(table)
        if policy is None or policy.polname != POLICY:
            problems.append(f"{table}: no {POLICY} policy")
            continue
        if policy.polcmd != "*" or not policy.polpermissive:
            problems.append(f"{table}: policy is not a permissive policy for all commands")
        for kind, expr in (("USING", policy.using_expr), ("WITH CHECK", policy.check_expr)):
            if not expr or "tenant_id" not in expr or "app.tenant_id" not in expr:
                problems.append(f"{table}: {kind} does not compare tenant_id: {expr}")
    print(f"row-level security: {len(tables)} tenant tables audited, problems: {len(problems)}")
    assert problems == []


@pytest.mark.postgres_only
def test_the_app_role_may_only_read_and_add_to_the_worker_directory(owner: Connection) -> None:
    """``worker_tenants`` is outside row-level security (it lists tenant ids only): the app
    role may read it and add a tenant, never change or remove one."""
    for table in SHARED_INSERTS:
        rights = {
            right: owner.execute(
                text("SELECT has_table_privilege(:role, :table, :right)"),
                {"role": TEST_APP_ROLE, "table": table, "right": right},
            ).scalar_one()
            for right in ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE")
        }
        assert rights == {
            "SELECT": True,
            "INSERT": True,
            "UPDATE": False,
            "DELETE": False,
            "TRUNCATE": False,
        }, table


@pytest.mark.postgres_only
def test_the_app_role_owns_nothing_and_cannot_bypass_rls(owner: Connection, engine: Engine) -> None:
    with engine.connect() as app:
        assert app.execute(text("SELECT current_user")).scalar_one() == TEST_APP_ROLE
    role = owner.execute(
        text("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = :r"), {"r": TEST_APP_ROLE}
    ).one()
    assert (role.rolsuper, role.rolbypassrls) == (False, False)
    owned = owner.execute(
        text("SELECT count(*) FROM pg_tables WHERE tableowner = :r"), {"r": TEST_APP_ROLE}
    ).scalar_one()
    assert owned == 0
    with engine.connect() as app, pytest.raises(ProgrammingError, match="must be owner"):
        app.execute(text("ALTER TABLE leads DISABLE ROW LEVEL SECURITY"))
    with engine.connect() as app, pytest.raises(ProgrammingError, match="permission denied"):
        app.execute(text("UPDATE alembic_version SET version_num = 'x'"))


@pytest.mark.postgres_only
@pytest.mark.usefixtures("two_tenants_with_leads")
def test_raw_sql_as_the_app_role_without_a_tenant_sees_no_rows(
    owner: Connection, forgetful: Engine
) -> None:
    assert owner.execute(text("SELECT count(*) FROM leads")).scalar_one() >= 4
    with forgetful.connect() as app:
        for table in ("leads", "users", "tenants", "audit_log", "lead_status_history"):
            assert app.execute(text(f"SELECT count(*) FROM {table}")).scalar_one() == 0, table
        app.rollback()
        # Also after a transaction that did set a tenant (the setting then reads as '').
        app.execute(text(set_local_statement(uuid.uuid4())))
        app.commit()
        assert app.execute(text("SELECT count(*) FROM leads")).scalar_one() == 0


@pytest.mark.postgres_only
@pytest.mark.usefixtures("two_tenants_with_leads")
def test_with_tenant_a_set_raw_sql_neither_sees_nor_writes_tenant_b(
    forgetful: Engine, world: TenantWorld, other_world: TenantWorld
) -> None:
    a, b = world.tenant_id, other_world.tenant_id
    with forgetful.connect() as app:
        app.execute(text(set_local_statement(a)))
        tenants = app.execute(text("SELECT DISTINCT tenant_id FROM leads")).scalars().all()
        assert tenants == [a]
        assert app.execute(text("SELECT count(*) FROM leads")).scalar_one() == 2
        params = {"b": b}
        assert (
            app.execute(
                text("SELECT count(*) FROM leads WHERE tenant_id = :b"), params
            ).scalar_one()
            == 0
        )
        assert (
            app.execute(
                text("UPDATE leads SET name = 'stolen' WHERE tenant_id = :b"), params
            ).rowcount
            == 0
        )
        assert app.execute(text("DELETE FROM leads WHERE tenant_id = :b"), params).rowcount == 0
        with pytest.raises(ProgrammingError, match="row-level security"):
            app.execute(
                text(
                    "INSERT INTO login_throttle (tenant_id, bucket, failures, window_started_at)"
                    " VALUES (:b, 'planted', 0, now())"
                ),
                params,
            )
        app.rollback()
        app.execute(text(set_local_statement(a)))
        # Moving rows out: PostgreSQL's policy refuses it; on Citus the distribution column
        # cannot change at all (refused before the policy is even checked).
        with pytest.raises((ProgrammingError, NotSupportedError), match=MOVING_ROWS_REFUSED):
            app.execute(text("UPDATE leads SET tenant_id = :b"), params)
    names = world.admin.ok("GET", LEADS)["items"]
    assert sorted(lead["name"] for lead in names) == ["First", "Second"]
    assert len(other_world.admin.ok("GET", LEADS)["items"]) == 2


@pytest.mark.postgres_only
@pytest.mark.usefixtures("two_tenants_with_leads")
def test_an_orm_query_that_forgets_its_tenant_filter_sees_only_its_tenant(
    forgetful: Engine, world: TenantWorld
) -> None:
    with tenant_transaction(wiring.session_factory(forgetful), world.tenant_id) as session:
        leads = session.scalars(select(Lead)).all()  # no tenant filter: RLS supplies it
    assert {lead.tenant_id for lead in leads} == {world.tenant_id}
    assert len(leads) == 2


@pytest.mark.postgres_only
def test_a_session_without_a_tenant_refuses_to_query(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory() as session, pytest.raises(TenantNotSet):
        session.execute(text("SELECT 1"))


def test_a_session_acts_for_one_tenant_only(session_factory: sessionmaker[Session]) -> None:
    first, second = uuid.uuid4(), uuid.uuid4()
    with session_factory() as session:
        set_tenant(session, first)
        set_tenant(session, first)  # the same tenant again is fine
        with pytest.raises(TenantMismatch):
            set_tenant(session, second)


def test_the_tenant_literal_is_only_ever_built_from_a_uuid() -> None:
    tenant = uuid.UUID("12345678-1234-5678-1234-567812345678")
    assert set_local_statement(tenant) == (
        "SET LOCAL app.tenant_id = '12345678-1234-5678-1234-567812345678'"
    )
    with pytest.raises(TypeError):
        set_local_statement("x'; RESET ROLE; --")  # type: ignore[arg-type]
