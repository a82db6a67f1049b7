"""A full connection pool and a runaway query both end in a quick 503, then recovery."""

from __future__ import annotations

import time
import uuid

import pytest
from fastapi.testclient import TestClient
from salestrack.core.config import Settings
from salestrack.core.db import make_engine, make_session_factory
from salestrack.core.tenancy import set_tenant
from salestrack.http.deps import SessionDep
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from salestrack.app import create_app, engine_for
from tests.support import TenantWorld

LEADS = "/api/v1/sales/leads"


def test_an_exhausted_pool_answers_503_quickly_and_recovers(
    settings: Settings, world: TenantWorld
) -> None:
    engine = make_engine(settings.database_url, pool_size=1, max_overflow=0, pool_timeout=1.0)
    app = create_app(settings, engine=engine)
    client = TestClient(app)
    try:
        assert client.get(LEADS, headers=world.admin.headers).status_code == 200
        held = engine.connect()  # the only connection, taken by someone slow
        started = time.monotonic()
        busy = client.get(LEADS, headers=world.admin.headers)
        waited = time.monotonic() - started
        assert busy.status_code == 503, busy.text
        assert waited < 3.0
        assert busy.headers["Retry-After"] == "1"
        assert "no database connection free" in busy.json()["detail"]
        held.close()
        assert client.get(LEADS, headers=world.admin.headers).status_code == 200
    finally:
        engine.dispose()


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
        factory = make_session_factory(engine)
        with factory() as session:
            set_tenant(session, uuid.uuid4())
            with pytest.raises(OperationalError, match="statement timeout"):
                session.execute(text("SELECT pg_sleep(5)"))
    finally:
        engine.dispose()
