"""Campaign performance: leads, conversions, revenue and ROI per campaign.

revenue = booking amounts of the campaign's leads' confirmed or completed bookings
(cancelled ones net out); collected = payments on those bookings less refunds paid out.
ROI = (revenue - budget) / budget x 100; cash ROI uses collected instead of revenue.

A soft-deleted campaign keeps its row while live leads of the window reference it, marked
``deleted``: deleting a campaign does not delete its leads, and moving them to "no
campaign" would misattribute them (and the rows would no longer add up to the funnel). A
deleted campaign without such leads has no row.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.orm import Session

from salestrack.leads.models import Campaign
from salestrack.reports.common import Window, as_of, money, pct, ratio
from salestrack.reports.figure_types import Figures
from salestrack.reports.sources import Touch, group_ids, listed, regroup

COLUMNS = (
    "campaign_id",
    "campaign_code",
    "campaign_name",
    "leads",
    "qualified",
    "converted",
    "conversion_rate",
    "budget",
    "revenue",
    "collected",
    "cost_per_lead",
    "cost_per_conversion",
    "roi",
    "expected_roi",
    "cash_roi",
    "deleted",
)


def build(
    session: Session, figures: Figures, tenant_id: uuid.UUID, w: Window, touch: Touch = "first"
) -> dict[str, Any]:
    """``touch``: credit each lead to its first touch's campaign or its last touch's."""
    by = "campaign" if touch == "first" else "lcampaign"
    sums = regroup(figures.leads(w.lo, w.hi, by=by, filters=w.filters))
    if figures.recording:
        return {}
    campaigns: dict[uuid.UUID, Campaign] = listed(session, Campaign, tenant_id, sums)
    rows: list[dict[str, Any]] = []
    for campaign_id in [*campaigns, *([None] if None in group_ids(sums) else [])]:
        campaign = campaigns.get(campaign_id) if campaign_id else None
        leads, converted = sums.n("r0", campaign_id), sums.n("r4", campaign_id)
        revenue = sums.amount("revenue", campaign_id)
        collected = sums.amount("collected", campaign_id)
        budget = campaign.budget if campaign else None
        rows.append(
            {
                "campaign_id": str(campaign_id) if campaign_id else None,
                "campaign_code": campaign.campaign_code if campaign else None,
                "campaign_name": campaign.campaign_name if campaign else None,
                "leads": leads,
                "qualified": sums.n("r2", campaign_id),
                "converted": converted,
                "conversion_rate": pct(converted, leads),
                "budget": money(budget) if budget is not None else None,
                "revenue": money(revenue),
                "collected": money(collected),
                "cost_per_lead": ratio(budget, leads) if budget is not None else None,
                "cost_per_conversion": ratio(budget, converted) if budget is not None else None,
                "roi": pct(revenue - budget, budget) if budget is not None else None,
                "expected_roi": money(campaign.expected_roi)
                if campaign and campaign.expected_roi is not None
                else None,
                "cash_roi": pct(collected - budget, budget) if budget is not None else None,
                "deleted": campaign is not None and campaign.deleted_at is not None,
            }
        )
    rows.sort(key=lambda r: (-int(r["leads"]), r["campaign_code"] or "~", r["campaign_id"] or ""))
    return {"as_of": as_of(), **w.echo(), "touch": touch, "campaigns": rows}


def _cell(value: Any) -> Any:
    """A table cell: a flag as the text ``true``/``false`` (as in the JSON), in CSV and Excel."""
    return str(value).lower() if isinstance(value, bool) else value


def table(report: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    return list(COLUMNS), [[_cell(row[c]) for c in COLUMNS] for row in report["campaigns"]]
