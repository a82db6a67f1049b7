"""What each report answers, as the OpenAPI document describes it.

The reports build plain dicts (their CSV tables read the same dicts); these models only
describe and check them, so the JSON is what it was: money and rates as text with two
decimals (``"1500.00"``, ``"33.33"``), a rate over nothing ``null``, days as
``YYYY-MM-DD``. Lead filters are echoed only when given (the routes leave out unset
fields), in the order source, campaign, assignee.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from salestrack.money.health import RULE as HEALTH_RULE
from salestrack.reports.definitions import KPI_DEFINITIONS, RATE_DEFINITIONS

AmountText = str  # a decimal amount with two places, e.g. "1500.00"
RateText = str  # a percentage or ratio with two places, e.g. "33.33"


class _Report(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    as_of: str = Field(description="when the answer was computed (UTC, ISO 8601)")


class _Period(_Report):
    from_: str | None = Field(alias="from", description="first day, inclusive")
    to: str | None = Field(description="last day, inclusive")


class _Filtered(_Period):
    source_id: str | None = Field(None, description="echoed only when filtered by it")
    campaign_id: str | None = Field(None, description="echoed only when filtered by it")
    assigned_to: str | None = Field(None, description="echoed only when filtered by it")


# --- funnel -------------------------------------------------------------------------


class DropOff(BaseModel):
    """Percent of a stage's leads that did not reach the next one."""

    new_to_contacted: RateText | None
    contacted_to_qualified: RateText | None
    qualified_to_negotiation: RateText | None
    negotiation_to_converted: RateText | None


class FunnelStages(BaseModel):
    new: int
    contacted: int
    qualified: int
    negotiation: int
    converted: int
    lost: int
    conversion_rate: RateText | None = Field(description=RATE_DEFINITIONS["funnel_conversion_rate"])
    drop_off: DropOff = Field(description=RATE_DEFINITIONS["drop_off"])


class _Month(BaseModel):
    month: str = Field(description="YYYY-MM")


class FunnelMonth(FunnelStages, _Month):
    """A month's cohort (the month first: base classes' fields come last base first)."""


class FunnelReport(_Filtered):
    months: list[FunnelMonth]
    totals: FunnelStages


# --- sources and campaigns ------------------------------------------------------------


class SourceRow(BaseModel):
    source_id: str | None
    source_type: str | None
    subsource_name: str | None
    channel: str | None
    campaign_id: str | None
    total_leads: int
    qualified: int
    converted: int
    lost: int
    conversion_rate: RateText | None = Field(description=RATE_DEFINITIONS["source_conversion_rate"])
    cost: AmountText | None
    cost_per_lead: AmountText | None = Field(description=RATE_DEFINITIONS["cost_per_lead"])
    cost_per_conversion: AmountText | None = Field(
        description=RATE_DEFINITIONS["cost_per_conversion"]
    )


class SourceReport(_Filtered):
    touch: Literal["first", "last"] = "first"
    sources: list[SourceRow]


class CampaignRow(BaseModel):
    campaign_id: str | None
    campaign_code: str | None
    campaign_name: str | None
    leads: int
    qualified: int
    converted: int
    conversion_rate: RateText | None = Field(
        description=RATE_DEFINITIONS["campaign_conversion_rate"]
    )
    budget: AmountText | None
    revenue: AmountText
    collected: AmountText
    cost_per_lead: AmountText | None = Field(description=RATE_DEFINITIONS["cost_per_lead"])
    cost_per_conversion: AmountText | None = Field(
        description=RATE_DEFINITIONS["cost_per_conversion"]
    )
    roi: RateText | None = Field(description=RATE_DEFINITIONS["roi"])
    expected_roi: AmountText | None
    cash_roi: RateText | None = Field(description=RATE_DEFINITIONS["cash_roi"])
    deleted: bool = Field(
        description="the campaign is soft-deleted; its row stays while live leads reference it"
    )


class CampaignReport(_Filtered):
    touch: Literal["first", "last"] = "first"
    campaigns: list[CampaignRow]


# --- bookings and receivables ---------------------------------------------------------


class BookingStatusRow(BaseModel):
    status: str
    count: int
    total_amount: AmountText
    units_booked: int
    average_amount: AmountText | None = Field(description=RATE_DEFINITIONS["average_amount"])


class Refunds(BaseModel):
    promised: AmountText
    paid: AmountText
    due: AmountText


class BookingReport(_Period):
    statuses: list[BookingStatusRow]
    total_count: int
    total_amount: AmountText
    average_amount: AmountText | None = Field(description=RATE_DEFINITIONS["average_amount"])
    churn_rate: RateText | None = Field(description=RATE_DEFINITIONS["churn_rate"])
    refunds: Refunds


class AgeingBuckets(BaseModel):
    """Unpaid debits by age in days."""

    days_0_30: AmountText
    days_31_60: AmountText
    days_61_90: AmountText
    days_over_90: AmountText


class _Customer(BaseModel):
    customer_id: str
    customer_code: str
    name: str
    outstanding: AmountText


class DebtorRow(AgeingBuckets, _Customer):
    """A customer who owes (or is owed): the balance, then its unpaid debits by age."""

    health: str = Field(description=f"the customer's health band: {HEALTH_RULE}")


class ArHealth(BaseModel):
    """Owing customers (outstanding > 0) by health band; escalate takes precedence."""

    status: str = Field(description="the worst band any owing customer is in (good if none)")
    customers_owing: int = Field(description="customers with outstanding > 0")
    good: int = Field(description="owing less than 50,000, nothing unpaid over 30 days")
    monitor: int = Field(description="owing 50,000 to 100,000, nothing unpaid over 30 days")
    high_risk: int = Field(description="owing more than 100,000, nothing unpaid over 30 days")
    escalate: int = Field(description="an unpaid debit older than 30 days, whatever the amount")
    rule: str = Field(description="the bands in words")


class ReceivablesReport(_Report):
    today: str
    outstanding: AmountText
    buckets: AgeingBuckets
    health: ArHealth
    customers: list[DebtorRow]
    next_cursor: str | None


# --- dashboard -----------------------------------------------------------------------

KpiValue = int | str | None


class Kpi(BaseModel):
    """A KPI for the period and the previous one (null where kept without history)."""

    value: KpiValue
    previous: KpiValue


class Kpis(BaseModel):
    """Each KPI with what it counts (numerator and denominator over one population)."""

    total_leads: Kpi = Field(description=KPI_DEFINITIONS["total_leads"])
    new_leads: Kpi = Field(description=KPI_DEFINITIONS["new_leads"])
    qualified_leads: Kpi = Field(description=KPI_DEFINITIONS["qualified_leads"])
    converted_leads: Kpi = Field(description=KPI_DEFINITIONS["converted_leads"])
    conversion_rate: Kpi = Field(description=KPI_DEFINITIONS["conversion_rate"])
    lead_quality: Kpi = Field(description=KPI_DEFINITIONS["lead_quality"])
    active_customers: Kpi = Field(description=KPI_DEFINITIONS["active_customers"])
    total_bookings: Kpi = Field(description=KPI_DEFINITIONS["total_bookings"])
    booked_amount: Kpi = Field(description=KPI_DEFINITIONS["booked_amount"])
    customer_ltv: Kpi = Field(description=KPI_DEFINITIONS["customer_ltv"])
    payment_collection: Kpi = Field(description=KPI_DEFINITIONS["payment_collection"])
    booking_rate: Kpi = Field(description=KPI_DEFINITIONS["booking_rate"])
    avg_days_to_conversion: Kpi = Field(description=KPI_DEFINITIONS["avg_days_to_conversion"])
    engagements_this_month: Kpi = Field(description=KPI_DEFINITIONS["engagements_this_month"])
    engagement_rate: Kpi = Field(description=KPI_DEFINITIONS["engagement_rate"])
    outstanding_balance: Kpi = Field(description=KPI_DEFINITIONS["outstanding_balance"])
    pending_follow_ups: Kpi = Field(description=KPI_DEFINITIONS["pending_follow_ups"])
    overdue_follow_ups: Kpi = Field(description=KPI_DEFINITIONS["overdue_follow_ups"])


class DashboardReport(_Filtered):
    previous_from: str
    previous_to: str
    kpis: Kpis
    ar_health: ArHealth
