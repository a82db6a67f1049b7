"""``salestrack worker`` processes sending reminders: two at once send each reminder once;
one killed (SIGKILL) while the SMTP server holds its message is not followed by a second
copy from the next worker: the reminder is recorded as ``uncertain``."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from salestrack.core.config import Settings
from tests.cli.process import environment
from tests.reminders.conftest import (
    ME,
    PUBLIC_URL,
    follow_up,
    lead_for,
    reminders,
    wait_until,
)
from tests.reminders.smtp import Inbox, smtp_server
from tests.support import TenantWorld


def _env(settings: Settings, smtp_port: int) -> dict[str, str]:
    return environment(
        settings,
        SALESTRACK_SMTP_URL=f"smtp://127.0.0.1:{smtp_port}",
        SALESTRACK_MAIL_FROM="salestrack <reminders@crm.example.com>",
        SALESTRACK_PUBLIC_URL=PUBLIC_URL,
        SALESTRACK_WORKER_LEASE_SECONDS="2",
        SALESTRACK_SMTP_TIMEOUT_SECONDS="5",
        SALESTRACK_MAIL_RETRY_BASE_SECONDS="0.4",
        SALESTRACK_WORKER_IDLE_SECONDS="0.1",
        SALESTRACK_WORKER_SCHEDULE_SECONDS="0",
    )


@dataclass
class Running:
    """A worker process and what it has printed so far (read by a thread of its own, so
    its pipe never fills)."""

    process: subprocess.Popen[str]
    lines: list[str] = field(default_factory=list)
    started: threading.Event = field(default_factory=threading.Event)

    def read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)
            if "worker started" in line:
                self.started.set()

    @property
    def output(self) -> str:
        return "".join(self.lines)


@contextmanager
def worker_process(
    settings: Settings, smtp_port: int, directory: Path, tenant: str
) -> Iterator[Running]:
    process = subprocess.Popen(
        [sys.executable, "-m", "salestrack.cli", "worker", "--tenant", tenant],
        env=_env(settings, smtp_port),
        cwd=directory,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    running = Running(process)
    reader = threading.Thread(target=running.read, daemon=True)
    reader.start()
    try:
        yield running
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=30)
        reader.join(timeout=30)
        if process.stdout is not None:
            process.stdout.close()


def _stop(running: Running) -> str:
    """Stop a worker as an operator does (SIGTERM), once it is running: a worker still
    starting up has no stop handler yet, and a test's quick machine may get there first."""
    assert running.started.wait(60), running.output
    running.process.send_signal(signal.SIGTERM)
    running.process.wait(timeout=60)
    output = running.output
    assert running.process.returncode == 0, output
    assert "worker stopped" in output
    return output


def _finished(factory: sessionmaker[Session], world: TenantWorld, count: int) -> bool:
    rows = reminders(factory, world)
    return len(rows) >= count and all(r.status in ("succeeded", "failed") for r in rows)


def test_two_worker_processes_send_each_reminder_once(
    team: TenantWorld,
    inbox: Inbox,
    smtp_port: int,
    settings: Settings,
    session_factory: sessionmaker[Session],
    tmp_path: Path,
) -> None:
    rep, manager = team.rep, team.manager
    for number in range(4):
        follow_up(rep, lead_for(rep, f"Process Lead {number}"), "2025-06-01")
    follow_up(manager, lead_for(manager, "Manager's Lead"), "2025-06-02")
    rep.ok("PATCH", ME, json={"digest_enabled": True, "digest_time": "00:00"})
    manager.ok(
        "PATCH",
        ME,
        json={"digest_enabled": True, "team_digest_enabled": True, "digest_time": "00:00"},
    )
    with (
        smtp_server(inbox, smtp_port),
        worker_process(settings, smtp_port, tmp_path, team.slug) as one,
        worker_process(settings, smtp_port, tmp_path, team.slug) as two,
    ):
        wait_until(lambda: len(inbox.messages) >= 3, timeout=90)
        wait_until(lambda: _finished(session_factory, team, 3), timeout=30)
        output = _stop(one) + _stop(two)
    assert len(inbox.to(rep.email)) == 1
    assert len(inbox.to(manager.email)) == 2
    assert len(inbox.messages) == 3
    assert "reminder " in output
    assert "succeeded" in output


def test_a_worker_killed_while_the_server_holds_its_message_causes_no_second_copy(
    team: TenantWorld,
    inbox: Inbox,
    smtp_port: int,
    settings: Settings,
    session_factory: sessionmaker[Session],
    tmp_path: Path,
) -> None:
    rep = team.rep
    follow_up(rep, lead_for(rep, "Killed Mid Send"), "2025-06-01")
    rep.ok("PATCH", ME, json={"digest_enabled": True, "digest_time": "00:00"})
    inbox.hold = True  # the server has the whole message and has not answered yet
    with smtp_server(inbox, smtp_port):
        with worker_process(settings, smtp_port, tmp_path, team.slug) as first:
            assert inbox.arrived.wait(90), "the first worker never sent"
            os.kill(first.process.pid, signal.SIGKILL)
            first.process.wait(timeout=10)
        inbox.release.set()
        [record] = reminders(session_factory, team, rep)
        assert (record.status, record.phase) == ("running", "data")
        with worker_process(settings, smtp_port, tmp_path, team.slug) as second:
            wait_until(lambda: _finished(session_factory, team, 1), timeout=60)
            _stop(second)
    assert len(inbox.to(rep.email)) == 1  # the server's copy; no second one was sent
    [record] = reminders(session_factory, team, rep)
    assert (record.status, record.outcome) == ("failed", "uncertain")
    assert "may have delivered" in record.last_error
