"""PostgreSQL crashes and comes back in the middle of a write load.

Requests during the outage get 503 quickly (no hanging), the app recovers by itself within
10 s of the database being back, and every write the app acknowledged (2xx) is there
afterwards. Runs against a private cluster (see private_postgres.py), never the shared one.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from salestrack.core import migrate
from salestrack.core.config import Settings
from sqlalchemy import create_engine, text

from salestrack.app import create_app
from tests.databases import ON_CI
from tests.ops.private_postgres import ClusterUnavailable, PrivateCluster
from tests.support import TenantWorld, build_tenant

SALES = "/api/v1/sales"
WRITERS = 4


@dataclass
class Outcome:
    kind: str  # "lead" or "milestone"
    status: int
    started_at: float
    finished_at: float
    created_id: str | None


@pytest.fixture
def cluster() -> Iterator[PrivateCluster]:
    try:
        cluster = PrivateCluster()
        cluster.init()
        cluster.start()
    except (ClusterUnavailable, OSError) as exc:
        if ON_CI:
            pytest.fail(f"cannot run a private PostgreSQL cluster: {exc}", pytrace=False)
        pytest.skip(f"cannot run a private PostgreSQL cluster: {exc}")
    try:
        yield cluster
    finally:
        cluster.remove()


def _app(cluster: PrivateCluster) -> FastAPI:
    migrate.upgrade(cluster.url(), app_role="salestrack_app")
    settings = Settings(
        env="test",
        database_url=cluster.url("salestrack_app"),
        migration_database_url=cluster.url(),
        secret_key="restart-test-secret-key-0123456789-abcdefgh",
        argon2_time_cost=1,
        argon2_memory_kib=1024,
        argon2_parallelism=1,
        db_pool_size=WRITERS,
        db_max_overflow=0,
        db_pool_timeout_seconds=2.0,
    )
    return create_app(settings)


def _writer(
    app: FastAPI, world: TenantWorld, number: int, stop: threading.Event, out: list[Outcome]
) -> None:
    client = TestClient(app, raise_server_exceptions=False)  # no `with`: no lifespan exit
    headers = world.admin.headers
    i = 0
    while not stop.is_set() and i < 2000:
        i += 1
        started = time.monotonic()
        response = client.post(
            f"{SALES}/leads", json={"name": f"load {number}-{i}"}, headers=headers
        )
        ended = time.monotonic()
        lead_id = response.json().get("id") if response.status_code == 201 else None
        out.append(Outcome("lead", response.status_code, started, ended, lead_id))
        if lead_id is None:
            time.sleep(0.02)
            continue
        body = {"lead_id": lead_id, "milestone_type": "contacted", "milestone_date": "2025-03-01"}
        started = time.monotonic()
        response = client.post(f"{SALES}/milestones/lead", json=body, headers=headers)
        ended = time.monotonic()
        milestone_id = response.json().get("id") if response.status_code == 201 else None
        out.append(Outcome("milestone", response.status_code, started, ended, milestone_id))


@pytest.mark.postgres_only
def test_a_crash_mid_load_gives_quick_503s_recovery_and_no_lost_writes(
    cluster: PrivateCluster,
) -> None:
    app = _app(cluster)
    http = TestClient(app, raise_server_exceptions=False)
    world = build_tenant(http, app.state.session_factory)
    stop = threading.Event()
    outcomes: list[list[Outcome]] = [[] for _ in range(WRITERS)]
    threads = [
        threading.Thread(target=_writer, args=(app, world, n, stop, outcomes[n]))
        for n in range(WRITERS)
    ]
    for thread in threads:
        thread.start()
    try:
        time.sleep(1.5)
        cluster.crash()
        down_at = time.monotonic()
        time.sleep(2.0)  # the outage
        restarting_at = time.monotonic()
        cluster.start()
        back_at = time.monotonic()
        deadline = back_at + 10.0
        while time.monotonic() < deadline:
            recent = [o for out in outcomes for o in out if o.finished_at > back_at]
            if sum(o.status == 201 for o in recent) >= 2 * WRITERS:
                break
            time.sleep(0.1)
        time.sleep(0.5)  # some load after recovery too
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
    results = [o for out in outcomes for o in out]
    statuses = {o.status for o in results}
    during = [o for o in results if down_at < o.started_at and o.finished_at < restarting_at]
    after = [o for o in results if o.finished_at > back_at and o.status == 201]
    print(
        f"restart under load: {len(results)} requests, {sum(o.status == 201 for o in results)} "
        f"acknowledged, {sum(o.status == 503 for o in results)} answered 503, "
        f"slowest {max((o.finished_at - o.started_at) for o in results):.2f}s, "
        f"recovered {min(o.finished_at for o in after) - back_at:.2f}s after restart"
        if after
        else "no recovery"
    )
    assert statuses <= {201, 503}, statuses  # nothing else: no 500, no hang
    assert during, "no request saw the outage"
    assert all(o.status == 503 for o in during)
    assert max((o.finished_at - o.started_at) for o in results) < 5.0, (
        "a request hung during the outage"
    )
    assert after, "the service did not recover within 10 s of the database's return"
    assert min(o.finished_at for o in after) - back_at < 10.0

    # Every acknowledged write is there, exactly once.
    engine = create_engine(cluster.url())
    try:
        with engine.connect() as owner:
            leads = set(
                owner.execute(
                    text("SELECT id::text FROM leads WHERE tenant_id = :t"), {"t": world.tenant_id}
                ).scalars()
            )
            milestones = set(
                owner.execute(
                    text("SELECT id::text FROM lead_milestones WHERE tenant_id = :t"),
                    {"t": world.tenant_id},
                ).scalars()
            )
    finally:
        engine.dispose()
    acknowledged_leads = {o.created_id for o in results if o.kind == "lead" and o.created_id}
    acknowledged_milestones = {
        o.created_id for o in results if o.kind == "milestone" and o.created_id
    }
    assert acknowledged_leads - leads == set()
    assert acknowledged_milestones - milestones == set()
    app.state.engine.dispose()
