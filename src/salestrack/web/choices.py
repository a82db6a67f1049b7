"""The tenant's users, campaigns and sources as pick-lists and display names for pages."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from salestrack.auth import service as auth
from salestrack.core import crud
from salestrack.core.errors import NotFound
from salestrack.leads.models import Campaign, LeadSource
from salestrack.web.filters import label_filter

MAX_CHOICES = 500


@dataclass
class Choices:
    """``(id, label)`` pairs per kind, in the order a person would look for them."""

    users: list[tuple[str, str]] = field(default_factory=list)
    campaigns: list[tuple[str, str]] = field(default_factory=list)
    sources: list[tuple[str, str]] = field(default_factory=list)

    def name(self, kind: str, row_id: uuid.UUID | None) -> str:
        if row_id is None:
            return ""
        pairs: list[tuple[str, str]] = getattr(self, kind)
        return dict(pairs).get(str(row_id), "(deleted)")


def source_label(source: LeadSource) -> str:
    kind = label_filter(source.source_type)
    return f"{kind} · {source.subsource_name}" if source.subsource_name else kind


def load_choices(session: Session, *, tenant_id: uuid.UUID) -> Choices:
    users = auth.list_users(session, tenant_id=tenant_id)
    campaigns = session.scalars(
        crud.scoped(Campaign, tenant_id).order_by(Campaign.campaign_name).limit(MAX_CHOICES)
    )
    sources = session.scalars(
        crud.scoped(LeadSource, tenant_id)
        .order_by(LeadSource.source_type, LeadSource.subsource_name)
        .limit(MAX_CHOICES)
    )
    return Choices(
        users=[(str(u.id), u.full_name or u.email) for u in users],
        campaigns=[(str(c.id), f"{c.campaign_name} ({c.campaign_code})") for c in campaigns],
        sources=[(str(s.id), source_label(s)) for s in sources],
    )


def page_id(text: str) -> uuid.UUID:
    """A record id from a URL; anything that is not one is simply not found."""
    try:
        return uuid.UUID(text)
    except ValueError as exc:
        raise NotFound("no such page") from exc
