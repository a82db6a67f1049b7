"""Property: whatever sequence of milestones, engagements and direct status changes a lead
goes through, its status history explains its current status."""

from __future__ import annotations

import itertools
import uuid
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from salestrack.core.errors import Conflict
from salestrack.core.tenancy import tenant_transaction
from sqlalchemy.orm import Session, sessionmaker

from salestrack.auth.context import Actor
from salestrack.auth.roles import Role
from salestrack.journey import rules, service
from salestrack.journey.models import (
    EngagementChannel,
    EngagementStatus,
    EngagementType,
    MilestoneType,
)
from salestrack.journey.schemas import EngagementCreate, MilestoneCreate
from salestrack.leads import service as leads
from salestrack.leads.models import LeadStatus
from salestrack.leads.schemas import LeadCreate, LeadUpdate
from tests.support import TenantWorld

START = date(2025, 1, 1)
Step = tuple[str, str, int]

steps = st.lists(
    st.one_of(
        st.tuples(
            st.just("milestone"),
            st.sampled_from(
                [t.value for t in MilestoneType if t is not MilestoneType.lead_generated]
            ),
            st.integers(0, 30),
        ),
        st.tuples(st.just("status"), st.sampled_from([s.value for s in LeadStatus]), st.just(0)),
        st.tuples(
            st.just("engagement"),
            st.sampled_from([s.value for s in EngagementStatus]),
            st.integers(0, 30),
        ),
    ),
    max_size=12,
)


def _apply(session: Session, actor: Actor, lead_id: uuid.UUID, step: Step) -> None:
    kind, value, offset = step
    if kind == "milestone":
        data = MilestoneCreate(
            lead_id=lead_id,
            milestone_type=MilestoneType(value),
            milestone_date=START + timedelta(days=offset),
        )
        service.record_milestone(session, actor=actor, data=data)
    elif kind == "status":
        leads.update_lead(
            session, actor=actor, lead_id=lead_id, data=LeadUpdate(status=LeadStatus(value))
        )
    else:
        engagement = EngagementCreate(
            lead_id=lead_id,
            engagement_type=EngagementType.call_made,
            engagement_channel=EngagementChannel.phone,
            status=EngagementStatus(value),
        )
        service.record_engagement(session, actor=actor, data=engagement)


def _expected(current: LeadStatus, step: Step) -> LeadStatus:
    """The model: what the rules say the status becomes."""
    kind, value, _offset = step
    if kind == "milestone":
        return rules.status_after_milestone(current, MilestoneType(value))
    if kind == "status":
        return LeadStatus(value)
    completed = value == EngagementStatus.completed
    return rules.status_after_engagement(current, completed=completed)


def test_history_always_explains_the_status(
    world: TenantWorld, session_factory: sessionmaker[Session]
) -> None:
    actor = Actor(
        tenant_id=world.tenant_id,
        tenant_slug=world.slug,
        user_id=world.admin.user_id,
        role=Role.admin,
    )

    @settings(
        max_examples=30,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    @given(initial=st.sampled_from(list(LeadStatus)), sequence=steps)
    def check(initial: LeadStatus, sequence: list[Step]) -> None:
        with tenant_transaction(session_factory, actor.tenant_id) as session:
            lead_id = leads.create_lead(
                session, actor=actor, data=LeadCreate(name="P", status=initial)
            ).id
        model = initial
        for step in sequence:
            model_refuses = service_refuses = False
            try:
                model = _expected(model, step)
            except Conflict:
                model_refuses = True  # reengaged on a lead that is not lost
            try:
                with tenant_transaction(session_factory, actor.tenant_id) as session:
                    _apply(session, actor, lead_id, step)
            except Conflict:
                service_refuses = True
            assert service_refuses == model_refuses, step
        with tenant_transaction(session_factory, actor.tenant_id) as session:
            lead = leads.get_lead(session, actor=actor, lead_id=lead_id)
            history, _ = service.status_history(session, actor=actor, lead_id=lead_id)
        assert lead.status == model
        assert [h.seq for h in history] == list(range(1, len(history) + 1))
        assert (history[0].from_status, history[0].to_status) == (None, initial.value)
        for previous, entry in itertools.pairwise(history):
            assert entry.from_status == previous.to_status
            assert entry.from_status != entry.to_status
        assert history[-1].to_status == lead.status

    check()
