"""Source performance: per lead source (type and subsource) how its leads did, and what
they cost where the source is linked to a campaign (that campaign's whole budget)."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any, Literal

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from salestrack.leads.models import Campaign, LeadSource
from salestrack.reports.common import Window, as_of, money, pct, ratio
from salestrack.reports.counters import Sums
from salestrack.reports.figure_types import Figures
from salestrack.reports.models import ZERO_ID

COLUMNS = (
    "source_id",
    "source_type",
    "subsource_name",
    "channel",
    "campaign_id",
    "total_leads",
    "qualified",
    "converted",
    "lost",
    "conversion_rate",
    "cost",
    "cost_per_lead",
    "cost_per_conversion",
)


def group_ids(sums: Sums) -> set[uuid.UUID | None]:
    return {None if g in (None, ZERO_ID) else g for g in sums.groups()}


def regroup(sums: Sums) -> Sums:
    """Leads without the dimension come back as the zero id (counters) or None (oracle)."""
    out: dict[tuple[Any, str], Any] = {}
    for (group, metric), (n, amount) in sums.values.items():
        key = (None if group in (None, ZERO_ID) else group, metric)
        old = out.get(key, (0, 0))
        out[key] = (old[0] + n, old[1] + amount)
    return Sums(out)


def listed(session: Session, model: Any, tenant_id: uuid.UUID, sums: Sums) -> dict[Any, Any]:
    """The tenant's live records of ``model`` (sources or campaigns) by id, and deleted ones
    that still have leads in ``sums`` (their leads keep counting under them)."""
    ids = group_ids(sums) - {None}
    stmt = select(model).where(
        model.tenant_id == tenant_id, or_(model.deleted_at.is_(None), model.id.in_(ids))
    )
    return {record.id: record for record in session.scalars(stmt)}


Touch = Literal["first", "last"]


def build(
    session: Session, figures: Figures, tenant_id: uuid.UUID, w: Window, touch: Touch = "first"
) -> dict[str, Any]:
    """``touch``: credit each lead to its first touch's source (its ``source_id``) or to
    its last touch's (the source of its latest attributed enquiry)."""
    by = "source" if touch == "first" else "lsource"
    sums = regroup(figures.leads(w.lo, w.hi, by=by, filters=w.filters))
    if figures.recording:
        return {}
    sources = listed(session, LeadSource, tenant_id, sums)
    campaign_ids = {s.campaign_id for s in sources.values() if s.campaign_id}
    budgets: dict[uuid.UUID, Decimal] = {
        row[0]: row[1]
        for row in session.execute(
            select(Campaign.id, Campaign.budget).where(
                Campaign.tenant_id == tenant_id,
                Campaign.id.in_(campaign_ids),
                Campaign.deleted_at.is_(None),
            )
        )
    }
    rows = [
        _row(source_id, sources.get(source_id) if source_id else None, sums, budgets)
        for source_id in [*sources, *([None] if None in group_ids(sums) else [])]
    ]
    rows.sort(
        key=lambda r: (
            -int(r["total_leads"]),
            r["source_type"] or "~",
            r["subsource_name"] or "",
            r["source_id"] or "",
        )
    )
    return {"as_of": as_of(), **w.echo(), "touch": touch, "sources": rows}


def _row(
    source_id: uuid.UUID | None,
    source: LeadSource | None,
    sums: Sums,
    budgets: dict[uuid.UUID, Decimal],
) -> dict[str, Any]:
    """One source's line (``None``: the leads without a source)."""
    leads, converted = sums.n("r0", source_id), sums.n("r4", source_id)
    cost = budgets.get(source.campaign_id) if source and source.campaign_id else None
    return {
        "source_id": str(source_id) if source_id else None,
        "source_type": source.source_type if source else None,
        "subsource_name": source.subsource_name if source else None,
        "channel": source.channel if source else None,
        "campaign_id": str(source.campaign_id) if source and source.campaign_id else None,
        "total_leads": leads,
        "qualified": sums.n("r2", source_id),
        "converted": converted,
        "lost": sums.n("lost", source_id),
        "conversion_rate": pct(converted, leads),
        "cost": money(cost) if cost is not None else None,
        "cost_per_lead": ratio(cost, leads) if cost is not None else None,
        "cost_per_conversion": ratio(cost, converted) if cost is not None else None,
    }


def table(report: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    return list(COLUMNS), [[row[c] for c in COLUMNS] for row in report["sources"]]
