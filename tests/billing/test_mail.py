"""Issued documents are mailed to the customer by the worker, the PDF attached; without
an SMTP server the job is finished as not sent; nothing is sent inside the request."""

from __future__ import annotations

from pydantic import SecretStr
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from salestrack.billing import mail as billing_mail
from salestrack.billing.models import DocumentMail
from salestrack.core.config import Settings
from salestrack.core.tenancy import tenant_transaction
from salestrack.core.worker import Worker
from tests.billing.support import (
    SALES,
    accepted_booking,
    construction_linked_plan,
    pay,
    pdf_text,
)
from tests.reminders.smtp import Inbox, free_port, smtp_server
from tests.support import TenantWorld


def _mail_settings(settings: Settings, port: int | None) -> Settings:
    url = SecretStr(f"smtp://127.0.0.1:{port}") if port else None
    return settings.model_copy(
        update={
            "smtp_url": url,
            "mail_from": "Sea View <billing@seaview.example.in>",
            "smtp_timeout_seconds": 5.0,
        }
    )


def _outcomes(factory: sessionmaker[Session], world: TenantWorld) -> list[tuple[str, str | None]]:
    with tenant_transaction(factory, world.tenant_id) as session:
        rows = session.execute(
            select(DocumentMail.status, DocumentMail.outcome).where(
                DocumentMail.tenant_id == world.tenant_id
            )
        )
        return sorted((str(status), outcome) for status, outcome in rows)


def test_the_worker_mails_each_document_with_its_pdf(
    world: TenantWorld,
    settings: Settings,
    engine: Engine,
    session_factory: sessionmaker[Session],
) -> None:
    booking = accepted_booking(world.admin)
    plan = construction_linked_plan(world.manager, booking["id"])
    demand = world.manager.ok(
        "POST", f"{SALES}/instalments/{plan['instalments'][0]['id']}/demand", 201
    )
    pay(world.manager, booking, "1166525.00")
    # Queued in the request, sent by nobody yet.
    assert _outcomes(session_factory, world) == [("pending", None), ("pending", None)]

    inbox, port = Inbox(), free_port()
    with smtp_server(inbox, port):
        worker = Worker(
            engine,
            session_factory,
            billing_mail.tasks(_mail_settings(settings, port)),
            only=[world.tenant_id],
        )
        assert worker.run_once() == 2
    mails = inbox.to("ravi@example.com")
    subjects = sorted(m.subject for m in mails)
    assert subjects[0].startswith(f"Demand letter {demand['number']}: ₹11,66,525.00")
    assert subjects[1].startswith("Receipt RCT/")
    letter = next(m for m in mails if m.subject.startswith("Demand letter"))
    attachment = next(letter.message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    text = pdf_text(attachment.get_content())
    assert demand["number"] in text
    assert "₹11,66,525.00" in text
    assert _outcomes(session_factory, world) == [("succeeded", "sent"), ("succeeded", "sent")]


def test_without_an_smtp_server_nothing_is_sent(
    world: TenantWorld,
    settings: Settings,
    engine: Engine,
    session_factory: sessionmaker[Session],
) -> None:
    booking = accepted_booking(world.admin)
    construction_linked_plan(world.manager, booking["id"])
    pay(world.manager, booking, "100000.00")
    worker = Worker(
        engine,
        session_factory,
        billing_mail.tasks(_mail_settings(settings, None)),
        only=[world.tenant_id],
    )
    assert worker.run_once() == 1
    assert _outcomes(session_factory, world) == [("succeeded", "no_smtp")]
