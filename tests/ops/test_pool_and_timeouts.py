"""A full connection pool and a runaway query both end in a quick 503, then recovery."""

from __future__ import annotations

import functools
import time
import uuid
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from salestrack import wiring
from salestrack.app import create_app, engine_for
from salestrack.core.config import Settings
from salestrack.core.db import make_engine
from salestrack.core.tenancy import set_tenant
from salestrack.http.deps import SessionDep
from tests.support import TenantWorld

LEADS = "/api/v1/sales/leads"


def test_an_exhausted_pool_answers_503_quickly_and_recovers(
    settings: Settings, world: TenantWorld
) -> None:
    engine = make_engine(settings.database_url, pool_size=1, max_overflow=0, pool_timeout=1.0)
    app = create_app(settings, engine=engine)
    with TestClient(app) as client:
        _exhaust_and_recover(app, client, world)
    engine.dispose()


def _exhaust_and_recover(app: FastAPI, client: TestClient, world: TenantWorld) -> None:
    """The API's pool (the async driver's on PostgreSQL) has one connection, held."""
    assert client.get(LEADS, headers=world.admin.headers).status_code == 200
    engines = app.state.loop_engines
    if engines is None:
        held: Any = app.state.engine.connect()  # the only connection, taken by someone slow
        release: Any = held.close
    else:

        async def take() -> Any:  # on the client's loop: the engine its requests use
            return await (await engines.current()).connect().start()

        held = client.portal.call(take)  # type: ignore[union-attr]
        release = functools.partial(client.portal.call, held.close)  # type: ignore[union-attr]
    try:
        started = time.monotonic()
        busy = client.get(LEADS, headers=world.admin.headers)
        waited = time.monotonic() - started
        assert busy.status_code == 503, busy.text
        assert waited < 3.0
        assert busy.headers["Retry-After"] == "1"
        assert "no database connection free" in busy.json()["detail"]
    finally:
        release()
    assert client.get(LEADS, headers=world.admin.headers).status_code == 200


@pytest.mark.postgres_only
def test_a_slow_query_is_cancelled_by_the_statement_timeout(settings: Settings) -> None:
    quick = settings.model_copy(update={"db_statement_timeout_ms": 300})
    engine = engine_for(quick)
    app = create_app(quick, engine=engine)

    @app.get("/api/test-only/slow")
    def slow(session: SessionDep) -> dict[str, str]:
        set_tenant(session, uuid.uuid4())
        session.execute(text("SELECT pg_sleep(5)"))
        return {"status": "finished"}

    client = TestClient(app)
    try:
        started = time.monotonic()
        response = client.get("/api/test-only/slow")
        assert time.monotonic() - started < 2.0
        assert response.status_code == 503
        assert response.headers["content-type"].startswith("application/problem+json")
        assert "statement timeout" in response.json()["detail"]
        assert client.get("/readyz").status_code == 200  # the connection is usable again
        factory = wiring.session_factory(engine)
        with factory() as session:
            set_tenant(session, uuid.uuid4())
            with pytest.raises(OperationalError, match="statement timeout"):
                session.execute(text("SELECT pg_sleep(5)"))
    finally:
        engine.dispose()
