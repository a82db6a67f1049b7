"""A simulated deal: the customer, the booking, its invoice, payment plan, demands,
payments with their receipts and perhaps a cancellation with its credit note and refund
payout, as the money and billing services write them.

Confirmation posts the invoice and records a ``booking`` milestone; the booking's payment
plan (10/20/30/40%, due on the booking day and 90, 180 and 270 days later) reverses that
invoice, and each instalment due by today is demanded on its day (an ``INV`` document);
each payment gets its receipt (``RCT``). Cancellation posts the note that leaves the
customer owing minus the refund (paid and not refunded is kept as a fee; a credit note
gets its ``CN``) and records a ``cancellation`` milestone. Running balances are computed
in order. Document numbers are gap-free per series and financial year, in the order the
deals are simulated (not by date).

Rows come out as COPY text lines; the deal also keeps the facts its summaries need (the
ledger entries as ``money_facts.ledger_by_day`` reads them, what was paid and refunded).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import date
from decimal import Decimal

from salestrack.documents.numbers import Series, counter_name, format_number
from salestrack.generator import quotes
from salestrack.generator.copytext import MINUTES_PER_DAY, NULL, day_of, day_text, stamp
from salestrack.generator.people import Person
from salestrack.generator.records import Context, Entry, Rows
from salestrack.money.booking_money import BookingCash
from salestrack.money.inventory import HOLDING
from salestrack.reports.facts import LeadBooking

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
MilestoneEvent = tuple[str, int, str, str]
# The payment plan every generated booking gets: (share %, days after booking).
PLAN = ((Decimal(10), 0), (Decimal(20), 90), (Decimal(30), 180), (Decimal(40), 270))
PAY_DAYS = 15  # billing settings' default


class Deal:
    """One lead's deal as it is written: rows into ``rows``, facts kept for the summaries."""

    def __init__(
        self,
        ctx: Context,
        rows: Rows,
        lead_id: str,
        rep: str,
        when: int,
        person: Person,
        *,
        since: int,
    ) -> None:
        """``since``: the day of the lead's last event, the earliest its quotation is sent."""
        self.ctx, self.rows, self.lead_id, self.rep, self.when = ctx, rows, lead_id, rep, when
        self.person, self.since = person, since
        self.customer_id = ctx.new_id()
        self.customer_code = ""  # given when the deal runs
        self.booking_id = ""
        self.entries: list[Entry] = []
        self.balance = ZERO
        self.status = ""
        self.amount = ZERO
        self.units = 1
        self.invoiced = False
        self.paid = ZERO
        self.demanded = ZERO
        self.refund_promised = ZERO
        self.refund_paid = ZERO
        self.cancel_text = ""

    @property
    def day(self) -> int:
        return self.when // MINUTES_PER_DAY

    # The booking's columns as ``money_facts.booking_facts_from`` reads them.
    @property
    def booking_date(self) -> date:
        return day_of(self.day)

    @property
    def booking_amount(self) -> Decimal:
        return self.amount

    @property
    def unit_count(self) -> int:
        return self.units

    @property
    def cancellation_refund_amount(self) -> Decimal:
        return self.refund_promised

    @property
    def cash(self) -> BookingCash:
        """Paid in and refunded, as ``booking_money.cash_by_booking`` would sum them."""
        return BookingCash(self.paid, self.refund_paid)

    def lead_booking(self) -> LeadBooking:
        """The booking as its lead's money facts read it."""
        return LeadBooking(self.status, self.amount, self.invoiced, self.cash)

    def _entry(
        self,
        kind: str,
        day: int,
        debit: Decimal,
        credit: Decimal,
        note: str,
        *,
        status: str = "active",
        reversal_of: str | None = None,
    ) -> str:
        ctx = self.ctx
        entry_id = ctx.new_id()
        self.balance += debit - credit
        position = len(self.entries) + 1
        reference = "booking" if reversal_of is None else "ledger_entry"
        reference_id = uuid.UUID(self.booking_id if reversal_of is None else reversal_of)
        self.entries.append(
            Entry(kind, debit, credit, day_of(day), status, reversal_of, reference, position)
        )
        at = stamp(ctx.happened_at(day))
        code = f"LED-{self.customer_code}-{position:04d}"  # as money.ledger.ledger_code
        self.rows.ledger.append(
            f"{ctx.tenant}\t{entry_id}\t{code}\t{self.customer_id}\t{position}"
            f"\t{day_text(day)}\t{kind}\t{debit}\t{credit}\t{self.balance}\t{reference}"
            f"\t{reference_id}\t{note}\t{status}\t{reversal_of or NULL}\t{at}\t{ctx.actor}"
            f"\t{at}\t{ctx.actor}\t{NULL}\n"
        )
        return entry_id

    def _document(
        self,
        series: Series,
        day: int,
        entry_id: str,
        amount: Decimal,
        note: str,
        instalment_id: str | None = None,
    ) -> None:
        """The numbered document of an entry (``billing.issue``), dated as the entry."""
        ctx = self.ctx
        on = day_of(day)
        number = format_number(series, on, ctx.next_code(counter_name(series, on)))
        kind = {Series.demand: "demand", Series.receipt: "receipt"}.get(series, "credit_note")
        pay_by = day_text(day + PAY_DAYS) if series is Series.demand else NULL
        at = stamp(ctx.happened_at(day))
        self.rows.documents.append(
            f"{ctx.tenant}\t{ctx.new_id()}\t{kind}\t{number}\t{day_text(day)}"
            f"\t{self.customer_id}\t{uuid.UUID(self.booking_id)}\t{instalment_id or NULL}"
            f"\t{entry_id}\t{amount}\t{pay_by}\t{NULL}\t{NULL}\t{NULL}\t{NULL}\t{note}"
            f"\t{at}\t{ctx.actor}\t{at}\t{ctx.actor}\t{NULL}\n"
        )

    def _plan(self, day: int, invoice: str) -> None:
        """The booking's plan: the lump-sum invoice reversed, each instalment due by today
        demanded on its day (``billing.plans``, ``billing.demands``)."""
        ctx = self.ctx
        self._entry(
            "adjustment",
            day,
            ZERO,
            self.amount,
            "invoiced by its payment plan's demands",
            reversal_of=invoice,
        )
        plan_id = ctx.new_id()
        at = stamp(ctx.happened_at(day))
        self.rows.plans.append(
            f"{ctx.tenant}\t{plan_id}\t{uuid.UUID(self.booking_id)}\t{self.amount}\t"
            f"\t{at}\t{ctx.actor}\t{at}\t{ctx.actor}\t{NULL}\n"
        )
        for position, (share, after) in enumerate(PLAN, 1):
            instalment_id = ctx.new_id()
            amount = (self.amount * share / 100).quantize(CENT)
            label = "On booking" if after == 0 else f"{after} days after booking"
            due = day + after
            self.rows.instalments.append(
                f"{ctx.tenant}\t{instalment_id}\t{plan_id}\t{position}\t{label}\t{share}"
                f"\t{amount}\t{day_text(due)}\t{NULL}\n"
            )
            if due <= ctx.today_ordinal:
                entry = self._entry("invoice", due, amount, ZERO, f"demand for {label}")
                self._document(Series.demand, due, entry, amount, label, instalment_id)
                self.demanded += amount

    def run(self, *, confirmed: bool) -> Iterator[MilestoneEvent]:
        """Write the deal's rows; yield the milestones it records on the lead, in order."""
        ctx, r = self.ctx, self.ctx.rng.random
        day = self.day
        cust = ctx.next_code("cust")
        self.customer_code = f"CUST-{cust:04d}"
        at = stamp(self.when)
        self.rows.customers.append(
            f"{ctx.tenant}\t{self.customer_id}\t{self.customer_code}\t{self.person.name}"
            f"\t{self.person.email}\t{self.person.phone}"
            f"\t{self.lead_id}\tactive\t{at}\t{ctx.actor}\t{at}\t{ctx.actor}\t{NULL}\n"
        )
        inventory_id, unit_type = ctx.inventory[int(r() * len(ctx.inventory))]
        self.booking_id = ctx.new_id()
        year = day_text(day)[:4]
        code = ctx.next_code(f"bkg:{year}")
        base = Decimal(30 + int(r() * 120)) * 100_000
        self.amount = quotes.priced(ctx, base)[1].grand_total  # accepting copies the total
        self.units = 1 if r() < 0.9 else 2
        self.status = "confirmed" if confirmed else ("pending", "pending", "on_hold")[int(r() * 3)]
        invoice: str = NULL
        self.cancel_text = f"{NULL}\t{NULL}\t{NULL}"
        meta = json.dumps(
            {"booking_id": str(uuid.UUID(self.booking_id)), "booking_code": f"BKG-{code}"}
        )
        if confirmed:
            invoice = self._entry(
                "invoice", day, self.amount, ZERO, "invoice for booking", status="reversed"
            )
            self._plan(day, invoice)
            self.invoiced = True
            yield "booking", self.when, ctx.new_id(), meta
            yield from self._after_confirmation(day, meta)
        self._quotation(inventory_id, unit_type, base)
        if self.status in HOLDING:
            self.rows.held[inventory_id] = self.rows.held.get(inventory_id, 0) + self.units
        self.rows.bookings.append(
            f"{ctx.tenant}\t{self.booking_id}\tBKG-{year}-{code:04d}\t{self.customer_id}"
            f"\t{self.lead_id}\t{inventory_id.hex}\t{day_text(day)}\t{self.amount}\t{unit_type}"
            f"\t{self.units}\t{day_text(day + 540)}\t{self.status}\t\t{invoice}\t{self.cancel_text}"
            f"\t{at}\t{ctx.actor}\t{at}\t{ctx.actor}\t{NULL}\n"
        )

    def _quotation(self, inventory_id: uuid.UUID, unit_type: str, base: Decimal) -> None:
        """The quotation the booking was accepted from: sent on or after the lead's last
        event, before the booking day and still valid on it; decided as the booking is made."""
        ctx, day = self.ctx, self.day
        earliest = max(self.since, day - ctx.validity_days)
        sent = earliest + int(ctx.rng.random() * (day - earliest))
        quote = quotes.Quote(
            lead_id=self.lead_id,
            inventory_id=inventory_id,
            unit_label=unit_type,
            base=base,
            day=sent,
            status="accepted",
            decided=self.when,
            customer_id=self.customer_id,
            booking_id=self.booking_id,
            delivery_day=day + 540,
        )
        quotes.write_quote(ctx, self.rows, quote)

    def _after_confirmation(self, day: int, meta: str) -> Iterator[MilestoneEvent]:
        """Payments, then perhaps a cancellation (credit note, refund payout) or, for an
        old deal, completion."""
        ctx, r = self.ctx, self.ctx.rng.random
        last = self._payments(day)
        cancel_day = last + 5 + int(r() * 36)
        if r() < 0.1 and cancel_day <= ctx.today_ordinal:
            refund = (self.paid * Decimal("0.8")).quantize(CENT)
            note = self.demanded - self.paid + refund  # what the demands still charge
            if note > 0:
                entry = self._entry("credit_note", cancel_day, ZERO, note, "cancellation")
                self._document(Series.credit_note, cancel_day, entry, note, "cancellation")
            elif note < 0:
                self._entry("debit_note", cancel_day, -note, ZERO, "cancellation")
            self.status = "cancelled"
            self.refund_promised = refund
            self.cancel_text = f"{day_text(cancel_day)}\tcustomer withdrew\t{refund}"
            yield "cancellation", ctx.happened_at(cancel_day), ctx.new_id(), meta
            payout = cancel_day + 5 + int(r() * 16)
            if refund > 0 and payout <= ctx.today_ordinal:
                self._entry("adjustment", payout, refund, ZERO, "refund")
                self.refund_paid = refund
        elif ctx.today_ordinal - day > 180 and r() < 0.5:
            self.status = "completed"

    def _payments(self, day: int) -> int:
        """Instalments of a fixed share until paid up or today; returns the last day paid."""
        r, last = self.ctx.rng.random, day
        share = Decimal((10, 20, 30, 50, 100)[int(r() * 5)]) / 100
        for _ in range(1 + int(r() * 4)):
            pay_day = last + 10 + int(r() * 51)
            if pay_day > self.ctx.today_ordinal or self.paid >= self.amount:
                break
            part = min((self.amount * share).quantize(CENT), self.amount - self.paid)
            entry = self._entry("payment", pay_day, ZERO, part, "payment")
            self._document(Series.receipt, pay_day, entry, part, "payment")
            self.paid += part
            last = pay_day
        return last
