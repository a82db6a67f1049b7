"""Addresses that are not ASCII (the user API accepts internationalised addresses): a
domain travels in its IDNA form, a local part needs the server's SMTPUTF8, and a server
without it is a refusal recorded on the reminder, never a worker stuck on it."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from salestrack.core import jobs, mail
from salestrack.core.worker import Worker
from tests.reminders.conftest import ME, drain, follow_up, lead_for, reminders
from tests.reminders.smtp import Inbox, free_port, smtp_server
from tests.support import PASSWORD, ApiClient, TenantWorld, login

SENDER = "salestrack <reminders@crm.example.com>"
RAVI = "рави@example.com"


def _send(recipient: str, port: int) -> mail.Result:
    target = mail.SmtpTarget("127.0.0.1", port, "plain", timeout_seconds=5.0)

    def compose() -> Any:
        return mail.build_message(
            sender=SENDER,
            recipient=recipient,
            subject="Follow-ups for today",
            text="Hello",
            html="<p>Hello</p>",
            message_id=mail.message_id_for("reminder.1", SENDER),
        )

    return mail.send(target, sender=SENDER, recipient=recipient, compose=compose)


def test_a_non_ascii_domain_is_sent_in_its_idna_form() -> None:
    inbox, port = Inbox(), free_port()
    with smtp_server(inbox, port):
        result = _send("ravi@exämple.com", port)
    assert result.delivery is mail.Delivery.sent, result.detail
    [received] = inbox.messages
    assert received.recipients == ["ravi@xn--exmple-cua.com"]
    assert str(received.message["To"]) == "ravi@xn--exmple-cua.com"


def test_a_non_ascii_local_part_goes_to_a_server_with_smtputf8() -> None:
    inbox, port = Inbox(), free_port()
    with smtp_server(inbox, port, enable_SMTPUTF8=True):
        result = _send("рави@example.com", port)
    assert result.delivery is mail.Delivery.sent, result.detail
    [received] = inbox.messages
    assert received.recipients == ["рави@example.com"]
    assert str(received.message["To"]) == "рави@example.com"
    assert received.part("plain").strip() == "Hello"


def test_a_server_without_smtputf8_refuses_a_non_ascii_local_part() -> None:
    inbox, port = Inbox(), free_port()
    with smtp_server(inbox, port, enable_SMTPUTF8=False):
        result = _send("рави@example.com", port)
    assert result.delivery is mail.Delivery.rejected
    assert "SMTPUTF8" in result.detail
    assert inbox.messages == []


def _user(team: TenantWorld, email: str) -> ApiClient:
    made = team.admin.ok(
        "POST",
        "/api/v1/sales/users",
        201,
        json={"email": email, "password": PASSWORD, "role": "sales_rep"},
    )
    token = login(team.admin.http, team.slug, made["email"]).json()["access_token"]
    user = ApiClient(team.admin.http, team.slug, token, uuid.UUID(made["id"]), made["email"])
    user.ok("PATCH", ME, json={"digest_enabled": True, "digest_time": "00:00"})
    follow_up(user, lead_for(user, "Meera Iyer"), "2025-01-05")
    return user


def test_reminders_reach_non_ascii_addresses(
    team: TenantWorld, smtp: Inbox, worker: Worker, session_factory: sessionmaker[Session]
) -> None:
    by_domain = _user(team, "ravi@exämple.com")
    by_local_part = _user(team, RAVI)

    drain(worker)

    for user, envelope in ((by_domain, "ravi@xn--exmple-cua.com"), (by_local_part, RAVI)):
        [received] = smtp.to(envelope)
        assert "Meera Iyer" in received.part("plain")
        [sent] = reminders(session_factory, team, user)
        assert sent.status == jobs.JobStatus.succeeded  # not left running by the worker
