"""Health, readiness, metrics, request ids and the one-line JSON request log."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from salestrack import wiring
from salestrack.app import create_app
from salestrack.core.config import Settings
from salestrack.core.db import LoopEngines, make_engine, make_loop_engine
from salestrack.ops.logs import ACCESS_LOGGER, JsonFormatter
from tests.support import TenantWorld

LEADS = "/api/v1/sales/leads"


def test_healthz_and_readyz_answer_when_all_is_well(http: TestClient) -> None:
    assert http.get("/healthz").json() == {"status": "ok"}
    ready = http.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["status"] == "ready"


def test_readyz_is_503_when_the_database_is_gone_or_behind(
    settings: Settings, tmp_path: Path
) -> None:
    app = create_app(settings)
    real = app.state.engine
    client = TestClient(app)
    try:
        app.state.engine = make_engine(f"sqlite:///{tmp_path / 'missing' / 'x.db'}")
        gone = client.get("/readyz")
        assert gone.status_code == 503
        assert gone.json()["detail"] == "the database is unreachable"
        assert client.get("/healthz").status_code == 200  # the process itself is fine
        app.state.engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
        behind = client.get("/readyz")
        assert behind.status_code == 503
        assert "schema is at nothing" in behind.json()["detail"]
    finally:
        app.state.engine.dispose()
        real.dispose()


def test_requests_while_the_database_is_unreachable_get_503(
    settings: Settings, world: TenantWorld, tmp_path: Path
) -> None:
    app = create_app(settings)
    unreachable = make_engine(f"sqlite:///{tmp_path / 'missing' / 'x.db'}")
    app.state.session_factory = wiring.session_factory(unreachable)
    # On PostgreSQL the API's handlers use the async driver's engines: unreachable too.
    if app.state.loop_engines is not None:
        nowhere = "postgresql+psycopg://salestrack@127.0.0.1:9/none"
        app.state.loop_engines = LoopEngines(lambda: make_loop_engine(nowhere))
    try:
        response = TestClient(app).get(LEADS, headers=world.admin.headers)
        assert response.status_code == 503
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.headers["Retry-After"] == "1"
        assert "unavailable" in response.json()["detail"]
    finally:
        unreachable.dispose()
        app.state.engine.dispose()


def test_request_ids_are_kept_when_sane_and_made_up_otherwise(http: TestClient) -> None:
    given = http.get("/healthz", headers={"X-Request-ID": "edge-7f3a.42"})
    assert given.headers["X-Request-ID"] == "edge-7f3a.42"
    for hostile in ("a" * 200, "x\\r\\nSet-Cookie: y=1", "<script>"):
        made = http.get("/healthz", headers={"X-Request-ID": hostile}).headers["X-Request-ID"]
        assert made != hostile
        assert len(made) == 32
    assert http.get("/nowhere").headers["X-Request-ID"]


def test_metrics_count_requests_by_route_template_and_status(
    http: TestClient, world: TenantWorld
) -> None:
    world.admin.ok("GET", LEADS)
    missing = "00000000-0000-0000-0000-000000000000"
    assert world.admin.get(f"{LEADS}/{missing}").status_code == 404
    body = http.get("/metrics").text
    template = next(
        line
        for line in body.splitlines()
        if line.startswith("salestrack_http_requests_total{")
        and 'status="404"' in line
        and "/api/v1/sales/leads/{" in line
    )
    assert missing not in body  # ids never become labels
    assert float(template.rsplit(" ", 1)[1]) >= 1
    assert 'salestrack_http_request_duration_seconds_bucket{le="0.08",method="GET"' in body
    assert "salestrack_db_pool_checked_out" in body


def test_one_json_log_line_per_request_with_id_route_status_and_tenant(
    world: TenantWorld, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger=ACCESS_LOGGER):
        response = world.admin.get(LEADS, headers={"X-Request-ID": "trace-123"})
    records = [r for r in caplog.records if r.name == ACCESS_LOGGER]
    assert len(records) == 1
    line = json.loads(JsonFormatter().format(records[0]))
    assert response.status_code == 200
    assert line["request_id"] == "trace-123"
    assert (line["method"], line["route"], line["status"]) == ("GET", LEADS, 200)
    assert line["tenant"] == str(world.tenant_id)
    assert line["user"] == str(world.admin.user_id)
    assert line["duration_ms"] > 0
    assert line["level"] == "info"


def test_the_openapi_document_leaves_out_operational_routes(app: FastAPI) -> None:
    paths = app.openapi()["paths"]
    assert not {"/healthz", "/readyz", "/metrics"} & set(paths)
