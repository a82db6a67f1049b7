"""Prepared reads (``core.reads``) give exactly the values SQLAlchemy's own execution gives,
inside the session's own transaction (its tenant, its uncommitted rows), and report database
errors as SQLAlchemy's, on both databases and on the API's async driver."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Select, bindparam, func, select, text
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from salestrack.core.config import Settings
from salestrack.core.reads import Prepared
from salestrack.core.tenancy import tenant_transaction
from salestrack.leads.models import Lead
from tests.journey.helpers import new_lead
from tests.ops.test_transaction_opening import _in_loop_session
from tests.support import TenantWorld

LEADS: Select[Any] = (
    select(*Lead.__table__.columns, func.count().over().label("total"))
    .where(Lead.tenant_id == bindparam("tenant_id"), Lead.status == bindparam("status"))
    .order_by(Lead.created_at, Lead.id)
    .limit(10)
)


def _two_leads(world: TenantWorld) -> None:
    new_lead(world.admin, name="Asha", expected_value="1250000.50", lead_date="2026-01-05")
    new_lead(world.admin, name="Bela", status="contacted", email="bela@example.com")


def _same_as_sqlalchemy(session: Session, world: TenantWorld) -> list[dict[str, Any]]:
    """Compared in a session whose time zone is not UTC: the driver then reads timestamps
    in that zone, and only SQLAlchemy's result processing makes them UTC again."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL TimeZone = 'Asia/Kolkata'"))
    params = {"tenant_id": world.tenant_id, "status": "new"}
    ours = Prepared(LEADS).rows(session, params)
    theirs = [dict(row) for row in session.execute(LEADS, params).mappings()]
    assert ours == theirs
    assert [{k: type(v) for k, v in row.items()} for row in ours] == [
        {k: type(v) for k, v in row.items()} for row in theirs
    ]
    return ours


def test_a_prepared_read_gives_the_values_sqlalchemy_gives(
    world: TenantWorld, session_factory: sessionmaker[Session]
) -> None:
    _two_leads(world)
    with tenant_transaction(session_factory, world.tenant_id) as session:
        rows = _same_as_sqlalchemy(session, world)
    assert [(r["name"], str(r["expected_value"]), r["total"]) for r in rows] == [
        ("Asha", "1250000.50", 1)
    ]
    assert rows[0]["created_at"].utcoffset().total_seconds() == 0


@pytest.mark.postgres_only
def test_on_the_async_driver_it_reads_in_the_sessions_own_transaction(
    settings: Settings, world: TenantWorld
) -> None:
    _two_leads(world)
    seen: dict[str, Any] = {}

    def work(session: Session) -> None:
        session.execute(
            text("UPDATE leads SET name = 'Asha K' WHERE tenant_id = :t AND name = 'Asha'"),
            {"t": world.tenant_id},
        )
        seen["rows"] = _same_as_sqlalchemy(session, world)
        seen["other"] = Prepared(LEADS).rows(
            session, {"tenant_id": world.tenant_id, "status": "contacted"}
        )
        session.rollback()

    _in_loop_session(settings, world, work)
    assert [r["name"] for r in seen["rows"]] == ["Asha K"]  # uncommitted, same transaction
    assert seen["rows"][0]["created_at"].utcoffset().total_seconds() == 0
    assert [r["name"] for r in seen["other"]] == ["Bela"]


def test_a_statement_with_a_list_to_expand_is_refused() -> None:
    in_list = select(Lead.id).where(Lead.id.in_(bindparam("ids", expanding=True)))
    with pytest.raises(ValueError, match="expand"):
        Prepared(in_list)


@pytest.mark.postgres_only
def test_database_errors_are_raised_as_sqlalchemys(settings: Settings, world: TenantWorld) -> None:
    seen: list[type[BaseException]] = []
    slow = Prepared(select(func.pg_sleep(bindparam("seconds"))))
    broken = Prepared(select((bindparam("n") / bindparam("zero")).label("x")))

    def work(session: Session) -> None:
        session.execute(text("SET LOCAL statement_timeout = '50ms'"))
        for prepared, params in ((slow, {"seconds": 2}), (broken, {"n": 1, "zero": 0})):
            try:
                prepared.rows(session, params)
            except DBAPIError as exc:
                seen.append(type(exc))
            session.rollback()
            session.execute(text("SET LOCAL statement_timeout = '50ms'"))
        session.rollback()

    _in_loop_session(settings, world, work)
    assert seen[0] is OperationalError  # a timeout: answered 503 like any outage
    assert issubclass(seen[1], DBAPIError)
    assert seen[1] is not OperationalError  # a wrong statement: not taken for an outage
