"""Summaries stay exact under real parallel writers (PostgreSQL): leads created and moved
along the funnel from many connections at once, all touching the same counter rows."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from salestrack.core.tenancy import tenant_transaction
from sqlalchemy.orm import Session, sessionmaker

from salestrack.auth.context import Actor
from salestrack.auth.roles import Role
from salestrack.journey import service as journey
from salestrack.journey.schemas import MilestoneCreate
from salestrack.leads import service as leads
from salestrack.leads.schemas import LeadCreate
from tests.reports.helpers import assert_parity
from tests.support import TenantWorld

THREADS = 8


def test_parallel_writers_leave_exact_summaries(
    world: TenantWorld, session_factory: sessionmaker[Session], backend: str
) -> None:
    if backend != "postgresql":
        pytest.skip("real parallel connections: PostgreSQL only (SQLite serialises writers)")
    actor = Actor(world.tenant_id, world.slug, world.admin.user_id, Role.admin)
    with tenant_transaction(session_factory, actor.tenant_id) as session:
        shared = leads.create_lead(
            session, actor=actor, data=LeadCreate(name="Shared", lead_date=date(2026, 3, 1))
        ).id
    errors: list[BaseException] = []
    start = threading.Barrier(THREADS)

    def work(n: int) -> None:
        try:
            start.wait()
            for i in range(4):
                with tenant_transaction(session_factory, actor.tenant_id) as session:
                    lead = leads.create_lead(
                        session,
                        actor=actor,
                        data=LeadCreate(name=f"T{n}-{i}", lead_date=date(2026, 3, 1 + i)),
                    )
                for lead_id, kind in ((lead.id, "contacted"), (shared, "site_visit")):
                    with tenant_transaction(session_factory, actor.tenant_id) as session:
                        data = MilestoneCreate(
                            lead_id=lead_id, milestone_type=kind, milestone_date=date(2026, 3, 9)
                        )
                        journey.record_milestone(session, actor=actor, data=data)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    kpis = world.manager.ok(
        "GET", "/api/v1/sales/reports/dashboard", params={"from": "2026-03-01", "to": "2026-03-31"}
    )["kpis"]
    assert kpis["total_leads"]["value"] == THREADS * 4 + 1
    assert kpis["qualified_leads"]["value"] == 1
    assert kpis["new_leads"]["value"] == 0
    assert_parity(session_factory, world.tenant_id)
