"""Reports benchmark (run by hand, not in CI): report latency at a large and a small tenant,
the oracle's time for the same answers, milestone write throughput with and without
summary maintenance, and the generator's load rate.

    createdb -h 127.0.0.1 -U root salestrack_bench   # once
    PYTHONPATH=src:. python bench/reports_bench.py --big 1000000 --small 10000

Tenants ``bench-<N>`` are seeded once and reused by later runs (``--reseed`` to redo).
Reports are timed through HTTP against a real uvicorn process (one worker).
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import subprocess
import sys
import time
import uuid
from typing import Any

import httpx2 as httpx
from sqlalchemy import func, make_url, select
from sqlalchemy.orm import Session, sessionmaker

import salestrack.models
from salestrack import wiring
from salestrack.auth import clock
from salestrack.auth import service as auth
from salestrack.auth.context import Actor, system_actor
from salestrack.auth.models import User
from salestrack.auth.roles import Role
from salestrack.auth.schemas import UserCreate
from salestrack.core.db import make_engine, transaction
from salestrack.core.tenancy import set_tenant, tenant_transaction
from salestrack.generator.seed import generate
from salestrack.journey import service as journey
from salestrack.journey.schemas import MilestoneCreate
from salestrack.leads.models import Lead
from salestrack.reports import (
    bookings,
    campaigns,
    dashboard,
    funnel,
    receivables,
    sources,
    summaries,
)
from salestrack.reports.common import Window
from salestrack.reports.facts import ALL_PARTS
from salestrack.reports.oracle import OracleFigures

URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgresql+psycopg://root@127.0.0.1:5432/salestrack_bench"
)
PORT = 8765
PASSWORD = "bench-password-123"
REPORTS = [
    "funnel",
    "source-performance",
    "campaign-performance",
    "bookings",
    "receivables",
    "dashboard",
]


def oracle_answer(session: Session, tenant_id: uuid.UUID, name: str) -> Any:
    figures = OracleFigures(session, tenant_id)
    today = clock.today(clock.tenant_zone(session, tenant_id))
    w = Window(None, None)
    return {
        "funnel": lambda: funnel.build(figures, w, today),
        "source-performance": lambda: sources.build(session, figures, tenant_id, w),
        "campaign-performance": lambda: campaigns.build(session, figures, tenant_id, w),
        "bookings": lambda: bookings.build(figures, w),
        "receivables": lambda: receivables.build(figures, today, 50, None),
        "dashboard": lambda: dashboard.build(figures, w, today),
    }[name]()


def ensure_tenant(
    factory: sessionmaker[Session], slug: str, leads: int, reseed: bool
) -> dict[str, Any]:
    with transaction(factory) as session:
        tenant = auth.open_tenant(session, slug)
        have = 0
        if tenant is not None:
            have = (
                session.scalar(select(func.count()).where(Lead.tenant_id == tenant.tenant_id)) or 0
            )
    load: dict[str, Any] = {}
    if have == 0 or reseed:
        stats = generate(factory, slug, leads=leads, seed=leads)
        load = {
            "rows": stats.total,
            "seconds": stats.load_seconds,
            "summaries": stats.summary_seconds,
        }
        print(stats.summary(), flush=True)
    with transaction(factory) as session:
        tenant = auth.open_tenant(session, slug)
        assert tenant is not None
        actor = system_actor(tenant.tenant_id, slug)
        email = f"bench@{slug}.example.com"
        user = session.scalar(
            select(User).where(User.tenant_id == tenant.tenant_id, User.email == email)
        )
        if user is None:
            data = UserCreate(email=email, password=PASSWORD, role=Role.manager, full_name="Bench")
            user = auth.create_user(session, actor=actor, data=data)
        return {
            "slug": slug,
            "tenant_id": tenant.tenant_id,
            "email": email,
            "user_id": user.id,
            "load": load,
        }


def serve() -> subprocess.Popen[bytes]:
    """The app as in production: the row-level-security role, not the owner the bench
    seeds with."""
    app_url = make_url(URL).set(username=os.environ.get("BENCH_APP_ROLE", "salestrack_app"))
    env = {
        **os.environ,
        "SALESTRACK_DATABASE_URL": app_url.render_as_string(hide_password=False),
        "SALESTRACK_ENV": "production",
        "SALESTRACK_SECRET_KEY": secrets.token_urlsafe(48),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "salestrack.app:create_app", "--factory",
         "--port", str(PORT), "--log-level", "warning", "--no-access-log"],
        env=env,
    )  # fmt: skip
    for _ in range(200):
        try:
            if httpx.get(f"http://127.0.0.1:{PORT}/healthz").status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("server did not start")


def http_latency(
    client: httpx.Client, tenant: dict[str, Any], name: str, n: int
) -> tuple[float, float]:
    token = client.post(
        "/api/v1/auth/token",
        data={"username": tenant["email"], "password": PASSWORD},
        headers={"X-Tenant-ID": tenant["slug"]},
    ).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}", "X-Tenant-ID": tenant["slug"]}
    times = []
    for i in range(n + 10):
        start = time.perf_counter()
        path = name if name.startswith("/") else f"/api/v1/sales/reports/{name}"
        response = client.get(path, headers=headers)
        elapsed = time.perf_counter() - start
        assert response.status_code == 200, response.text
        if i >= 10:
            times.append(elapsed * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.99))]


def oracle_ms(factory: sessionmaker[Session], tenant_id: uuid.UUID, name: str, runs: int) -> float:
    times = []
    for _ in range(runs):
        with factory() as session:
            set_tenant(session, tenant_id)
            start = time.perf_counter()
            oracle_answer(session, tenant_id, name)
            times.append((time.perf_counter() - start) * 1000)
            session.rollback()
    return statistics.median(times)


def write_rate(
    factory: sessionmaker[Session], tenant: dict[str, Any], n: int, maintain: bool
) -> float:
    """Milestones per second, one transaction each. Every write moves a ``new`` lead to
    ``contacted`` (the worst case: each one changes the funnel's counters)."""
    actor = Actor(tenant["tenant_id"], tenant["slug"], tenant["user_id"], Role.manager)
    with factory() as session:
        set_tenant(session, actor.tenant_id)
        stmt = select(Lead.id).where(Lead.tenant_id == actor.tenant_id, Lead.status == "new")
        ids = list(session.scalars(stmt.limit(n)))
        day = clock.today(clock.tenant_zone(session, actor.tenant_id))
    start = time.perf_counter()
    for lead_id in ids:
        with tenant_transaction(factory, actor.tenant_id) as session:
            if not maintain:
                session.info[summaries.DISABLED] = True
            data = MilestoneCreate(lead_id=lead_id, milestone_type="contacted", milestone_date=day)
            journey.record_milestone(session, actor=actor, data=data)
    rate = len(ids) / (time.perf_counter() - start)
    if not maintain:  # repair what the unmaintained writes left stale
        with tenant_transaction(factory, actor.tenant_id) as session:
            pending = summaries._pending(session)
            for lead_id in ids:
                pending.leads[(actor.tenant_id, lead_id)] = set(ALL_PARTS)
            summaries.sync(session)
    return rate


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--big", type=int, default=1_000_000)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--others", type=int, default=3, help="small unrelated tenants")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--writes", type=int, default=300)
    parser.add_argument("--reseed", action="store_true")
    args = parser.parse_args()
    engine = make_engine(URL)
    factory = wiring.session_factory(engine)
    for i in range(args.others):
        ensure_tenant(factory, f"bench-other-{i}", 1000, False)
    small = ensure_tenant(factory, f"bench-{args.small}", args.small, args.reseed)
    big = ensure_tenant(factory, f"bench-{args.big}", args.big, args.reseed)
    for t in (small, big):
        if t["load"]:
            rate = t["load"]["rows"] / t["load"]["seconds"]
            print(
                f"load {t['slug']}: {t['load']['rows']:,} rows in {t['load']['seconds']:.0f}s"
                f" = {rate:,.0f} rows/s; summaries {t['load']['summaries']:.0f}s"
            )
    for t in (small, big):
        tid = t["tenant_id"]
        with factory() as session:
            set_tenant(session, tid)
            counts = {
                name: session.scalar(
                    select(func.count())
                    .select_from(salestrack.models.metadata.tables[name])
                    .where(salestrack.models.metadata.tables[name].c.tenant_id == tid)
                )
                for name in (
                    "leads",
                    "lead_milestones",
                    "lead_engagements",
                    "bookings",
                    "ledger_entries",
                )
            }
            print(t["slug"], counts, flush=True)
    process = serve()
    rows = []
    floor = "/api/v1/sales/campaigns?limit=1"  # auth + one small query: the HTTP floor
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{PORT}", timeout=120) as client:
            s50, s99 = http_latency(client, small, floor, args.requests)
            b50, b99 = http_latency(client, big, floor, args.requests)
            rows.append(
                ("(floor) campaigns?limit=1", s50, s99, b50, b99, float("nan"), float("nan"))
            )
            for name in REPORTS:
                s50, s99 = http_latency(client, small, name, args.requests)
                b50, b99 = http_latency(client, big, name, args.requests)
                oracle = oracle_ms(factory, big["tenant_id"], name, 3)
                rows.append((name, s50, s99, b50, b99, oracle, oracle / b50))
                print(f"{name:22} done", flush=True)
    finally:
        process.terminate()
        process.wait()
    print()
    print(
        f"| report | {args.small:,} p50 ms | p99 ms | {args.big:,} p50 ms | p99 ms"
        f" | oracle ms ({args.big:,}) | speed-up |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, s50, s99, b50, b99, oracle, speed in rows:
        print(
            f"| {name} | {s50:.1f} | {s99:.1f} | {b50:.1f} | {b99:.1f} | {oracle:.0f}"
            f" | {speed:.0f}x |"
        )
    with_rate = write_rate(factory, big, args.writes, True)
    without_rate = write_rate(factory, big, args.writes, False)
    print(
        f"\nmilestone writes at {args.big:,} leads: {with_rate:.0f}/s with summaries,"
        f" {without_rate:.0f}/s without ({with_rate / without_rate:.0%})"
    )
    engine.dispose()


if __name__ == "__main__":
    main()
