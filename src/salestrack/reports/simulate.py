"""One lead's year, simulated: the rows the services would have written for it.

Events (engagements, milestones, a booking and its payments, a cancellation) are drawn
with believable drop-off, put in time order, and run through the journey's own rules
(``rules.status_after_milestone`` / ``status_after_engagement``) so every milestone's
``status_before``/``status_after`` and the status history agree with the lead's status.
Ledger rows carry server-style running balances; follow-ups close by the journey's rule.

Rows come out ready for COPY: binary rows (``copybinary``) for milestones, engagements and
status history, text lines (``copytext``) for the rest. At a million leads the per-row
cost is the whole budget, so instants are integers (minutes) and ids are hex strings.
While a lead is simulated its summary facts are known too; ``presummed`` turns them into
summary rows.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from salestrack.journey import rules
from salestrack.journey.models import EngagementType, MilestoneType
from salestrack.leads.models import LeadStatus
from salestrack.reports import copybinary as cb
from salestrack.reports.copytext import MINUTES_PER_DAY, NULL, Ids, day_text, stamp
from salestrack.reports.simulate_money import Deal

if TYPE_CHECKING:
    from salestrack.reports.presummed import Summaries

PLACES = [("Whitefield, Bangalore", 12.9698, 77.7500), ("Sarjapur Road", 12.9100, 77.6800)]
NO_VISIT = cb.NULL * 6
NO_FOLLOW_UP = cb.FALSE + cb.NULL * 4
MIDNIGHT = cb.clock(0)
MILESTONE_FIELDS, ENGAGEMENT_FIELDS, HISTORY_FIELDS = cb.fields(27), cb.fields(18), cb.fields(10)
ENGAGEMENT_TYPES = [t.value for t in EngagementType]
CHANNELS = {t.value: [c.value for c in rules.CHANNELS_FOR_TYPE[t]] for t in EngagementType}
VALUES = ("4500000", "7500000", "12000000")
OUTCOMES = ("positive", "neutral", "negative")
VISITS = ("site_visit", "revisit", "demo")
# An event: (instant, kind "m"/"e", what, completed, follow-up chance).
Event = tuple[int, str, str, bool, float]


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

    def __post_init__(self) -> None:
        self.tenant = self.tenant_id.hex
        self.actor = self.actor_id.hex
        self.today_ordinal = self.today.toordinal()
        # First instant not yet reached: the end of today, or now if today is not over
        # (nothing generated may lie in the future).
        now = datetime.now(UTC)
        now_minute = now.date().toordinal() * MINUTES_PER_DAY + now.hour * 60 + now.minute
        self.end = min((self.today_ordinal + 1) * MINUTES_PER_DAY, now_minute + 1)
        total = sum(s[2] for s in self.sources)
        running, self.source_cum = 0.0, []
        for s in self.sources:
            running += s[2] / total
            self.source_cum.append(running)
        self.now = ""  # set per batch: the load's updated_at
        self.new_id = Ids(self.rng)
        self.tenant_field, self.actor_field = cb.uid(self.tenant), cb.uid(self.actor)

    def happened_at(self, day: int) -> int:
        """An instant in office hours of ``day`` that has already passed, for something that
        did happen on ``day`` (a lead created today before office hours: just now)."""
        return min(at_day(day, self.rng), self.end - 1)

    def next_code(self, name: str) -> int:
        self.counters[name] = self.counters.get(name, 0) + 1
        return self.counters[name]

    def pick_source(self) -> tuple[uuid.UUID, uuid.UUID | None]:
        roll = self.rng.random()
        for index, edge in enumerate(self.source_cum):
            if roll < edge:
                return self.sources[index][0], self.sources[index][1]
        return self.sources[-1][0], self.sources[-1][1]


@dataclass
class Rows:
    """One batch of COPY text lines by table, with its summaries and the units it holds."""

    leads: list[str] = field(default_factory=list)
    milestones: list[bytes] = field(default_factory=list)  # binary COPY rows
    history: list[bytes] = field(default_factory=list)
    engagements: list[bytes] = field(default_factory=list)
    customers: list[str] = field(default_factory=list)
    bookings: list[str] = field(default_factory=list)
    ledger: list[str] = field(default_factory=list)
    lead_states: list[str] = field(default_factory=list)
    booking_states: list[str] = field(default_factory=list)
    customer_states: list[str] = field(default_factory=list)
    held: dict[uuid.UUID, int] = field(default_factory=dict)


def uniform(rng: random.Random) -> Callable[[int, int], int]:
    """``randint`` without its argument checks (a few calls per row add up)."""
    r = rng.random

    def between(lo: int, hi: int) -> int:
        return lo + int(r() * (hi - lo + 1))

    return between


def at_day(day: int, rng: random.Random) -> int:
    """An instant in office hours (09:00-18:59) of the given day ordinal."""
    r = rng.random
    return day * MINUTES_PER_DAY + (9 + int(r() * 10)) * 60 + int(r() * 60)


def _plan(ctx: Context, start: int) -> tuple[list[Event], str]:
    """The lead's events in time order and its fate (open, converted, pending, lost)."""
    rng = ctx.rng
    r, between = rng.random, uniform(rng)
    events: list[Event] = []
    day = start

    def later(lo: int, hi: int) -> int:
        nonlocal day
        day += between(lo, hi)
        return at_day(day, rng)

    def add(when: int, kind: str, what: str, completed: bool = True, fu: float = 0.0) -> None:
        events.append((when, kind, what, completed, fu))

    if r() >= 0.8:  # never reached: a few unanswered call attempts
        for _ in range(between(1, 3)):
            add(later(0, 6), "e", "call_made", False)
        return events, "open"
    add(later(0, 3), "e", "call_made")
    for _ in range(between(3, 6)):
        add(later(1, 6), "m", "contacted")
    for _ in range(between(12, 24)):  # calls, messages, mails over the first quarter
        add(at_day(start + between(0, 90), rng), "e", ENGAGEMENT_TYPES[int(r() * 6)])
    fate = "lost" if r() < 0.45 else "open"
    if r() < 0.55:
        add(later(3, 15), "m", "site_visit", fu=0.5)
        for _ in range(between(0, 2)):
            add(later(2, 10), "m", "revisit" if r() < 0.5 else "demo")
        if r() < 0.5:
            add(later(3, 12), "m", "proposal")
            for _ in range(between(1, 2)):
                add(later(2, 10), "m", "negotiation")
            roll = r()
            if roll < 0.45:
                fate = "converted"
            elif roll < 0.52:
                fate = "pending"
    if fate == "lost":
        add(later(5, 30), "m", "cancellation")
        if r() < 0.1:
            add(later(5, 30), "m", "reengaged")
            fate = "open"
    events.sort(key=lambda e: e[0])
    return events, fate


_AFTER_MILESTONE: dict[tuple[str, str], str] = {}


def after_milestone(status: str, kind: str) -> str:
    """``rules.status_after_milestone``, remembered per (status, kind)."""
    found = _AFTER_MILESTONE.get((status, kind))
    if found is None:
        found = rules.status_after_milestone(LeadStatus(status), MilestoneType(kind)).value
        _AFTER_MILESTONE[(status, kind)] = found
    return found


def after_engagement(status: str) -> str:
    """``rules.status_after_engagement`` for a completed engagement."""
    return rules.status_after_engagement(LeadStatus(status), completed=True).value


_AFTER_ENGAGEMENT = {s.value: after_engagement(s.value) for s in LeadStatus}


@dataclass(slots=True)
class Milestone:
    """A milestone as recorded; its follow-up may be closed by a later touch."""

    id: str
    kind: str
    when: int
    before: str | None
    after: str
    follow: bool = False
    closed_at: int | None = None
    closed_how: str | None = None
    closed_by: str | None = None


class Journey:
    """One lead's milestones, status history and open follow-ups as events are applied."""

    def __init__(self, ctx: Context, lead_id: str, rep: str) -> None:
        self.ctx, self.lead_id, self.rep = ctx, lead_id, rep
        self.status = "new"
        self.history: list[bytes] = []
        self.lead_field, self.rep_field = cb.uid(lead_id), cb.uid(rep)
        self.reached = {"new"}
        self.milestones: list[Milestone] = []
        self.open_follow_ups: list[Milestone] = []
        self.converted_on: int | None = None

    def move(self, to: str, when: int, cause: str, cause_id: str) -> None:
        if to == self.status and self.history:
            return
        ctx = self.ctx
        self.history.append(
            b"".join(
                (
                    HISTORY_FIELDS, ctx.tenant_field, ctx.new_id.field(), self.lead_field,
                    cb.int4(len(self.history) + 1),
                    cb.word(self.status) if self.history else cb.NULL, cb.word(to),
                    cb.stamp(when), cb.word(cause), cb.uid(cause_id), self.rep_field,
                )
            )
        )  # fmt: skip
        self.status = to
        self.reached.add(to)

    def close_follow_ups(self, when: int, how: str, event_id: str) -> None:
        """The journey's rule: a later touch dated on or after the milestone closes it."""
        if not self.open_follow_ups:
            return
        day = when // MINUTES_PER_DAY
        still = []
        for milestone in self.open_follow_ups:
            if day >= milestone.when // MINUTES_PER_DAY:
                milestone.closed_at, milestone.closed_how, milestone.closed_by = when, how, event_id
            else:
                still.append(milestone)
        self.open_follow_ups = still

    def milestone(self, event_id: str, kind: str, when: int, follow: bool = False) -> None:
        after = after_milestone(self.status, kind)
        entry = Milestone(event_id, kind, when, self.status, after, follow)
        self.milestones.append(entry)
        if kind == "booking" and self.converted_on is None:
            self.converted_on = when // MINUTES_PER_DAY
        self.move(after, when, "milestone", event_id)
        self.close_follow_ups(when, "milestone", event_id)
        if follow:
            self.open_follow_ups.append(entry)

    def engagement(self, event_id: str, when: int) -> None:
        self.move(_AFTER_ENGAGEMENT[self.status], when, "engagement", event_id)
        self.close_follow_ups(when, "engagement", event_id)


def simulate_lead(ctx: Context, rows: Rows, summaries: Summaries, lead_day: int) -> None:
    """Simulate one lead generated on day ordinal ``lead_day`` into ``rows``."""
    rng = ctx.rng
    r = rng.random
    lead_id = ctx.new_id()
    source_id, campaign_id = ctx.pick_source()
    rep_id = ctx.reps[int(r() * len(ctx.reps))]
    rep = rep_id.hex
    created = ctx.happened_at(lead_day)
    events, fate = _plan(ctx, lead_day)
    journey = Journey(ctx, lead_id, rep)
    generated = ctx.new_id()
    journey.move("new", created, "created", generated)
    journey.milestones.append(Milestone(generated, "lead_generated", created, None, "new"))
    engaged: dict[int, int] = {}
    last: int | None = None
    for when, kind, what, completed, fu in events:
        if when >= ctx.end:
            continue
        last = when
        event_id = ctx.new_id()
        if kind == "e":
            rows.engagements.append(
                _engagement(
                    ctx, journey.lead_field, event_id, when, what, completed, journey.rep_field
                )
            )
            day = when // MINUTES_PER_DAY
            engaged[day] = engaged.get(day, 0) + 1
            if completed:
                journey.engagement(event_id, when)
            continue
        journey.milestone(event_id, what, when, fu > r())
    deal, metas = None, {}
    if fate in ("converted", "pending") and last is not None:
        booking_day = last // MINUTES_PER_DAY + 1 + int(r() * 20)
        if booking_day <= ctx.today_ordinal:
            deal = Deal(ctx, rows, lead_id, rep, ctx.happened_at(booking_day))
            for kind, when, milestone_id, meta in deal.run(confirmed=fate == "converted"):
                metas[milestone_id] = meta
                journey.milestone(milestone_id, kind, when)
            summaries.deal(deal)
    year = day_text(lead_day)[:4]
    code = ctx.next_code(f"lead:{year}")
    rows.leads.append(
        f"{ctx.tenant}\t{lead_id}\tLEAD-{year}-{code:04d}\tLead {code}\t\t{NULL}"
        f"\t+91 98{10000000 + int(r() * 90000000)}\t{journey.status}\t{source_id.hex}"
        f"\t{campaign_id.hex if campaign_id else NULL}\t{rep}\t{VALUES[int(r() * 3)]}\t"
        f"\t{day_text(lead_day)}\t{stamp(created)}\t{ctx.actor}\t{ctx.now}\t{ctx.actor}\t{NULL}\n"
    )
    for milestone in journey.milestones:
        meta = metas.get(milestone.id, "{}")
        rows.milestones.append(
            _milestone(ctx, journey.lead_field, milestone, journey.rep_field, meta)
        )
    rows.history.extend(journey.history)
    summaries.lead(
        rows,
        lead_id=lead_id,
        lead_day=lead_day,
        dims=(source_id, campaign_id, rep_id),
        journey=journey,
        engaged=engaged,
        deal=deal,
    )


def _milestone(ctx: Context, lead: bytes, m: Milestone, rep: bytes, meta: str) -> bytes:
    """A milestone as a binary COPY row (27 fields)."""
    kind, when = m.kind, m.when
    day, minute = divmod(when, MINUTES_PER_DAY)
    r = ctx.rng.random
    if kind in VISITS:
        name, lat, lon = PLACES[int(r() * 2)]
        visit = (
            cb.word(name) + cb.float8(lat) + cb.float8(lon) + rep
            + cb.int4(30 + int(r() * 121)) + cb.word(OUTCOMES[int(r() * 3)])
        )  # fmt: skip
    else:
        visit = NO_VISIT
    if m.follow:
        follow_up = b"".join(
            (
                cb.TRUE,
                cb.day(day + 5),
                cb.NULL if m.closed_at is None else cb.stamp(m.closed_at),
                cb.NULL if m.closed_how is None else cb.word(m.closed_how),
                cb.NULL if m.closed_by is None else cb.uid(m.closed_by),
            )
        )
    else:
        follow_up = NO_FOLLOW_UP
    at = cb.stamp(when)
    generated = kind == "lead_generated"
    return b"".join(
        (
            MILESTONE_FIELDS, ctx.tenant_field, cb.uid(m.id), lead, cb.word(kind), cb.day(day),
            cb.NULL if generated else cb.clock(minute), MIDNIGHT if generated else cb.clock(minute),
            cb.NULL if m.before is None else cb.word(m.before), cb.word(m.after), visit, follow_up,
            cb.EMPTY, cb.text(meta), at, ctx.actor_field, at, ctx.actor_field, cb.NULL,
        )
    )  # fmt: skip


def _engagement(
    ctx: Context, lead: bytes, event_id: str, when: int, what: str, done: bool, rep: bytes
) -> bytes:
    """An engagement as a binary COPY row (18 fields)."""
    r = ctx.rng.random
    channels = CHANNELS[what]
    channel = channels[int(r() * len(channels))]
    status = "completed" if done else ("scheduled" if r() < 0.5 else "cancelled")
    answered = done and r() < 0.4
    response = cb.stamp(when + 60 * (1 + int(r() * 48))) if answered else cb.NULL
    seconds = cb.int4(60 + int(r() * 1741)) if done and what == "call_made" else cb.NULL
    at = cb.stamp(when)
    return b"".join(
        (
            ENGAGEMENT_FIELDS, ctx.tenant_field, cb.uid(event_id), lead, cb.word(what),
            cb.word(channel), at, cb.EMPTY, cb.EMPTY, cb.word(status),
            cb.TRUE if answered else cb.FALSE, response, cb.EMPTY, seconds,
            at, rep, at, rep, cb.NULL,
        )
    )  # fmt: skip
