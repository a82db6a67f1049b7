"""What one lead, booking or customer contributes to the counters: pure functions.

A contribution maps a counter key to ``(n, cents)``. Maintaining the summaries is then
one rule for every kind of record: subtract the old contribution, add the new one. The
rebuild and the incremental path use these same functions, so they cannot disagree.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from salestrack.money import health
from salestrack.reports.models import ZERO_ID

# (family, dim_kind, dim_id, grain, period, metric)
Key = tuple[str, str, uuid.UUID, str, date, str]
Contribution = dict[Key, tuple[int, int]]

EPOCH = date(1970, 1, 1)
STAGES = ("new", "contacted", "qualified", "negotiation", "converted")
RANK = {name: i for i, name in enumerate(STAGES)}
OPEN_STATUSES = ("new", "contacted", "qualified", "negotiation")
BOOKING_STATUSES = ("pending", "confirmed", "on_hold", "completed", "cancelled")
LEDGER_METRICS = ("invoiced", "paid", "credit_notes", "debit_notes", "refunded", "balance")


def cents(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value())


def month_of(day: date) -> date:
    return day.replace(day=1)


def _add(out: dict[Key, list[int]], key: Key, n: int, amount: int) -> None:
    if n == 0 and amount == 0:
        return
    slot = out.setdefault(key, [0, 0])
    slot[0] += n
    slot[1] += amount


def _dated(
    out: dict[Key, list[int]],
    family: str,
    dims: Iterable[tuple[str, uuid.UUID]],
    day: date,
    metric: str,
    n: int = 0,
    amount: int = 0,
) -> None:
    """Count on the day's row and on its month's row, for each dimension."""
    for kind, dim_id in dims:
        _add(out, (family, kind, dim_id, "d", day, metric), n, amount)
        _add(out, (family, kind, dim_id, "m", month_of(day), metric), n, amount)


def _freeze(out: dict[Key, list[int]]) -> Contribution:
    return {k: (v[0], v[1]) for k, v in out.items() if v[0] or v[1]}


@dataclass(frozen=True)
class LeadFacts:
    live: bool
    lead_date: date
    source_id: uuid.UUID | None
    campaign_id: uuid.UUID | None
    assigned_to: uuid.UUID | None
    status: str
    reached: int
    converted_on: date | None
    revenue: Decimal = Decimal("0.00")
    collected: Decimal = Decimal("0.00")
    engagements: dict[str, int] = field(default_factory=dict)
    follow_ups: dict[str, int] = field(default_factory=dict)
    # The last touch (``facts.lead_facts_from`` sets it: the first touch's until the lead
    # enquires again).
    last_source_id: uuid.UUID | None = None
    last_campaign_id: uuid.UUID | None = None


def lead_dims(facts: LeadFacts) -> list[tuple[str, uuid.UUID]]:
    return [
        ("all", ZERO_ID),
        ("source", facts.source_id or ZERO_ID),
        ("campaign", facts.campaign_id or ZERO_ID),
        ("assignee", facts.assigned_to or ZERO_ID),
        ("lsource", facts.last_source_id or ZERO_ID),
        ("lcampaign", facts.last_campaign_id or ZERO_ID),
    ]


def lead_contribution(facts: LeadFacts) -> Contribution:
    """A live lead counts in its cohort (lead_date) at every stage up to the furthest."""
    out: dict[Key, list[int]] = {}
    if not facts.live:
        return {}
    dims = lead_dims(facts)
    day = facts.lead_date
    for rank in range(facts.reached + 1):
        _dated(out, "lead", dims, day, f"r{rank}", n=1)
    if facts.status == "lost":
        _dated(out, "lead", dims, day, "lost", n=1)
    if facts.reached >= RANK["converted"] and facts.revenue > 0:
        # converted and holding a live invoiced booking: the booking rate's numerator
        _dated(out, "lead", dims, day, "booked", n=1)
    _dated(out, "lead", dims, day, "revenue", amount=cents(facts.revenue))
    _dated(out, "lead", dims, day, "collected", amount=cents(facts.collected))
    if facts.converted_on is not None:
        days = (facts.converted_on - facts.lead_date).days
        _dated(out, "lead", dims, day, "conv", n=1)
        _dated(out, "lead", dims, day, "conv_days", n=days)
    _add(out, ("status", "all", ZERO_ID, "a", EPOCH, facts.status), 1, 0)
    open_now = facts.status in OPEN_STATUSES
    for text, count in facts.engagements.items():
        _dated(out, "eng", dims[:1], date.fromisoformat(text), "eng", n=count)
        if open_now:  # the engagement rate counts touches of the leads open now
            _dated(out, "eng", dims[:1], date.fromisoformat(text), "eng_open", n=count)
    for text, count in facts.follow_ups.items():
        _dated(out, "fu", dims[:1], date.fromisoformat(text), "open", n=count)
    return _freeze(out)


@dataclass(frozen=True)
class BookingFacts:
    live: bool
    booking_date: date
    status: str
    amount: Decimal
    units: int
    refund_promised: Decimal
    refund_paid: Decimal


def booking_contribution(facts: BookingFacts) -> Contribution:
    out: dict[Key, list[int]] = {}
    if not facts.live:
        return {}
    dims = [("all", ZERO_ID)]
    day = facts.booking_date
    _dated(out, "booking", dims, day, f"count:{facts.status}", n=1, amount=cents(facts.amount))
    _dated(out, "booking", dims, day, f"units:{facts.status}", n=facts.units)
    _dated(out, "booking", dims, day, "refund_promised", amount=cents(facts.refund_promised))
    _dated(out, "booking", dims, day, "refund_paid", amount=cents(facts.refund_paid))
    return _freeze(out)


@dataclass(frozen=True)
class CustomerFacts:
    live: bool
    created_on: date
    outstanding: Decimal
    live_bookings: int
    last_entry_on: date | None
    ledger: dict[str, dict[str, int]]
    unpaid: dict[str, int]


def customer_contribution(facts: CustomerFacts) -> Contribution:
    out: dict[Key, list[int]] = {}
    if not facts.live:
        return {}
    dims = [("all", ZERO_ID)]
    _dated(out, "cust", dims, facts.created_on, "customers", n=1)
    if facts.live_bookings > 0:
        _add(out, ("cust", "all", ZERO_ID, "a", EPOCH, "booked"), 1, 0)
    elif facts.last_entry_on is not None:
        _dated(out, "cust", dims, facts.last_entry_on, "idle_last", n=1)
    for text, metrics in facts.ledger.items():
        day = date.fromisoformat(text)
        for metric, amount in metrics.items():
            _dated(out, "ledger", dims, day, metric, amount=amount)
    for text, amount in facts.unpaid.items():
        _dated(out, "ar", dims, date.fromisoformat(text), "unpaid", amount=amount)
    if facts.outstanding > 0:
        # AR health: the balance's band now, and the day its oldest unpaid debit ages from
        band = health.amount_band(facts.outstanding)
        _add(out, ("cust", "all", ZERO_ID, "a", EPOCH, f"owing:{band}"), 1, 0)
        if facts.unpaid:
            oldest = min(date.fromisoformat(text) for text in facts.unpaid)
            _dated(out, "cust", dims, oldest, f"oldest:{band}", n=1)
    return _freeze(out)


def difference(old: Contribution, new: Contribution) -> Contribution:
    """``new - old`` without the keys that did not change."""
    out: dict[Key, list[int]] = defaultdict(lambda: [0, 0])
    for key, (n, amount) in new.items():
        out[key][0] += n
        out[key][1] += amount
    for key, (n, amount) in old.items():
        out[key][0] -= n
        out[key][1] -= amount
    return _freeze(out)
