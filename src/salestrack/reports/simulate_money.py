"""A simulated deal: the customer, the booking, its invoice, payments and perhaps a
cancellation with its credit note and refund payout, as the money services write them.

Confirmation posts the invoice and records a ``booking`` milestone; cancellation posts the
note that leaves the customer owing minus the refund (paid and not refunded is kept as a
fee) and records a ``cancellation`` milestone. Running balances are computed in order.
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from salestrack.reports.simulate import Context, Rows

CENT = Decimal("0.01")
MilestoneEvent = tuple[str, datetime, uuid.UUID, str]


def _at(day: date, rng: random.Random) -> datetime:
    return datetime.combine(day, time(rng.randint(9, 18), rng.randint(0, 59)), tzinfo=UTC)


class Deal:
    def __init__(
        self, ctx: Context, rows: Rows, lead_id: uuid.UUID, rep: uuid.UUID, when: datetime
    ) -> None:
        self.ctx, self.rows, self.lead_id, self.rep, self.when = ctx, rows, lead_id, rep, when
        self.customer_id = uuid.uuid4()
        self.position = 0
        self.balance = Decimal("0.00")

    def _entry(
        self,
        kind: str,
        day: date,
        debit: Decimal,
        credit: Decimal,
        booking_id: uuid.UUID,
        description: str,
    ) -> uuid.UUID:
        ctx = self.ctx
        entry_id = uuid.uuid4()
        self.position += 1
        self.balance += debit - credit
        code = ctx.next_code("ledger")
        at = _at(day, ctx.rng)
        self.rows.ledger.append(
            (
                ctx.tenant_id, entry_id, f"LED-{code:06d}", self.customer_id, self.position, day,
                kind, debit, credit, self.balance, "booking", str(booking_id), description,
                "active", None, at, ctx.actor_id, at, ctx.actor_id, None,
            )
        )  # fmt: skip
        return entry_id

    def run(self, *, confirmed: bool) -> Iterator[MilestoneEvent]:
        """Write the deal's rows; yield the milestones it records on the lead, in order."""
        ctx, rng = self.ctx, self.ctx.rng
        day = self.when.date()
        cust = ctx.next_code("cust")
        self.rows.customers.append(
            (
                ctx.tenant_id, self.customer_id, f"CUST-{cust:04d}", f"Customer {cust}", None,
                None, self.lead_id, "active", self.when, ctx.actor_id, self.when, ctx.actor_id,
                None,
            )
        )  # fmt: skip
        inventory_id, unit_type = rng.choice(ctx.inventory)
        booking_id = uuid.uuid4()
        code = ctx.next_code(f"bkg:{day.year}")
        amount = Decimal(rng.randrange(30, 150)) * 100_000
        units = 1 if rng.random() < 0.9 else 2
        booking: dict[str, Any] = {
            "status": "confirmed" if confirmed else rng.choice(["pending", "pending", "on_hold"]),
            "invoice": None,
            "cancel": (None, None, None),
        }
        meta = json.dumps({"booking_id": str(booking_id), "booking_code": f"BKG-{code}"})
        if confirmed:
            booking["invoice"] = self._entry(
                "invoice", day, amount, Decimal("0.00"), booking_id, "invoice for booking"
            )
            yield "booking", self.when, uuid.uuid4(), meta
            paid, last = self._payments(day, amount, booking_id)
            cancel_day = last + timedelta(days=rng.randint(5, 40))
            if rng.random() < 0.1 and cancel_day <= ctx.today:
                refund = (paid * Decimal("0.8")).quantize(CENT)
                note = amount - paid + refund
                if note > 0:
                    self._entry(
                        "credit_note", cancel_day, Decimal("0.00"), note, booking_id, "cancellation"
                    )
                booking["status"] = "cancelled"
                booking["cancel"] = (cancel_day, "customer withdrew", refund)
                yield "cancellation", _at(cancel_day, rng), uuid.uuid4(), meta
                payout = cancel_day + timedelta(days=rng.randint(5, 20))
                if refund > 0 and payout <= ctx.today:
                    self._entry("adjustment", payout, refund, Decimal("0.00"), booking_id, "refund")
            elif (ctx.today - day).days > 180 and rng.random() < 0.5:
                booking["status"] = "completed"
        if booking["status"] in ("confirmed", "pending", "on_hold"):
            self.rows.held[inventory_id] = self.rows.held.get(inventory_id, 0) + units
        cancel_day, reason, refund = booking["cancel"]
        self.rows.bookings.append(
            (
                ctx.tenant_id, booking_id, f"BKG-{day.year}-{code:04d}", self.customer_id,
                self.lead_id, inventory_id, day, amount, unit_type, units,
                day + timedelta(days=540), booking["status"], "", booking["invoice"], cancel_day,
                reason, refund, self.when, ctx.actor_id, self.when, ctx.actor_id, None,
            )
        )  # fmt: skip

    def _payments(self, day: date, amount: Decimal, booking_id: uuid.UUID) -> tuple[Decimal, date]:
        rng, paid, last = self.ctx.rng, Decimal("0.00"), day
        share = Decimal(rng.choice([10, 20, 30, 50, 100])) / 100
        for _ in range(rng.randint(1, 4)):
            pay_day = last + timedelta(days=rng.randint(10, 60))
            if pay_day > self.ctx.today or paid >= amount:
                break
            part = min((amount * share).quantize(CENT), amount - paid)
            self._entry("payment", pay_day, Decimal("0.00"), part, booking_id, "payment")
            paid += part
            last = pay_day
        return paid, last
