"""What the Milestones & Tracking page shows, read through the journey's public services.

One function gathers the lead, its timeline (milestones and engagements in order, with
conversion time, engagement points and conversion value), its engagement statistics and
its status history, plus the pick-lists the two forms need. Forms that were refused come
back in ``forms`` with what was typed and the errors, and the page opens on their tab.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from salestrack.auth.roles import Permission
from salestrack.journey import rules
from salestrack.journey import service as journey
from salestrack.journey.models import (
    EngagementChannel,
    EngagementStatus,
    EngagementType,
    MilestoneType,
    Outcome,
)
from salestrack.journey.schemas import MilestonePublic
from salestrack.leads import service as leads
from salestrack.web.documents.listing import buyer_documents, customer_of_lead, statement_href
from salestrack.web.journey.forms import new_engagement_values, new_milestone_values, now_text
from salestrack.web.kit.choices import load_choices
from salestrack.web.kit.deps import WebUser
from salestrack.web.kit.filters import label_filter

TABS = ("milestones", "engagement")
HISTORY_LIMIT = 500
# Shown after a successful post (``?done=``).
DONE_MESSAGES = {
    "milestone": "Milestone recorded.",
    "engagement": "Engagement logged.",
    "response": "Response recorded.",
    "follow-up": "Follow-up marked done.",
}


@dataclass
class FormState:
    """A form as the page shows it: the values in its fields and the errors beside them."""

    values: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)
    target: uuid.UUID | None = None  # the engagement a response form belongs to


def follow_up_state(milestone: MilestonePublic, today: date) -> str | None:
    """none (no follow-up), closed, overdue or open: how a follow-up reads on the timeline."""
    if not milestone.follow_up_required or milestone.follow_up_date is None:
        return None
    if milestone.follow_up_closed_at is not None:
        return "closed"
    return "overdue" if milestone.follow_up_date < today else "open"


def _pick_lists() -> dict[str, Any]:
    visit_types = sorted(t.value for t in rules.VISIT_TYPES)
    channels_for = {t.value: [c.value for c in cs] for t, cs in rules.CHANNELS_FOR_TYPE.items()}
    return {
        "milestone_types": [(t.value, label_filter(t)) for t in MilestoneType],
        "automatic_types": (MilestoneType.lead_generated.value,),
        "visit_types": visit_types,
        "visit_types_json": json.dumps(visit_types),
        "outcomes": [(o.value, label_filter(o)) for o in Outcome],
        "engagement_types": [(t.value, label_filter(t)) for t in EngagementType],
        "channels": [(c.value, label_filter(c)) for c in EngagementChannel],
        "channels_for": channels_for,
        "channels_for_json": json.dumps(channels_for),
        "engagement_statuses": [(s.value, label_filter(s)) for s in EngagementStatus],
    }


def _documents(session: Session, user: WebUser, lead_id: uuid.UUID) -> dict[str, Any] | None:
    """The lead's documents card (its quotations, and its customer's documents once it
    became one), None for roles that may not read money."""
    if not user.can(Permission.money_read):
        return None
    customer = customer_of_lead(session, tenant_id=user.actor.tenant_id, lead_id=lead_id)
    customer_id = customer.id if customer is not None else None
    rows = buyer_documents(session, user, lead_id=lead_id, customer_id=customer_id)
    if rows is None:
        return None
    return {
        "documents": rows,
        "new_quotation": f"/quotations/new?lead_id={lead_id}",
        "statement": statement_href(customer_id) if customer_id is not None else None,
        "can_write": user.can(Permission.money_write),
    }


def lead_page_context(
    session: Session,
    *,
    user: WebUser,
    lead_id: uuid.UUID,
    tab: str = "milestones",
    done: str | None = None,
    forms: dict[str, FormState] | None = None,
) -> dict[str, Any]:
    """Everything ``leads/detail.html`` needs (404 for a lead outside the user's tenant)."""
    actor = user.actor
    lead = leads.get_lead(session, actor=actor, lead_id=lead_id)
    timeline = journey.lead_timeline(session, actor=actor, lead_id=lead.id)
    stats = journey.engagement_stats(session, actor=actor, lead_id=lead.id)
    history, _more = journey.status_history(
        session, actor=actor, lead_id=lead.id, limit=HISTORY_LIMIT
    )
    forms = dict(forms or {})
    forms.setdefault("milestone", FormState(new_milestone_values(user.fmt)))
    forms.setdefault("engagement", FormState(new_engagement_values(user.fmt)))
    engagements = [e.engagement for e in timeline.events if e.engagement is not None]
    return {
        "lead": lead,
        "timeline": timeline,
        "engagements": engagements,
        "stats": stats,
        "history": history,
        "choices": load_choices(session, tenant_id=actor.tenant_id),
        "tab": tab if tab in TABS else "milestones",
        "done": done,
        "done_message": DONE_MESSAGES.get(done or ""),
        "forms": forms,
        "response_default": {"response_date": now_text(user.fmt)},
        "can_record": user.can(Permission.journey_write),
        "today": user.fmt.today(),
        "follow_up_state": follow_up_state,
        "docs": _documents(session, user, lead.id),
        **_pick_lists(),
    }
