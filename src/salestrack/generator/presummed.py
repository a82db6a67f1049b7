"""The report summaries of generated data, computed while it is simulated.

A bulk load used to be followed by ``rebuild``, which reads every row back (minutes at
100k leads, most of an hour at 1M). The simulation already knows each lead's, booking's
and customer's facts, so this module builds the same ``LeadFacts``/``BookingFacts``/
``CustomerFacts`` that ``rebuild`` would read, with the same fact functions
(``facts.lead_facts_from``, ``money_facts.*_facts_from``), and runs them through the same
``states.state_values`` for the state rows and ``contrib.*_contribution`` for the counters.
``tests/generator/test_generator.py`` checks the result equals ``rebuild``'s.
"""

from __future__ import annotations

import random
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, NamedTuple

from sqlalchemy.orm import Session

from salestrack.generator.copytext import day_of, day_text, value_text
from salestrack.generator.lead_path import Journey
from salestrack.generator.records import Rows
from salestrack.generator.simulate_money import Deal
from salestrack.reports import contrib, counters, facts, money_facts
from salestrack.reports.contrib import LeadFacts
from salestrack.reports.models import ReportBookingState, ReportCustomerState, ReportLeadState
from salestrack.reports.states import state_values

ZERO = Decimal("0.00")
STATE_COLUMNS = {
    "report_lead_state": [c.name for c in ReportLeadState.__table__.columns],
    "report_booking_state": [c.name for c in ReportBookingState.__table__.columns],
    "report_customer_state": [c.name for c in ReportCustomerState.__table__.columns],
}
COUNTER_COLUMNS = (
    "tenant_id", "family", "dim_kind", "grain", "period", "dim_id", "metric", "shard", "n",
    "amount",
)  # fmt: skip


def state_line(tenant: str, key: uuid.UUID | str, table: str, values: dict[str, Any]) -> str:
    """A state row (tenant, record id, then the summary's values by column) as COPY text."""
    names = STATE_COLUMNS[table][2:]
    key_text = key.hex if isinstance(key, uuid.UUID) else key
    return "\t".join([tenant, key_text, *(value_text(values[n]) for n in names)]) + "\n"


# A lead's facts but its engagements and follow-ups: day ordinal, source, campaign, assignee,
# status, reached, conversion day ordinal, revenue, collected.
Base = tuple[
    int,
    uuid.UUID | None,
    uuid.UUID | None,
    uuid.UUID | None,
    str,
    int,
    int | None,
    Decimal,
    Decimal,
]
CANON: Base = (contrib.EPOCH.toordinal(), None, None, None, "new", 0, None, ZERO, ZERO)
# The same, closed: engagements of an open lead count once more (``eng_open``).
CANON_CLOSED: Base = (contrib.EPOCH.toordinal(), None, None, None, "lost", 0, None, ZERO, ZERO)


class _Lead(NamedTuple):
    """A simulated lead's own columns, as ``facts.lead_facts_from`` reads a lead."""

    lead_date: date
    source_id: uuid.UUID | None
    campaign_id: uuid.UUID | None
    assigned_to: uuid.UUID | None
    status: str
    retouched_at: datetime | None = None  # generated leads never enquire twice
    last_source_id: uuid.UUID | None = None
    last_campaign_id: uuid.UUID | None = None


def _facts(base: Base, engagements: dict[str, int], follow_ups: dict[str, int]) -> LeadFacts:
    day, source, campaign, assignee, status, reached, converted, revenue, collected = base
    return facts.lead_facts_from(
        _Lead(day_of(day), source, campaign, assignee, status),
        live=True,
        reached=reached,
        converted_on=None if converted is None else day_of(converted),
        money=(revenue, collected),
        engagements=engagements,
        follow_ups=follow_ups,
    )


@dataclass
class Tally:
    """Counter totals so far, lead contributions still as counts of like facts.

    ``lead_contribution`` runs once per distinct ``Base`` (times its count) and once per
    distinct (day, n, open) of engagements and (day, n) of open follow-ups, each measured as
    what it adds to a lead without them. That is exact while a lead's engagement counters
    depend on its other facts only through whether it is open now, and its follow-up
    counters not at all (they are tenant-wide by day); the generator test compares the
    outcome with ``rebuild`` and would catch a change to that.
    """

    totals: dict[contrib.Key, list[int]] = field(default_factory=dict)
    leads: Counter[Base] = field(default_factory=Counter)
    engaged: Counter[tuple[str, int, bool]] = field(default_factory=Counter)
    follow_ups: Counter[tuple[str, int]] = field(default_factory=Counter)

    def add(self, part: contrib.Contribution, times: int = 1) -> None:
        totals = self.totals
        for key, (n, amount) in part.items():
            slot = totals.setdefault(key, [0, 0])
            slot[0] += n * times
            slot[1] += amount * times

    def merge(self, other: Tally) -> None:
        """Add another process's tally (the load may simulate in a worker)."""
        for key, (n, amount) in other.totals.items():
            slot = self.totals.setdefault(key, [0, 0])
            slot[0] += n
            slot[1] += amount
        self.leads.update(other.leads)
        self.engaged.update(other.engaged)
        self.follow_ups.update(other.follow_ups)

    def frozen(self) -> contrib.Contribution:
        """The counter rows to write (what ``rebuild`` hands to ``counters.apply``)."""
        out = Tally(totals={k: list(v) for k, v in self.totals.items()})
        for base, times in self.leads.items():
            out.add(contrib.lead_contribution(_facts(base, {}, {})), times)
        plain = contrib.lead_contribution(_facts(CANON, {}, {}))
        plain_closed = contrib.lead_contribution(_facts(CANON_CLOSED, {}, {}))
        for (day, n, open_now), times in self.engaged.items():
            canon, before = (CANON, plain) if open_now else (CANON_CLOSED, plain_closed)
            more = contrib.lead_contribution(_facts(canon, {day: n}, {}))
            out.add(contrib.difference(before, more), times)
        for (day, n), times in self.follow_ups.items():
            more = contrib.lead_contribution(_facts(CANON, {}, {day: n}))
            out.add(contrib.difference(plain, more), times)
        return contrib.difference({}, {k: (v[0], v[1]) for k, v in out.totals.items()})


class Summaries:
    """Summary state rows of each batch, and the tally of everything simulated so far."""

    def __init__(self, tenant_id: uuid.UUID) -> None:
        self.tenant_id = tenant_id
        self.tenant = tenant_id.hex
        self.tally = Tally()

    def deal(self, deal: Deal) -> None:
        """The booking's and the customer's state rows and contributions."""
        booking = money_facts.booking_facts_from(deal, deal.cash, live=True)
        self.tally.add(contrib.booking_contribution(booking))
        values = state_values(booking)
        deal.rows.booking_states.append(
            state_line(self.tenant, deal.booking_id, "report_booking_state", values)
        )
        customer = money_facts.customer_facts_from(
            deal.entries,
            live=True,
            created_on=day_of(deal.day),
            live_bookings=0 if deal.status == "cancelled" else 1,
        )
        self.tally.add(contrib.customer_contribution(customer))
        values = state_values(customer)
        deal.rows.customer_states.append(
            state_line(self.tenant, deal.customer_id, "report_customer_state", values)
        )

    def lead(
        self,
        rows: Rows,
        *,
        lead_id: str,
        lead_day: int,
        dims: tuple[uuid.UUID | None, uuid.UUID | None, uuid.UUID | None],
        journey: Journey,
        engaged: dict[int, int],
        deal: Deal | None,
    ) -> None:
        """The lead's state row and contribution (``dims``: source, campaign, assignee)."""
        bookings = [] if deal is None else [deal.lead_booking()]
        revenue, collected = facts.lead_money_from(bookings)
        follow_ups = journey.open_follow_ups_by_due_day()
        base: Base = (
            lead_day,
            *dims,
            journey.status,
            facts.reach_of(journey.reached),
            journey.converted_on,
            revenue,
            collected,
        )
        engagements = {day_text(d): n for d, n in sorted(engaged.items())}
        tally = self.tally
        tally.leads[base] += 1
        open_now = journey.status in contrib.OPEN_STATUSES
        for day, n in engagements.items():
            tally.engaged[(day, n, open_now)] += 1
        for item in follow_ups.items():
            tally.follow_ups[item] += 1
        values = state_values(_facts(base, engagements, follow_ups))
        rows.lead_states.append(state_line(self.tenant, lead_id, "report_lead_state", values))


def write_counters(
    session: Session, tenant_id: uuid.UUID, delta: contrib.Contribution, *, copy: bool
) -> None:
    """Add ``delta`` to the tenant's counters as ``counters.apply`` does (one random shard
    for the tenant-wide rows, ``value + delta`` upserts in key order), but with COPY into a
    scratch table and one ``INSERT ... SELECT`` when COPY is allowed: a million-lead load
    has ~100k counter rows, and psycopg spends seconds splitting 5000-parameter statements.
    """
    if not copy:
        counters.apply(session, tenant_id, delta)
        return
    shard = random.randrange(counters.SHARDS)  # noqa: S311 (spreading load, not security)
    tenant = tenant_id.hex
    lines = [
        f"{tenant}\t{family}\t{kind}\t{grain}\t{period.isoformat()}\t{dim_id.hex}\t{metric}"
        f"\t{shard if kind == 'all' else 0}\t{n}\t{Decimal(cents).scaleb(-2)}\n"
        for (family, kind, dim_id, grain, period, metric), (n, cents) in delta.items()
    ]
    names = ", ".join(COUNTER_COLUMNS)
    connection = session.connection()
    connection.exec_driver_sql(
        "CREATE TEMP TABLE seed_counters (LIKE report_counters) ON COMMIT DROP"
    )
    raw: Any = connection.connection.driver_connection
    with raw.cursor() as cursor, cursor.copy(f"COPY seed_counters ({names}) FROM STDIN") as out:
        out.write("".join(lines).encode())
    key = ", ".join(counters.KEY)
    connection.exec_driver_sql(
        f"INSERT INTO report_counters ({names}) SELECT {names} FROM seed_counters"  # noqa: S608
        f" ORDER BY {key} ON CONFLICT ({key}) DO UPDATE SET"
        " n = report_counters.n + excluded.n, amount = report_counters.amount + excluded.amount"
    )
