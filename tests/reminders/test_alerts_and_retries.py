"""Alerts before timed follow-ups, at the user's lead time; an SMTP outage delays a
reminder, then it is delivered once; two workers running at once send each reminder once."""

from __future__ import annotations

import threading
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from salestrack.core.config import Settings
from salestrack.reminders.schedule import ScheduleReminders
from salestrack.reminders.send import SendReminders
from tests.reminders.conftest import (
    ME,
    PUBLIC_URL,
    RETRY_BASE,
    at,
    done,
    drain,
    follow_up,
    lead_for,
    reminders,
    wait_until,
    worker_for,
)
from tests.reminders.smtp import Inbox, smtp_server
from tests.support import TenantWorld

KOLKATA = ZoneInfo("Asia/Kolkata")


def _tomorrow() -> date:
    return datetime.now(KOLKATA).date() + timedelta(days=1)


def _local(day: date, hour: int, minute: int) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=KOLKATA)


def test_an_alert_comes_the_chosen_time_before_a_timed_follow_up(
    team: TenantWorld,
    smtp: Inbox,
    mail_settings: Settings,
    session_factory: sessionmaker[Session],
) -> None:
    rep = team.rep
    day = _tomorrow()
    lead = lead_for(rep, "Tanvi Kulkarni")
    timed = follow_up(
        rep,
        lead,
        day.isoformat(),
        on=(day - timedelta(days=1)).isoformat(),
        follow_up_time="10:00:00",
        notes="Bring the floor plan",
    )
    untimed = lead_for(rep, "Untimed Lead")
    follow_up(rep, untimed, day.isoformat(), on=(day - timedelta(days=1)).isoformat())
    rep.ok("PATCH", ME, json={"alerts_enabled": True, "alert_minutes": 45})

    def scan(hour: int, minute: int) -> int:
        task = ScheduleReminders(interval_seconds=0, now=at(_local(day, hour, minute)))
        return task.run(session_factory, team.tenant_id)

    assert scan(9, 14) == 0  # 46 minutes before: too early
    assert scan(9, 15) == 1  # 45 minutes before: the alert is queued
    assert scan(9, 40) == 0  # once
    send = SendReminders(settings=mail_settings, now=at(_local(day, 9, 16)))
    assert send.run(session_factory, team.tenant_id) == 1
    [mail] = smtp.to(rep.email)
    assert mail.subject == "Follow-up at 10:00 am: Tanvi Kulkarni"
    text = mail.part("plain")
    assert "Bring the floor plan" in text
    assert f"{PUBLIC_URL}/leads/{lead}" in text
    assert f"{PUBLIC_URL}/leads/{lead}" in mail.part("html")
    [record] = reminders(session_factory, team, rep)
    assert (record.kind, record.milestone_id is not None, record.outcome) == ("alert", True, "sent")
    assert str(record.milestone_id) == timed

    # Moved to 16:00: a new slot, alerted again at 15:15, not at the old time.
    rep.ok("PATCH", f"/api/v1/sales/milestones/{timed}", json={"follow_up_time": "16:00:00"})
    assert scan(10, 30) == 0
    assert scan(15, 15) == 1
    assert scan(16, 1) == 0  # past the follow-up: nothing new


def test_an_alert_for_a_follow_up_done_in_the_meantime_is_not_sent(
    team: TenantWorld,
    smtp: Inbox,
    mail_settings: Settings,
    session_factory: sessionmaker[Session],
) -> None:
    rep = team.rep
    day = _tomorrow()
    timed = follow_up(
        rep,
        lead_for(rep, "Done Early"),
        day.isoformat(),
        on=(day - timedelta(days=1)).isoformat(),
        follow_up_time="11:30",
    )
    now = at(_local(day, 11, 5))
    assert ScheduleReminders(interval_seconds=0, now=now).run(session_factory, team.tenant_id) == 1
    done(rep, timed)
    SendReminders(settings=mail_settings, now=now).run(session_factory, team.tenant_id)
    assert smtp.messages == []
    [record] = reminders(session_factory, team, rep)
    assert record.outcome == "follow_up_closed"


def test_an_smtp_outage_delays_the_reminder_then_it_is_delivered_once(
    team: TenantWorld,
    inbox: Inbox,
    smtp_port: int,
    mail_settings: Settings,
    engine: Engine,
    session_factory: sessionmaker[Session],
) -> None:
    rep = team.rep
    follow_up(rep, lead_for(rep, "Outage Lead"), "2025-04-01")
    rep.ok("PATCH", ME, json={"digest_enabled": True, "digest_time": "00:00"})
    worker = worker_for(mail_settings, engine, session_factory, team.tenant_id)
    worker.run_once()  # the server is down: connection refused
    [record] = reminders(session_factory, team, rep)
    assert (record.status, record.attempts, record.phase) == ("pending", 1, "queued")
    assert "connect" in record.last_error
    assert record.next_attempt_at > record.due_at  # backed off

    with smtp_server(inbox, smtp_port):  # the server is back
        wait_until(lambda: (worker.run_once(), bool(inbox.to(rep.email)))[1], timeout=30)
        drain(worker)
    assert len(inbox.to(rep.email)) == 1
    [record] = reminders(session_factory, team, rep)
    assert (record.status, record.outcome, record.attempts) == ("succeeded", "sent", 2)


def test_a_server_answering_4xx_is_retried_with_backoff(
    team: TenantWorld,
    smtp: Inbox,
    mail_settings: Settings,
    engine: Engine,
    session_factory: sessionmaker[Session],
) -> None:
    rep = team.rep
    follow_up(rep, lead_for(rep, "Greylisted"), "2025-04-01")
    rep.ok("PATCH", ME, json={"digest_enabled": True, "digest_time": "00:00"})
    smtp.refuse_with = "451 4.7.1 greylisted, try again later"
    worker = worker_for(mail_settings, engine, session_factory, team.tenant_id)
    worker.run_once()
    worker.run_once()  # within the backoff: not tried again yet
    [record] = reminders(session_factory, team, rep)
    assert (record.status, record.attempts) == ("pending", 1)
    assert "451" in record.last_error
    smtp.refuse_with = None
    wait_until(
        lambda: (worker.run_once(), bool(smtp.to(rep.email)))[1], timeout=10 * RETRY_BASE + 10
    )
    assert len(smtp.to(rep.email)) == 1
    [record] = reminders(session_factory, team, rep)
    assert (record.outcome, record.attempts) == ("sent", 2)


def test_a_permanent_refusal_is_not_retried(
    team: TenantWorld,
    smtp: Inbox,
    mail_settings: Settings,
    engine: Engine,
    session_factory: sessionmaker[Session],
) -> None:
    rep = team.rep
    follow_up(rep, lead_for(rep, "Bounced"), "2025-04-01")
    rep.ok("PATCH", ME, json={"digest_enabled": True, "digest_time": "00:00"})
    smtp.refuse_with = "550 5.1.1 mailbox unavailable"
    drain(worker_for(mail_settings, engine, session_factory, team.tenant_id))
    [record] = reminders(session_factory, team, rep)
    assert (record.status, record.outcome, record.attempts) == ("failed", "rejected", 1)
    assert "550" in record.last_error


def test_two_workers_at_once_send_each_reminder_once(
    team: TenantWorld,
    smtp: Inbox,
    mail_settings: Settings,
    engine: Engine,
    session_factory: sessionmaker[Session],
) -> None:
    rep, manager = team.rep, team.manager
    for number in range(3):
        follow_up(rep, lead_for(rep, f"Rep Lead {number}"), "2025-05-01")
    follow_up(manager, lead_for(manager, "Manager Lead"), "2025-05-02")
    rep.ok("PATCH", ME, json={"digest_enabled": True, "digest_time": "00:00"})
    manager.ok(
        "PATCH",
        ME,
        json={"digest_enabled": True, "team_digest_enabled": True, "digest_time": "00:00"},
    )
    workers = [worker_for(mail_settings, engine, session_factory, team.tenant_id) for _ in range(2)]
    start = threading.Barrier(2)
    failures: list[BaseException] = []

    def run(index: int) -> None:
        try:
            start.wait()
            for _ in range(15):
                workers[index].run_once()
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not failures
    subjects = sorted(f"{m.recipients[0]}: {m.subject}" for m in smtp.messages)
    assert len(smtp.to(rep.email)) == 1
    assert len(smtp.to(manager.email)) == 2  # their own digest and the team's
    assert len(smtp.messages) == 3, subjects
    sent = [r for r in reminders(session_factory, team) if r.outcome == "sent"]
    assert len(sent) == 3
    assert all(r.attempts == 1 for r in sent)
