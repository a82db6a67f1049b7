"""The worker's mailing of issued documents: each demand, receipt, credit and debit note
goes to its customer's address with its PDF attached, never inside the request.

Issuing a document queues one job (``DocumentMail``, unique per document) when the customer
has an address. The worker claims it (``core.jobs``), renders the PDF and writes the mail in
that short transaction, talks to the SMTP server with no transaction open, then records
the answer: ``sent``; back to pending with backoff (server unreachable, 4xx); ``rejected``
(5xx, or attempts used up). Without ``SALESTRACK_SMTP_URL`` the job finishes ``no_smtp``.
A worker killed between the message data and the recording sends the document again
after its lease; the Message-ID is stable per document, so a mail program shows one.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from email.message import EmailMessage

from sqlalchemy.orm import Session, sessionmaker

from salestrack.billing import pdfs
from salestrack.billing.models import BillingDocument, DocumentMail
from salestrack.core import jobs, mail
from salestrack.core.config import Settings
from salestrack.core.db import utcnow
from salestrack.core.tenancy import tenant_transaction
from salestrack.documents import amounts, pdf, settings
from salestrack.leads.models import Customer

log = logging.getLogger("salestrack.worker.billing")


def compose(session: Session, *, row: BillingDocument, recipient: str, sender: str) -> EmailMessage:
    """The e-mail of a document: a short text and the PDF attached."""
    customer = session.get(Customer, (row.tenant_id, row.customer_id))
    name = customer.name if customer is not None else ""
    seller = settings.letterhead(session, row.tenant_id).name
    title = pdfs.TITLES[row.kind]
    subject = f"{title} {row.number}: {amounts.rupees(row.amount)}"
    text = (
        f"Dear {name},\n\nPlease find attached {title.lower()} {row.number} of "
        f"{pdf.day(row.document_date)} for {amounts.rupees(row.amount)}.\n\n{seller}\n"
    )
    html = (
        f"<p>Dear {_escape(name)},</p><p>Please find attached {title.lower()} "
        f"<strong>{row.number}</strong> of {pdf.day(row.document_date)} for "
        f"{amounts.rupees(row.amount)}.</p><p>{_escape(seller)}</p>"
    )
    message = mail.build_message(
        sender=sender,
        recipient=recipient,
        subject=subject,
        text=text,
        html=html,
        message_id=mail.message_id_for(f"document.{row.id}", sender),
    )
    message.add_attachment(
        pdfs.document_pdf(session, row=row),
        maintype="application",
        subtype="pdf",
        filename=f"{row.number.replace('/', '-')}.pdf",
    )
    return message


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@dataclass(frozen=True)
class _Claimed:
    job: jobs.Claimed
    recipient: str
    message: EmailMessage


@dataclass
class SendDocuments:
    """Mails up to ``batch`` queued documents of a tenant per visit."""

    settings: Settings
    batch: int = 20
    name: str = "billing.mail_documents"
    _target: mail.SmtpTarget | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self._target = mail.configured_target(self.settings)

    def run(self, factory: sessionmaker[Session], tenant_id: uuid.UUID) -> int:
        policy = mail.retry_policy(self.settings)
        return jobs.work_through(
            self.batch,
            lambda: self._claim(factory, tenant_id, policy),
            lambda claimed: self._send(factory, tenant_id, policy, claimed),
        )

    def _claim(
        self, factory: sessionmaker[Session], tenant_id: uuid.UUID, policy: jobs.RetryPolicy
    ) -> _Claimed | bool | None:
        """A job to send; True when one was claimed and finished here; None when none is due."""
        with tenant_transaction(factory, tenant_id) as session:
            claimed, _given_up = jobs.claim(
                session, DocumentMail, tenant_id=tenant_id, policy=policy, limit=1
            )
            if not claimed:
                return None
            job = claimed[0]
            row = session.get(DocumentMail, (tenant_id, job.id))
            assert row is not None
            document = session.get(BillingDocument, (tenant_id, row.document_id))
            if self._target is None or document is None:
                jobs.finish(
                    session,
                    DocumentMail,
                    tenant_id=tenant_id,
                    job=job,
                    policy=policy,
                    error=None,
                    values={"outcome": "no_smtp"},
                )
                return True
            message = compose(
                session, row=document, recipient=row.recipient, sender=self.settings.mail_from
            )
            return _Claimed(job, row.recipient, message)

    def _send(
        self,
        factory: sessionmaker[Session],
        tenant_id: uuid.UUID,
        policy: jobs.RetryPolicy,
        claimed: _Claimed,
    ) -> None:
        assert self._target is not None
        result = mail.send(
            self._target,
            sender=self.settings.mail_from,
            recipient=claimed.recipient,
            compose=lambda: claimed.message,
        )
        delivery = result.delivery
        with tenant_transaction(factory, tenant_id) as session:
            if delivery in (mail.Delivery.sent, mail.Delivery.uncertain):
                values = {"outcome": str(delivery), "sent_at": utcnow()}
                jobs.finish(
                    session,
                    DocumentMail,
                    tenant_id=tenant_id,
                    job=claimed.job,
                    policy=policy,
                    error=None,
                    values=values,
                )
            elif delivery is mail.Delivery.retry:
                jobs.finish(
                    session,
                    DocumentMail,
                    tenant_id=tenant_id,
                    job=claimed.job,
                    policy=policy,
                    error=result.detail,
                )
            else:
                final = jobs.RetryPolicy(max_attempts=claimed.job.attempt)
                jobs.finish(
                    session,
                    DocumentMail,
                    tenant_id=tenant_id,
                    job=claimed.job,
                    policy=final,
                    error=result.detail,
                    values={"outcome": "rejected"},
                )
        log.info(
            "document mail %s attempt %d: %s %s",
            claimed.job.id,
            claimed.job.attempt,
            delivery,
            result.detail,
        )


def tasks(config: Settings) -> list[SendDocuments]:
    return [SendDocuments(settings=config)]
