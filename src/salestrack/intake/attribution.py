"""Mapping an enquiry's attribution (UTM fields, click ids, referrer) to the tenant's lead
sources and campaigns, by rules the tenant edits.

Rules are tried lowest ``priority`` first; the first rule that names a source decides the
source, the first that names a campaign decides the campaign. With no campaign rule
matching, a ``utm_campaign`` equal to one of the tenant's campaign codes (case-blind) is
that campaign: ad links usually carry the code already.
"""

from __future__ import annotations

import uuid
from urllib.parse import urlsplit

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from salestrack.core import crud
from salestrack.core.records import RecordKind
from salestrack.intake.models import AttributionRule
from salestrack.intake.schemas import Attribution
from salestrack.leads.models import Campaign, LeadSource

ATTRIBUTION_RULES = RecordKind(
    model=AttributionRule,
    entity="attribution_rule",
    label="attribution rule",
    references={"source_id": LeadSource, "campaign_id": Campaign},
)


def _matches(rule: AttributionRule, touch: Attribution) -> bool:
    got = str(getattr(touch, rule.field, "") or "").strip().lower()
    if not got:
        return False
    wanted = rule.value.strip().lower()
    if wanted == "*":
        return True
    if rule.field == "referrer":  # the referring site: its host or a subdomain of it
        host = (urlsplit(got).hostname or got).lower()
        return host == wanted or host.endswith("." + wanted)
    return got == wanted


def attribute(
    session: Session, *, tenant_id: uuid.UUID, touch: Attribution
) -> tuple[uuid.UUID | None, uuid.UUID | None]:
    """The (source id, campaign id) the tenant's rules give this touch (None: unmapped)."""
    rules = session.scalars(
        crud.scoped(AttributionRule, tenant_id).order_by(
            AttributionRule.priority, AttributionRule.created_at, AttributionRule.id
        )
    )
    source_id: uuid.UUID | None = None
    campaign_id: uuid.UUID | None = None
    for rule in rules:
        if not _matches(rule, touch):
            continue
        source_id = source_id or rule.source_id
        campaign_id = campaign_id or rule.campaign_id
    if campaign_id is None and touch.utm_campaign.strip():
        campaign_id = session.scalar(
            crud.scoped(Campaign, tenant_id)
            .with_only_columns(Campaign.id)
            .where(func.lower(Campaign.campaign_code) == touch.utm_campaign.strip().lower())
        )
    return source_id, campaign_id


def list_rules(session: Session, *, tenant_id: uuid.UUID) -> list[AttributionRule]:
    """The tenant's rules in the order they are tried."""
    return list(
        session.scalars(
            select(AttributionRule)
            .where(AttributionRule.tenant_id == tenant_id, AttributionRule.deleted_at.is_(None))
            .order_by(AttributionRule.priority, AttributionRule.created_at, AttributionRule.id)
        )
    )
