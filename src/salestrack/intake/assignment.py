"""Assignment rules: who gets a new lead, whichever way it arrived.

The rules are tried lowest ``priority`` first; a rule applies when every criterion it sets
(source, campaign, project) matches the lead. A ``fixed`` rule gives the lead to its owner
(skipped when the owner is no longer active); a ``round_robin`` rule gives it to the next
active user of its pool in turn (the pool empty: every active sales rep). The rule's row is
locked while its turn advances, so concurrent leads never get the same turn. A lead that
already names its owner keeps it. The assignment is an audited change of the lead.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from salestrack.auth.models import User
from salestrack.auth.roles import Role
from salestrack.core import batching, crud
from salestrack.core.records import RecordKind
from salestrack.intake.context import project_of_arrival
from salestrack.intake.models import AssignmentRule
from salestrack.leads.models import Campaign, Lead, LeadSource

ASSIGNMENT_RULES = RecordKind(
    model=AssignmentRule,
    entity="assignment_rule",
    label="assignment rule",
    references={"source_id": LeadSource, "campaign_id": Campaign, "owner_id": User},
)
T = TypeVar("T")


def _applies(rule: AssignmentRule, lead: Lead, project: str) -> bool:
    if rule.source_id is not None and rule.source_id != lead.source_id:
        return False
    if rule.campaign_id is not None and rule.campaign_id != lead.campaign_id:
        return False
    return not rule.project or rule.project.strip().lower() == project.strip().lower()


def _active_users(session: Session, tenant_id: uuid.UUID) -> dict[uuid.UUID, User]:
    stmt = (
        crud.scoped(User, tenant_id)
        .where(User.is_active.is_(True))
        .order_by(User.created_at, User.id)
    )
    return {user.id: user for user in session.scalars(stmt)}


def _candidates(rule: AssignmentRule, active: dict[uuid.UUID, User]) -> list[uuid.UUID]:
    if rule.pool:
        return [uid for uid in (uuid.UUID(str(u)) for u in rule.pool) if uid in active]
    return [uid for uid, user in active.items() if user.role == Role.sales_rep]


def owner_for(session: Session, *, tenant_id: uuid.UUID, lead: Lead) -> uuid.UUID | None:
    """The user the tenant's rules give ``lead`` (None: no rule applies)."""
    project = project_of_arrival(session)
    rules = [r for r in _rules(session, tenant_id) if _applies(r, lead, project)]
    if not rules:
        return None
    active = _shared(
        session, ("active_users", tenant_id), lambda: _active_users(session, tenant_id)
    )
    for rule in rules:
        if rule.mode == "fixed":
            if rule.owner_id in active:
                return rule.owner_id
            continue
        locked = _shared(
            session, ("locked_rule", rule.id), partial(_lock, session, tenant_id, rule)
        )
        candidates = _candidates(locked, active)
        if not candidates:
            continue
        chosen = candidates[locked.turn % len(candidates)]
        locked.turn += 1
        return chosen
    return None


def _rules(session: Session, tenant_id: uuid.UUID) -> list[AssignmentRule]:
    def read() -> list[AssignmentRule]:
        stmt = crud.scoped(AssignmentRule, tenant_id).order_by(
            AssignmentRule.priority, AssignmentRule.created_at, AssignmentRule.id
        )
        return list(session.scalars(stmt))

    return _shared(session, ("assignment_rules", tenant_id), read)


def _lock(session: Session, tenant_id: uuid.UUID, rule: AssignmentRule) -> AssignmentRule:
    return session.scalars(
        select(AssignmentRule)
        .where(AssignmentRule.tenant_id == tenant_id, AssignmentRule.id == rule.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def _shared(session: Session, key: Any, read: Callable[[], T]) -> T:
    """``read()``, once per batch (``core.batching``): the rules, the active users and a
    locked rule (its lock and its turn, counted on in memory, last to the commit) serve
    every lead of the batch. Outside a batch, read each time."""
    found = batching.current(session)
    if found is None:
        return read()
    if key not in found.cache:
        found.cache[key] = read()
    value: T = found.cache[key]
    return value


def on_lead_created(session: Session, actor: Any, lead: Lead) -> None:
    """Assign a new lead that names no owner by the tenant's rules (audited)."""
    if lead.assigned_to is not None:
        return
    owner = owner_for(session, tenant_id=lead.tenant_id, lead=lead)
    if owner is not None:
        crud.change(session, actor=actor, row=lead, values={"assigned_to": owner}, entity="lead")
