"""One lead's year, simulated: the rows the services would have written for it.

Events (engagements, milestones, a booking and its payments, a cancellation) are drawn
with believable drop-off, put in time order, and run through the journey's own rules
(``rules.status_after_milestone`` / ``status_after_engagement``) so every milestone's
``status_before``/``status_after`` and the status history agree with the lead's status.
Ledger rows carry server-style running balances; follow-ups close by the journey's rule.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from salestrack.journey import rules
from salestrack.journey.models import EngagementType, MilestoneType
from salestrack.leads.models import LeadStatus
from salestrack.reports.simulate_money import Deal

PLACES = [("Whitefield, Bangalore", 12.9698, 77.7500), ("Sarjapur Road", 12.9100, 77.6800)]
ENGAGEMENT_TYPES = list(EngagementType)
Row = tuple[Any, ...]


@dataclass
class Context:
    """What every lead of a load shares: tenant, lookups, code counters, today."""

    tenant_id: uuid.UUID
    today: date
    actor_id: uuid.UUID
    reps: list[uuid.UUID]
    sources: list[tuple[uuid.UUID, uuid.UUID | None, float]]  # id, campaign, weight
    inventory: list[tuple[uuid.UUID, str]]
    counters: dict[str, int]
    rng: random.Random

    def next_code(self, name: str) -> int:
        self.counters[name] = self.counters.get(name, 0) + 1
        return self.counters[name]


@dataclass
class Rows:
    leads: list[Row] = field(default_factory=list)
    milestones: list[Row] = field(default_factory=list)
    history: list[Row] = field(default_factory=list)
    engagements: list[Row] = field(default_factory=list)
    customers: list[Row] = field(default_factory=list)
    bookings: list[Row] = field(default_factory=list)
    ledger: list[Row] = field(default_factory=list)
    held: dict[uuid.UUID, int] = field(default_factory=dict)

    def total(self) -> int:
        return sum(
            len(x)
            for x in (
                self.leads,
                self.milestones,
                self.history,
                self.engagements,
                self.customers,
                self.bookings,
                self.ledger,
            )
        )


def _at(day: date, rng: random.Random) -> datetime:
    return datetime.combine(day, time(rng.randint(9, 18), rng.randint(0, 59)), tzinfo=UTC)


@dataclass
class Event:
    when: datetime
    kind: str  # "milestone" | "engagement"
    what: str
    completed: bool = True
    extra: dict[str, Any] = field(default_factory=dict)


def _plan(ctx: Context, start: date) -> tuple[list[Event], str]:
    """The lead's events in time order and its fate (open, converted, pending, lost)."""
    rng = ctx.rng
    events: list[Event] = []
    day = start

    def later(lo: int, hi: int) -> date:
        nonlocal day
        day = day + timedelta(days=rng.randint(lo, hi))
        return day

    contacted = rng.random() < 0.8
    if not contacted:
        for _ in range(rng.randint(1, 3)):
            events.append(Event(_at(later(0, 6), rng), "engagement", "call_made", completed=False))
        return events, "open"
    events.append(Event(_at(later(0, 3), rng), "engagement", "call_made"))
    for _ in range(rng.randint(2, 5)):
        events.append(Event(_at(later(1, 6), rng), "milestone", "contacted"))
    for _ in range(rng.randint(10, 20)):
        when = _at(start + timedelta(days=rng.randint(0, 90)), rng)
        events.append(Event(when, "engagement", rng.choice(ENGAGEMENT_TYPES).value))
    fate = "lost" if rng.random() < 0.45 else "open"
    if rng.random() < 0.55:
        events.append(Event(_at(later(3, 15), rng), "milestone", "site_visit", extra={"fu": 0.5}))
        for _ in range(rng.randint(0, 2)):
            events.append(
                Event(_at(later(2, 10), rng), "milestone", rng.choice(["revisit", "demo"]))
            )
        if rng.random() < 0.5:
            events.append(Event(_at(later(3, 12), rng), "milestone", "proposal"))
            for _ in range(rng.randint(1, 2)):
                events.append(Event(_at(later(2, 10), rng), "milestone", "negotiation"))
            roll = rng.random()
            if roll < 0.45:
                fate = "converted"
            elif roll < 0.52:
                fate = "pending"
    if fate == "lost":
        events.append(Event(_at(later(5, 30), rng), "milestone", "cancellation"))
        if rng.random() < 0.1:
            events.append(Event(_at(later(5, 30), rng), "milestone", "reengaged"))
            fate = "open"
    events.sort(key=lambda e: e.when)
    return events, fate


def _channel(kind: str, rng: random.Random) -> str:
    return rng.choice(rules.CHANNELS_FOR_TYPE[EngagementType(kind)]).value


def simulate_lead(ctx: Context, rows: Rows, lead_date: date) -> None:
    rng, tenant_id, now = ctx.rng, ctx.tenant_id, datetime.now(UTC)
    lead_id = uuid.uuid4()
    source_id, campaign_id, _w = rng.choices(ctx.sources, weights=[s[2] for s in ctx.sources])[0]
    rep = rng.choice(ctx.reps)
    created = _at(lead_date, rng)
    events, fate = _plan(ctx, lead_date)
    events = [e for e in events if e.when.date() <= ctx.today]
    status = LeadStatus.new
    history: list[Row] = []
    milestones: list[Row] = []

    def move(to: LeadStatus, when: datetime, cause: str, cause_id: uuid.UUID) -> None:
        nonlocal status
        if to is not status or not history:
            before = status.value if history else None
            history.append(
                (tenant_id, uuid.uuid4(), lead_id, len(history) + 1, before, to.value, when,
                 cause, cause_id, rep)
            )  # fmt: skip
            status = to

    generated = uuid.uuid4()
    move(LeadStatus.new, created, "created", generated)
    milestones.append(
        _milestone(ctx, lead_id, generated, "lead_generated", created, None, "new", rep)
    )
    open_follow_ups: list[int] = []

    def close_follow_ups(when: datetime, how: str, event_id: uuid.UUID) -> None:
        """The journey's rule: a later touch dated on or after the milestone closes it."""
        nonlocal open_follow_ups
        still = []
        for index in open_follow_ups:
            if when.date() >= milestones[index][4]:
                milestones[index] = _close(milestones[index], when, how, event_id)
            else:
                still.append(index)
        open_follow_ups = still

    for event in events:
        event_id = uuid.uuid4()
        if event.kind == "engagement":
            rows.engagements.append(_engagement(ctx, lead_id, event_id, event, rep))
            if not event.completed:
                continue
            after = rules.status_after_engagement(status, completed=True)
            move(after, event.when, "engagement", event_id)
            close_follow_ups(event.when, "engagement", event_id)
            continue
        kind = MilestoneType(event.what)
        after = rules.status_after_milestone(status, kind)
        follow = event.extra.get("fu", 0) > rng.random()
        milestones.append(
            _milestone(ctx, lead_id, event_id, kind.value, event.when, status.value, after.value,
                       rep, follow)
        )  # fmt: skip
        move(after, event.when, "milestone", event_id)
        close_follow_ups(event.when, "milestone", event_id)
        if follow:
            open_follow_ups.append(len(milestones) - 1)
    if fate in ("converted", "pending") and events:
        booking_day = events[-1].when.date() + timedelta(days=rng.randint(1, 20))
        if booking_day <= ctx.today:
            deal = Deal(ctx, rows, lead_id, rep, _at(booking_day, rng))
            for kind_name, when, milestone_id, meta in deal.run(confirmed=fate == "converted"):
                kind = MilestoneType(kind_name)
                after = rules.status_after_milestone(status, kind)
                milestones.append(
                    _milestone(ctx, lead_id, milestone_id, kind.value, when, status.value,
                               after.value, rep, meta=meta)
                )  # fmt: skip
                move(after, when, "milestone", milestone_id)
                close_follow_ups(when, "milestone", milestone_id)
    code = ctx.next_code(f"lead:{lead_date.year}")
    rows.leads.append(
        (
            tenant_id, lead_id, f"LEAD-{lead_date.year}-{code:04d}", f"Lead {code}", "", None,
            f"+91 98{rng.randint(10000000, 99999999)}", status.value, source_id, campaign_id, rep,
            Decimal(rng.choice([4_500_000, 7_500_000, 12_000_000])), "", lead_date,
            created, ctx.actor_id, now, ctx.actor_id, None,
        )
    )  # fmt: skip
    rows.milestones.extend(milestones)
    rows.history.extend(history)


def _milestone(
    ctx: Context,
    lead_id: uuid.UUID,
    milestone_id: uuid.UUID,
    kind: str,
    when: datetime,
    before: str | None,
    after: str,
    rep: uuid.UUID,
    follow_up: bool = False,
    meta: str = "{}",
) -> Row:
    rng = ctx.rng
    visit = kind in ("site_visit", "revisit", "demo")
    place = rng.choice(PLACES) if visit else (None, None, None)
    day = when.date()
    timed = None if kind == "lead_generated" else when.time().replace(tzinfo=None)
    return (
        ctx.tenant_id, milestone_id, lead_id, kind, day, timed, timed or time(0, 0), before, after,
        place[0], place[1], place[2], rep if visit else None,
        rng.randint(30, 150) if visit else None,
        rng.choice(["positive", "neutral", "negative"]) if visit else None,
        follow_up, day + timedelta(days=5) if follow_up else None, None, None, None, "", meta,
        when, ctx.actor_id, when, ctx.actor_id, None,
    )  # fmt: skip


def _close(row: Row, when: datetime, how: str, by: uuid.UUID) -> Row:
    values = list(row)
    values[17], values[18], values[19] = when, how, by
    return tuple(values)


def _engagement(
    ctx: Context, lead_id: uuid.UUID, engagement_id: uuid.UUID, event: Event, rep: uuid.UUID
) -> Row:
    rng = ctx.rng
    status = "completed" if event.completed else rng.choice(["scheduled", "cancelled"])
    answered = event.completed and rng.random() < 0.4
    call = event.what == "call_made"
    return (
        ctx.tenant_id, engagement_id, lead_id, event.what, _channel(event.what, rng), event.when,
        "", "", status, answered,
        event.when + timedelta(hours=rng.randint(1, 48)) if answered else None,
        "", rng.randint(60, 1800) if call and event.completed else None,
        event.when, rep, event.when, rep, None,
    )  # fmt: skip
