"""The API's transactions on PostgreSQL open with one script (``core.opening``): the
driver is in autocommit mode, so the script's ``BEGIN`` must be the transaction's only one
and every later statement of the unit of work must run inside it."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlalchemy.util import greenlet_spawn

from salestrack import wiring
from salestrack.core.config import Settings
from salestrack.core.db import make_loop_engine
from salestrack.core.tenancy import set_tenant
from tests.databases import ON_CITUS
from tests.support import TenantWorld

pytestmark = pytest.mark.postgres_only


def _in_loop_session(settings: Settings, world: TenantWorld, work: Any) -> list[str]:
    """Run ``work(session)`` in a wired session on the async driver; the server's notices."""
    notices: list[str] = []

    async def main() -> None:
        engine = make_loop_engine(settings.database_url)
        assert engine is not None

        @event.listens_for(engine.sync_engine, "connect")
        def _notices(dbapi_connection: Any, _record: Any) -> None:
            driver = dbapi_connection._connection
            driver.add_notice_handler(lambda notice: notices.append(notice.message_primary))

        factory = wiring.session_factory(engine.sync_engine)

        def run() -> None:
            session = factory()
            set_tenant(session, world.tenant_id)
            try:
                work(session)
            finally:
                session.close()

        try:
            await greenlet_spawn(run)
        finally:
            await engine.dispose()

    # A loop of its own in a thread of its own: a browser test earlier in the process may
    # have left an event loop running in this thread.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, main()).result()
    return notices


def test_a_unit_of_work_is_one_transaction_with_its_tenant_set(
    settings: Settings, world: TenantWorld
) -> None:
    seen: dict[str, Any] = {}

    def work(session: Any) -> None:
        query = "SELECT txid_current(), current_setting('app.tenant_id')"
        seen["first"] = session.execute(text(query)).one()
        seen["again"] = session.execute(text("SELECT txid_current()")).scalar_one()
        session.commit()
        seen["next"] = session.execute(text(query)).one()
        session.rollback()

    notices = _in_loop_session(settings, world, work)
    first_tx, tenant = seen["first"]
    assert tenant == str(world.tenant_id)
    assert seen["again"] == first_tx  # the same transaction, not one per statement
    assert seen["next"][0] != first_tx  # the commit ended it; the next one began afresh
    assert seen["next"][1] == str(world.tenant_id)
    assert notices == []  # no "there is already a transaction in progress"


def test_a_rolled_back_unit_of_work_leaves_nothing(settings: Settings, world: TenantWorld) -> None:
    marker = f"opening-{world.slug}"

    def write_then_fail(session: Any) -> None:
        updated = session.execute(
            text("UPDATE tenants SET name = :name WHERE tenant_id = :tenant"),
            {"name": marker, "tenant": world.tenant_id},
        )
        assert updated.rowcount == 1  # type: ignore[attr-defined]
        session.rollback()

    def read(session: Any) -> None:
        found = session.execute(
            text("SELECT name FROM tenants WHERE tenant_id = :tenant"), {"tenant": world.tenant_id}
        ).scalar_one_or_none()
        assert found != marker

    _in_loop_session(settings, world, write_then_fail)
    _in_loop_session(settings, world, read)


def test_the_tenants_zone_comes_with_the_user_check(
    world: TenantWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The dashboard (and every report dated in the tenant's zone) asks no query of its own
    for the zone: the opening script's user check read it."""
    import psycopg

    sent: list[str] = []
    original = psycopg.AsyncCursor.execute

    async def recording(cursor: Any, query: Any, params: Any = None, **kw: Any) -> Any:
        sent.append(str(query))
        return await original(cursor, query, params, **kw)

    monkeypatch.setattr(psycopg.AsyncCursor, "execute", recording)
    world.admin.ok("GET", "/api/v1/sales/reports/dashboard")
    reading_tenants = [q for q in sent if "tenants" in q]
    assert len(reading_tenants) == 1
    # The user check: in the opening script, or on its own on Citus (``core.db``).
    opening = "SELECT users.role" if ON_CITUS else "BEGIN; SET LOCAL app.tenant_id"
    assert reading_tenants[0].startswith(opening)
