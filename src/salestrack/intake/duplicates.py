"""Likely duplicates: pairs of live leads with the same phone, the same e-mail, or the same
name (trimmed, case-blind). Phones and e-mails are matched on their indexed normalised
columns; names by one grouping pass, so the list costs the same few queries at any size."""

from __future__ import annotations

import uuid
from itertools import combinations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from salestrack.leads.models import Lead

MAX_PAIRS = 200


def _pairs_on(session: Session, tenant_id: uuid.UUID, column: str) -> list[tuple[Lead, Lead]]:
    a, b = aliased(Lead), aliased(Lead)
    stmt = (
        select(a, b)
        .join(
            b,
            (b.tenant_id == a.tenant_id)
            & (getattr(b, column) == getattr(a, column))
            & (b.created_at > a.created_at),
        )
        .where(
            a.tenant_id == tenant_id,
            a.deleted_at.is_(None),
            b.deleted_at.is_(None),
            getattr(a, column).is_not(None),
        )
        .order_by(b.created_at.desc())
        .limit(MAX_PAIRS)
    )
    return [(row[0], row[1]) for row in session.execute(stmt)]


def _pairs_by_name(session: Session, tenant_id: uuid.UUID) -> list[tuple[Lead, Lead]]:
    key = func.lower(func.trim(Lead.name))
    names = (
        select(key)
        .where(Lead.tenant_id == tenant_id, Lead.deleted_at.is_(None))
        .group_by(key)
        .having(func.count() > 1)
        .limit(MAX_PAIRS)
    )
    wanted = list(session.scalars(names))
    if not wanted:
        return []
    leads = session.scalars(
        select(Lead)
        .where(Lead.tenant_id == tenant_id, Lead.deleted_at.is_(None), key.in_(wanted))
        .order_by(Lead.created_at, Lead.id)
    ).all()
    groups: dict[str, list[Lead]] = {}
    for lead in leads:
        groups.setdefault(lead.name.strip().lower(), []).append(lead)
    return [pair for group in groups.values() for pair in combinations(group, 2)]


def likely_duplicates(session: Session, *, tenant_id: uuid.UUID) -> list[dict[str, object]]:
    """Pairs (older lead first) and why they look alike, newest pairs first."""
    found: dict[tuple[uuid.UUID, uuid.UUID], tuple[Lead, Lead, list[str]]] = {}
    for reason, pairs in (
        ("phone", _pairs_on(session, tenant_id, "phone_e164")),
        ("email", _pairs_on(session, tenant_id, "email_norm")),
        ("name", _pairs_by_name(session, tenant_id)),
    ):
        for older, newer in pairs:
            slot = found.setdefault((older.id, newer.id), (older, newer, []))
            slot[2].append(reason)
    ordered = sorted(found.values(), key=lambda t: (t[1].created_at, t[1].id), reverse=True)
    return [
        {
            "lead_id": older.id,
            "lead_code": older.lead_code,
            "name": older.name,
            "other_id": newer.id,
            "other_code": newer.lead_code,
            "other_name": newer.name,
            "reasons": reasons,
        }
        for older, newer, reasons in ordered[:MAX_PAIRS]
    ]
