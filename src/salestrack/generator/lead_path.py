"""One lead's path: the events that happen to it, and its status as they are applied.

Events (engagements, milestones) are drawn with believable drop-off and put in time
order; ``Journey`` runs them through the journey's own rules
(``rules.status_after_milestone`` / ``status_after_engagement``) so every milestone's
``status_before``/``status_after`` and the status history agree with the lead's status,
and closes follow-ups by the journey's rule.
"""

from __future__ import annotations

import random

from salestrack.generator import copybinary as cb
from salestrack.generator.copytext import MINUTES_PER_DAY, day_text
from salestrack.generator.records import Context, Event, Milestone, at_day, uniform
from salestrack.journey import rules
from salestrack.journey.models import EngagementType, MilestoneType
from salestrack.leads.models import LeadStatus

HISTORY_FIELDS = cb.fields(10)
ENGAGEMENT_TYPES = [t.value for t in EngagementType]


class _Plan:
    """The events drawn so far and the day the last one fell on."""

    def __init__(self, rng: random.Random, start: int) -> None:
        self.rng, self.start, self.day = rng, start, start
        self.r, self.between = rng.random, uniform(rng)
        self.events: list[Event] = []

    def later(self, lo: int, hi: int) -> int:
        self.day += self.between(lo, hi)
        return at_day(self.day, self.rng)

    def add(self, when: int, kind: str, what: str, completed: bool = True, fu: float = 0.0) -> None:
        self.events.append((when, kind, what, completed, fu))


def plan(ctx: Context, start: int) -> tuple[list[Event], str]:
    """The lead's events in time order and its fate (open, converted, pending, lost)."""
    p = _Plan(ctx.rng, start)
    r, between = p.r, p.between
    if r() >= 0.8:  # never reached: a few unanswered call attempts
        for _ in range(between(1, 3)):
            p.add(p.later(0, 6), "e", "call_made", False)
        return p.events, "open"
    p.add(p.later(0, 3), "e", "call_made")
    for _ in range(between(3, 6)):
        p.add(p.later(1, 6), "m", "contacted")
    for _ in range(between(12, 24)):  # calls, messages, mails over the first quarter
        p.add(at_day(start + between(0, 90), p.rng), "e", ENGAGEMENT_TYPES[int(r() * 6)])
    fate = "lost" if r() < 0.45 else "open"
    if r() < 0.55:
        fate = _visits_and_offer(p, fate)
    if fate == "lost":
        p.add(p.later(5, 30), "m", "cancellation")
        if r() < 0.1:
            p.add(p.later(5, 30), "m", "reengaged")
            fate = "open"
    p.events.sort(key=lambda e: e[0])
    return p.events, fate


def _visits_and_offer(p: _Plan, fate: str) -> str:
    """A site visit, perhaps revisits, a proposal and negotiation; the fate they lead to."""
    r, between = p.r, p.between
    p.add(p.later(3, 15), "m", "site_visit", fu=0.5)
    for _ in range(between(0, 2)):
        p.add(p.later(2, 10), "m", "revisit" if r() < 0.5 else "demo")
    if r() < 0.5:
        p.add(p.later(3, 12), "m", "proposal")
        for _ in range(between(1, 2)):
            p.add(p.later(2, 10), "m", "negotiation")
        roll = r()
        if roll < 0.45:
            return "converted"
        if roll < 0.52:
            return "pending"
    return fate


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

    def open_follow_ups_by_due_day(self) -> dict[str, int]:
        """Follow-ups still open, counted by due day (five days after the milestone)."""
        due: dict[str, int] = {}
        for m in self.milestones:
            if m.follow and m.closed_at is None:
                day = day_text(m.when // MINUTES_PER_DAY + 5)
                due[day] = due.get(day, 0) + 1
        return dict(sorted(due.items()))
