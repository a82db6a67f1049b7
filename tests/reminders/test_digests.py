"""Digests over a real SMTP server: exactly the rep's due and overdue follow-ups, each
linking to its lead, once per day; nothing for what was done first, nor for a user who was
deactivated; the manager's digest of the team's overdue follow-ups."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from salestrack.core.config import Settings
from salestrack.core.db import utcnow
from salestrack.core.worker import Worker
from salestrack.reminders.schedule import ScheduleReminders
from salestrack.reminders.send import SendReminders
from tests.journey.helpers import SALES
from tests.reminders.conftest import (
    ME,
    PUBLIC_URL,
    done,
    drain,
    follow_up,
    lead_for,
    reminders,
    worker_for,
)
from tests.reminders.smtp import Inbox
from tests.support import TenantWorld

LONG_AGO = "2025-01-05"


def _today_and_tomorrow() -> tuple[str, str]:
    # The tenant's zone is Asia/Kolkata (UTC+05:30, no daylight saving).
    today = (utcnow() + timedelta(hours=5, minutes=30)).date()
    return today.isoformat(), (today + timedelta(days=1)).isoformat()


def test_the_digest_lists_exactly_the_reps_due_and_overdue_follow_ups(
    team: TenantWorld,
    smtp: Inbox,
    worker: Worker,
    session_factory: sessionmaker[Session],
) -> None:
    rep, manager = team.rep, team.manager
    today, tomorrow = _today_and_tomorrow()
    overdue = lead_for(rep, "Meera Iyer")
    follow_up(rep, overdue, LONG_AGO, notes="Send the brochure")
    due_today = lead_for(rep, "Arjun Rao")
    follow_up(rep, due_today, today, on=today)
    not_yet = lead_for(rep, "Kavya Menon")
    follow_up(rep, not_yet, tomorrow, on=today)
    closed = lead_for(rep, "Rohan Das")
    done(rep, follow_up(rep, closed, LONG_AGO))
    deleted = lead_for(rep, "Ishaan Gupta")
    follow_up(rep, deleted, LONG_AGO)
    team.admin.ok("DELETE", f"{SALES}/leads/{deleted}", 204)
    someone_elses = lead_for(manager, "Zoya Khan")
    follow_up(manager, someone_elses, LONG_AGO)
    rep.ok("PATCH", ME, json={"digest_enabled": True, "digest_time": "00:00"})

    drain(worker)

    [mail] = smtp.to(rep.email)
    text, html = mail.part("plain"), mail.part("html")
    assert mail.message.get_content_type() == "multipart/alternative"
    for part in (text, html):
        assert "Meera Iyer" in part
        assert "Arjun Rao" in part
        for absent in ("Kavya Menon", "Rohan Das", "Ishaan Gupta", "Zoya Khan"):
            assert absent not in part
        assert f"{PUBLIC_URL}/leads/{overdue}" in part
        assert f"{PUBLIC_URL}/leads/{due_today}" in part
    assert "Send the brochure" in text
    assert text.index("Overdue") < text.index("Meera Iyer") < text.index("Due today")
    assert text.index("Due today") < text.index("Arjun Rao")
    assert mail.subject.startswith("2 follow-ups due for ")
    assert mail.message["Message-ID"].endswith("@crm.example.com>")
    assert mail.message["Auto-Submitted"] == "auto-generated"
    assert smtp.to(manager.email) == []  # the manager's digest is off in this team

    drain(worker)  # later passes the same day send nothing more
    assert len(smtp.to(rep.email)) == 1
    [record] = [r for r in reminders(session_factory, team, rep) if r.kind == "digest"]
    assert (record.outcome, record.status, record.items, record.attempts) == (
        "sent",
        "succeeded",
        2,
        1,
    )


def test_the_digest_is_in_the_users_language_and_number_format(
    team: TenantWorld, smtp: Inbox, worker: Worker
) -> None:
    rep = team.rep
    today, _ = _today_and_tomorrow()
    for number in range(3):
        follow_up(rep, lead_for(rep, f"Kunde {number}"), today, on=today)
    follow_up(rep, lead_for(rep, "Kunde alt"), "2025-03-01")
    rep.ok("PATCH", ME, json={"digest_enabled": True, "digest_time": "00:00", "locale": "de_DE"})
    drain(worker)
    [mail] = smtp.to(rep.email)
    assert mail.subject.startswith("4 Wiedervorlagen fällig am ")
    text = mail.part("plain")
    assert "Überfällig" in text
    assert "Heute fällig" in text
    assert "01.03.2025" in text  # German date format (Babel, de_DE)
    assert "Besichtigung" in text
    assert mail.message["Content-Language"] == "de"


def test_a_follow_up_done_before_its_slot_sends_nothing(
    team: TenantWorld,
    smtp: Inbox,
    mail_settings: Settings,
    session_factory: sessionmaker[Session],
) -> None:
    rep = team.rep
    first = follow_up(rep, lead_for(rep, "Neha Joshi"), LONG_AGO)
    rep.ok("PATCH", ME, json={"digest_enabled": True, "digest_time": "00:00"})
    scan = ScheduleReminders(interval_seconds=0)
    assert scan.run(session_factory, team.tenant_id) == 1  # the digest is queued ...
    done(rep, first)  # ... and the only follow-up is done before it goes out
    send = SendReminders(settings=mail_settings)
    assert send.run(session_factory, team.tenant_id) == 1
    assert smtp.to(rep.email) == []
    [record] = reminders(session_factory, team, rep)
    assert (record.outcome, record.status) == ("nothing_due", "succeeded")
    assert scan.run(session_factory, team.tenant_id) == 0  # the day's slot is taken


def test_a_deactivated_user_gets_nothing(
    team: TenantWorld,
    smtp: Inbox,
    mail_settings: Settings,
    session_factory: sessionmaker[Session],
) -> None:
    rep = team.rep
    follow_up(rep, lead_for(rep, "Sanjay Pillai"), LONG_AGO)
    rep.ok("PATCH", ME, json={"digest_enabled": True, "digest_time": "00:00"})
    assert ScheduleReminders(interval_seconds=0).run(session_factory, team.tenant_id) == 1
    team.admin.ok("PATCH", f"{SALES}/users/{rep.user_id}", json={"is_active": False})
    SendReminders(settings=mail_settings).run(session_factory, team.tenant_id)
    assert smtp.to(rep.email) == []
    [record] = reminders(session_factory, team, rep)
    assert record.outcome == "user_inactive"
    # A new day's scan does not even queue one for them.
    assert ScheduleReminders(interval_seconds=0).run(session_factory, team.tenant_id) == 0


def test_the_managers_digest_lists_the_teams_overdue_follow_ups(
    team: TenantWorld, smtp: Inbox, worker: Worker
) -> None:
    rep, manager, admin = team.rep, team.manager, team.admin
    today, _ = _today_and_tomorrow()
    follow_up(rep, lead_for(rep, "Priya Nair"), LONG_AGO)
    follow_up(rep, lead_for(rep, "Vikram Shah"), "2025-02-01")
    follow_up(manager, lead_for(manager, "Anita Bose"), "2025-02-10")
    unassigned = str(admin.ok("POST", f"{SALES}/leads", 201, json={"name": "Farhan Ali"})["id"])
    follow_up(admin, unassigned, "2025-02-20")
    follow_up(rep, lead_for(rep, "Due Today Only"), today, on=today)
    done(rep, follow_up(rep, lead_for(rep, "Already Done"), LONG_AGO))
    manager.ok("PATCH", ME, json={"team_digest_enabled": True, "digest_time": "00:00"})

    drain(worker)

    [mail] = smtp.to(manager.email)
    assert mail.subject.startswith("4 overdue follow-ups in the team on ")
    text = mail.part("plain")
    for name in ("Priya Nair", "Vikram Shah", "Anita Bose", "Farhan Ali"):
        assert name in text
    assert "Due Today Only" not in text
    assert "Already Done" not in text
    # grouped by who owns the lead, the unassigned last
    assert text.index(f"{rep.email} (2)") < text.index("Priya Nair") < text.index("Vikram Shah")
    assert text.index("Unassigned (1)") > text.index("Anita Bose")
    assert smtp.to(rep.email) == []  # reps have no team digest


def test_without_an_smtp_server_reminders_are_recorded_not_sent(
    team: TenantWorld,
    base_mail_settings: Settings,
    engine: Engine,
    session_factory: sessionmaker[Session],
) -> None:
    rep = team.rep
    follow_up(rep, lead_for(rep, "No Server Lead"), LONG_AGO)
    rep.ok("PATCH", ME, json={"digest_enabled": True, "digest_time": "00:00"})
    assert base_mail_settings.smtp_url is None
    drain(worker_for(base_mail_settings, engine, session_factory, team.tenant_id))
    [record] = reminders(session_factory, team, rep)
    assert (record.status, record.outcome, record.items) == ("succeeded", "no_smtp", 1)
    assert record.sent_at is None
