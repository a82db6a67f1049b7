"""One lead's year, simulated: the rows the services would have written for it.

``lead_path`` draws the lead's events and applies them by the journey's rules; a deal
(``simulate_money``) adds its customer, booking and ledger rows and the milestones it
records. Ledger rows carry server-style running balances.

Rows come out ready for COPY: binary rows (``copybinary``) for milestones, engagements and
status history, text lines (``copytext``) for the rest. At a million leads the per-row
cost is the whole budget, so instants are integers (minutes) and ids are hex strings.
While a lead is simulated its summary facts are known too; ``presummed`` turns them into
summary rows.
"""

from __future__ import annotations

from decimal import Decimal

from salestrack.generator import copybinary as cb
from salestrack.generator import people, quotes
from salestrack.generator.copytext import MINUTES_PER_DAY, NULL, day_text, stamp
from salestrack.generator.lead_path import Journey, plan
from salestrack.generator.presummed import Summaries
from salestrack.generator.records import Context, Event, Milestone, Rows
from salestrack.generator.simulate_money import Deal
from salestrack.journey import rules
from salestrack.journey.models import EngagementType

PLACES = people.VISIT_PLACES
NO_VISIT = cb.NULL * 6
NO_FOLLOW_UP = cb.FALSE + cb.NULL * 4
MIDNIGHT = cb.clock(0)
MILESTONE_FIELDS, ENGAGEMENT_FIELDS = cb.fields(27), cb.fields(18)
CHANNELS = {t.value: [c.value for c in rules.CHANNELS_FOR_TYPE[t]] for t in EngagementType}
VALUES = ("4500000", "7500000", "12000000")
OPEN_QUOTE = ("proposal", "negotiation")
QUOTED_SHARE = 0.6  # of the leads left there without a booking
REJECTED_SHARE = 0.3
OUTCOMES = ("positive", "neutral", "negative")
VISITS = ("site_visit", "revisit", "demo")


def simulate_lead(ctx: Context, rows: Rows, summaries: Summaries, lead_day: int) -> None:
    """Simulate one lead generated on day ordinal ``lead_day`` into ``rows``."""
    r = ctx.rng.random
    lead_id = ctx.new_id()
    source_id, campaign_id = ctx.pick_source()
    rep_id = ctx.reps[int(r() * len(ctx.reps))]
    rep = rep_id.hex
    person = people.draw_person(r)
    created = ctx.happened_at(lead_day)
    events, fate = plan(ctx, lead_day)
    journey = Journey(ctx, lead_id, rep)
    generated = ctx.new_id()
    journey.move("new", created, "created", generated)
    journey.milestones.append(Milestone(generated, "lead_generated", created, None, "new"))
    engaged, last = _apply_events(ctx, rows, journey, events)
    deal, metas = None, {}
    if fate in ("converted", "pending") and last is not None:
        booking_day = last // MINUTES_PER_DAY + 1 + int(r() * 20)
        if booking_day <= ctx.today_ordinal:
            when = ctx.happened_at(booking_day)
            deal = Deal(ctx, rows, lead_id, rep, when, person, since=last // MINUTES_PER_DAY)
            for kind, when, milestone_id, meta in deal.run(confirmed=fate == "converted"):
                metas[milestone_id] = meta
                journey.milestone(milestone_id, kind, when)
            summaries.deal(deal)
    if deal is None and last is not None and journey.status in OPEN_QUOTE:
        _open_quotation(ctx, rows, lead_id, last // MINUTES_PER_DAY)
    year = day_text(lead_day)[:4]
    code = ctx.next_code(f"lead:{year}")
    rows.leads.append(
        f"{ctx.tenant}\t{lead_id}\tLEAD-{year}-{code:04d}\t{person.name}\t{person.company}"
        f"\t{person.email}\t{person.phone}\t{journey.status}\t{source_id.hex}"
        f"\t{campaign_id.hex if campaign_id else NULL}\t{rep}\t{VALUES[int(r() * 3)]}"
        f"\t{person.notes}\t{day_text(lead_day)}\t{stamp(created)}\t{ctx.actor}\t{ctx.now}\t{ctx.actor}\t{NULL}\n"
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


def _open_quotation(ctx: Context, rows: Rows, lead_id: str, day: int) -> None:
    """For a share of leads still at proposal or negotiation, the quotation they hold,
    sent on the day of their last event: still open (read as expired once its validity
    has passed) or rejected a few days later."""
    r = ctx.rng.random
    if r() >= QUOTED_SHARE:
        return
    inventory_id, unit_type = ctx.inventory[int(r() * len(ctx.inventory))]
    base = Decimal(30 + int(r() * 120)) * 100_000
    rejected = r() < REJECTED_SHARE
    decided = ctx.happened_at(min(day + 1 + int(r() * 20), ctx.today_ordinal))
    quote = quotes.Quote(
        lead_id=lead_id,
        inventory_id=inventory_id,
        unit_label=unit_type,
        base=base,
        day=day,
        status="rejected" if rejected else "sent",
        decided=decided if rejected else None,
    )
    quotes.write_quote(ctx, rows, quote)


def _apply_events(
    ctx: Context, rows: Rows, journey: Journey, events: list[Event]
) -> tuple[dict[int, int], int | None]:
    """Apply the events that have happened by now; returns engagements by day ordinal and
    the instant of the last event applied."""
    r = ctx.rng.random
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
    return engaged, last


def _milestone(ctx: Context, lead: bytes, m: Milestone, rep: bytes, meta: str) -> bytes:
    """A milestone as a binary COPY row (27 fields)."""
    kind, when = m.kind, m.when
    day, minute = divmod(when, MINUTES_PER_DAY)
    r = ctx.rng.random
    if kind in VISITS:
        name, lat, lon = PLACES[int(r() * len(PLACES))]
        outcome = OUTCOMES[int(r() * 3)]
        visit = (
            cb.word(name) + cb.float8(lat) + cb.float8(lon) + rep
            + cb.int4(30 + int(r() * 121)) + cb.word(outcome)
        )  # fmt: skip
        notes = people.pick(people.VISIT_NOTE_FIELDS[outcome], r)
    else:
        visit = NO_VISIT
        notes = people.pick(people.MILESTONE_NOTE_FIELDS.get(kind, people.NO_NOTE), r)
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
            notes, cb.text(meta), at, ctx.actor_field, at, ctx.actor_field, cb.NULL,
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
    subject = people.pick(people.SUBJECT_FIELDS[what], r)
    reply = people.pick(people.RESPONSE_FIELDS, r) if answered else cb.EMPTY
    at = cb.stamp(when)
    return b"".join(
        (
            ENGAGEMENT_FIELDS, ctx.tenant_field, cb.uid(event_id), lead, cb.word(what),
            cb.word(channel), at, subject, cb.EMPTY, cb.word(status),
            cb.TRUE if answered else cb.FALSE, response, reply, seconds,
            at, rep, at, rep, cb.NULL,
        )
    )  # fmt: skip
