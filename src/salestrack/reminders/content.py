"""What a reminder says: the follow-ups it lists, read at send time, as a text and an HTML
part in the recipient's language and number format, each follow-up linking to its lead.

``compose`` re-reads everything when it runs: a follow-up done, moved or deleted since the
reminder was scheduled is not listed (an alert for it is not sent at all), a lead that was
reassigned leaves the old assignee's digest.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, time
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from salestrack.auth.models import Tenant, User
from salestrack.core.formatting import LocaleFormat
from salestrack.journey import followups
from salestrack.journey.models import LeadMilestone
from salestrack.leads.models import Lead
from salestrack.reminders import i18n
from salestrack.reminders.models import Outcome, ReminderKind

LISTED = 100  # a digest lists this many follow-ups per section, then says how many more


@dataclass(frozen=True)
class Person:
    """The recipient as the reminder needs them."""

    user_id: uuid.UUID
    email: str
    name: str
    locale: str | None  # their choice; None: the tenant's


@dataclass(frozen=True)
class Letter:
    subject: str
    text: str
    html: str
    items: int
    language: str


@dataclass
class Item:
    """One follow-up as the e-mail shows it."""

    lead_name: str
    lead_code: str
    url: str
    milestone_type: str
    due: date
    due_time: time | None
    days_late: int
    notes: str
    assignee: str = ""


def slot_of_day(day: date) -> str:
    return day.isoformat()


def slot_of_alert(milestone_id: uuid.UUID, day: date, at: time) -> str:
    return f"{milestone_id}@{day.isoformat()}T{at.strftime('%H:%M')}"


def parse_alert_slot(slot: str) -> tuple[uuid.UUID, date, time]:
    milestone, _, moment = slot.partition("@")
    day, _, at = moment.partition("T")
    return uuid.UUID(milestone), date.fromisoformat(day), time.fromisoformat(at)


def compose(
    session: Session,
    *,
    tenant_id: uuid.UUID,
    kind: ReminderKind,
    slot: str,
    person: Person,
    public_url: str,
) -> Letter | Outcome:
    """The e-mail, or why there is nothing to send (an ``Outcome``)."""
    tenant = session.get(Tenant, tenant_id)
    assert tenant is not None
    fmt = LocaleFormat(person.locale or tenant.locale, tenant.currency, tenant.timezone)
    language = i18n.language_of(fmt.locale)
    page = _Page(public_url.rstrip("/"), fmt, language, tenant.name, person)
    if kind is ReminderKind.alert:
        return _alert(session, tenant_id, slot, person, page)
    day = date.fromisoformat(slot)
    if kind is ReminderKind.digest:
        return _digest(session, tenant_id, day, person, page)
    return _team_digest(session, tenant_id, day, page)


@dataclass(frozen=True)
class _Page:
    base: str
    fmt: LocaleFormat
    language: str
    tenant_name: str
    person: Person

    def item(self, milestone: LeadMilestone, lead: Lead, day: date, assignee: str = "") -> Item:
        assert milestone.follow_up_date is not None
        return Item(
            lead_name=lead.name,
            lead_code=lead.lead_code,
            url=f"{self.base}/leads/{lead.id}",
            milestone_type=str(milestone.milestone_type).replace("_", " ").capitalize(),
            due=milestone.follow_up_date,
            due_time=milestone.follow_up_time,
            days_late=max((day - milestone.follow_up_date).days, 0),
            notes=milestone.notes,
            assignee=assignee,
        )

    def render(self, template: str, items: int, **context: Any) -> Letter:
        env = i18n.environment(self.language)
        values = {
            "fmt": self.fmt,
            "base": self.base,
            "person": self.person,
            "tenant_name": self.tenant_name,
            "preferences_url": f"{self.base}/me",
            "follow_ups_url": f"{self.base}/follow-ups",
            **context,
        }
        subject = env.get_template(f"{template}.subject.txt").render(values).strip()
        return Letter(
            subject=" ".join(subject.split()),
            text=env.get_template(f"{template}.txt").render(values),
            html=env.get_template(f"{template}.html").render(values),
            items=items,
            language=self.language,
        )


def _digest(
    session: Session, tenant_id: uuid.UUID, day: date, person: Person, page: _Page
) -> Letter | Outcome:
    rows, total = followups.due_by(
        session, tenant_id=tenant_id, on=day, assigned_to=person.user_id, limit=2 * LISTED
    )
    if not total:
        return Outcome.nothing_due
    overdue = [page.item(m, lead, day) for m, lead in rows if m.follow_up_date != day]
    today = [page.item(m, lead, day) for m, lead in rows if m.follow_up_date == day]
    shown = min(len(overdue), LISTED) + min(len(today), LISTED)
    return page.render(
        "digest",
        total,
        day=day,
        total=total,
        overdue=overdue[:LISTED],
        today=today[:LISTED],
        more=total - shown,
    )


def _team_digest(
    session: Session, tenant_id: uuid.UUID, day: date, page: _Page
) -> Letter | Outcome:
    rows, total = followups.due_by(
        session, tenant_id=tenant_id, on=day, overdue_only=True, limit=LISTED
    )
    if not total:
        return Outcome.nothing_due
    names = _names(session, tenant_id)
    groups: dict[str, list[Item]] = {}
    for milestone, lead in rows:
        who = names.get(lead.assigned_to, "") if lead.assigned_to else ""
        groups.setdefault(who, []).append(page.item(milestone, lead, day, who))
    ordered = sorted(groups.items(), key=lambda pair: (pair[0] == "", pair[0].lower()))
    return page.render(
        "team_digest", total, day=day, total=total, groups=ordered, more=total - len(rows)
    )


def _alert(
    session: Session, tenant_id: uuid.UUID, slot: str, person: Person, page: _Page
) -> Letter | Outcome:
    milestone_id, day, at = parse_alert_slot(slot)
    found = followups.open_one(session, tenant_id=tenant_id, milestone_id=milestone_id)
    if found is None:
        return Outcome.follow_up_closed
    milestone, lead = found
    moved = (milestone.follow_up_date, _minute(milestone.follow_up_time)) != (day, at)
    if moved or lead.assigned_to != person.user_id:
        return Outcome.follow_up_closed
    item = page.item(milestone, lead, day)
    return page.render("alert", 1, item=item, day=day, at=at)


def _minute(value: time | None) -> time | None:
    return None if value is None else value.replace(second=0, microsecond=0)


def _names(session: Session, tenant_id: uuid.UUID) -> dict[uuid.UUID, str]:
    stmt = select(User.id, User.full_name, User.email).where(User.tenant_id == tenant_id)
    return {row.id: row.full_name or row.email for row in session.execute(stmt)}
