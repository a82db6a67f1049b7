"""The record types the generator's modules share: the load's context, a batch's rows,
a milestone as simulated and a ledger entry as the customer summary reads it.

They live here, below every simulating module, so those modules import each other one
way only (no module needs another's types under ``TYPE_CHECKING``).
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import NamedTuple

from salestrack.generator import copybinary as cb
from salestrack.generator.copytext import MINUTES_PER_DAY, Ids

# An event: (instant, kind "m"/"e", what, completed, follow-up chance).
Event = tuple[int, str, str, bool, float]


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
    # What its quotations are priced and printed with (``documents.settings``): the GST
    # rate and SAC of ``base_price``, the tenant's state, validity days, terms (COPY text).
    base_rate: tuple[Decimal, str] = (Decimal(5), "")
    state_code: str | None = None
    validity_days: int = 15
    quotation_terms: str = ""

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
    plans: list[str] = field(default_factory=list)
    instalments: list[str] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)
    quotations: list[str] = field(default_factory=list)
    quotation_lines: list[str] = field(default_factory=list)
    lead_states: list[str] = field(default_factory=list)
    booking_states: list[str] = field(default_factory=list)
    customer_states: list[str] = field(default_factory=list)
    held: dict[uuid.UUID, int] = field(default_factory=dict)


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


class Entry(NamedTuple):
    """A ledger entry's fields as the customer summary reads them."""

    transaction_type: str
    debit_amount: Decimal
    credit_amount: Decimal
    transaction_date: date
    status: str
    reversal_of_id: str | None
    reference_document_type: str
    position: int
