"""The timeline: order, the conversion-value hook, and a constant number of queries."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session, sessionmaker

from salestrack.auth.context import Actor
from salestrack.auth.roles import Role
from salestrack.core.db import utcnow
from salestrack.core.tenancy import tenant_transaction
from salestrack.journey import service, timeline
from salestrack.journey.models import EngagementChannel, EngagementType, MilestoneType
from salestrack.journey.schemas import EngagementCreate, MilestoneCreate
from salestrack.leads import service as leads
from salestrack.leads.schemas import LeadCreate
from tests.journey.helpers import SALES, engagement, milestone, new_lead
from tests.support import ApiClient, TenantWorld


def test_same_day_order_and_value_provider(world: TenantWorld, app: FastAPI) -> None:
    api = world.admin
    lead_id = new_lead(api, lead_date="2025-05-01")["id"]
    engagement(api, lead_id, "call_made", "phone", "2025-05-01T03:00:00Z")  # 08:30 IST
    milestone(api, lead_id, "demo", "2025-05-01", milestone_time="08:00")
    milestone(api, lead_id, "contacted", "2025-05-01")
    url = f"{SALES}/reports/milestone-timeline/{lead_id}"
    events = api.ok("GET", url)["events"]
    assert [e["event_type"] for e in events] == [
        "lead_generated",
        "contacted",
        "demo",
        "call_made",
    ]

    def value(_session: Session, tenant_id: uuid.UUID, lead: uuid.UUID) -> Decimal | None:
        return Decimal("5000000") if str(lead) == lead_id else None

    # The API's sessions come from the loop factory on PostgreSQL, the pages' from the other.
    factories = [f for f in (app.state.session_factory, app.state.loop_session_factory) if f]
    for factory in factories:
        timeline.CONVERSION_VALUE.connect(factory, value)
    try:
        body = api.ok("GET", url)
        rep_view = world.rep.ok("GET", url)
    finally:
        for factory in factories:
            timeline.CONVERSION_VALUE.disconnect(factory, value)
    assert body["conversion_value"] == "5000000"
    assert (rep_view["conversion_value"], rep_view["conversion_value_hidden"]) == (None, True)
    assert body["conversion_time_days"] is None
    assert body["engagement_points"] == 3


def _journey(factory: sessionmaker[Session], actor: Actor, events: int) -> uuid.UUID:
    """A lead with ``events`` milestones and engagements, built through the services."""
    start = date(2024, 1, 1)
    with tenant_transaction(factory, actor.tenant_id) as session:
        lead = leads.create_lead(session, actor=actor, data=LeadCreate(name="Big", lead_date=start))
        for i in range(events - 1):
            day = start + timedelta(days=i)
            if i % 2:
                service.record_milestone(
                    session,
                    actor=actor,
                    data=MilestoneCreate(
                        lead_id=lead.id, milestone_type=MilestoneType.revisit, milestone_date=day
                    ),
                )
            else:
                service.record_engagement(
                    session,
                    actor=actor,
                    data=EngagementCreate(
                        lead_id=lead.id,
                        engagement_type=EngagementType.call_made,
                        engagement_channel=EngagementChannel.phone,
                        engagement_date=utcnow().replace(year=2024, month=1, day=1)
                        + timedelta(days=i),
                    ),
                )
        return lead.id


@pytest.fixture
def statements(engine: Engine) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    yield seen
    event.remove(engine, "before_cursor_execute", count)


def test_timeline_costs_constant_queries(
    world: TenantWorld,
    session_factory: sessionmaker[Session],
    statements: list[str],
) -> None:
    api: ApiClient = world.admin
    actor = Actor(
        tenant_id=world.tenant_id, tenant_slug=world.slug, user_id=api.user_id, role=Role.admin
    )
    counts = {}
    for size in (10, 100):
        lead_id = _journey(session_factory, actor, size)
        statements.clear()
        body = api.ok("GET", f"{SALES}/reports/milestone-timeline/{lead_id}")
        counts[size] = len(statements)
        assert len(body["events"]) == size
        assert body["engagement_points"] == size - 1
    assert counts[10] == counts[100], counts
    assert counts[100] <= 12
