"""Sending one e-mail over SMTP (stdlib ``smtplib`` and ``email``), with every failure sorted.

``SALESTRACK_SMTP_URL`` names the server:

- ``smtp://host[:25]``: plain SMTP (a relay on the same host or network);
- ``smtp+starttls://host[:587]``, or ``smtp://host:587?starttls=true``: upgraded with
  STARTTLS before anything else is said (the certificate is verified);
- ``smtps://host[:465]``: TLS from the first byte (implicit TLS, RFC 8314).

``user:password@`` (percent-encoded) logs in with AUTH after TLS. The password is kept out
of ``repr`` and ``str`` of the target, so a logged target never shows it.

What the server's answers mean for the reminder (RFC 5321 reply codes):

- ``sent``: the server answered 250 to the end of the message data: it took responsibility.
- ``retry``: nothing was handed over and trying later may work: the server could not be
  reached, timed out or dropped the connection before the message data, or answered 4xx.
- ``rejected``: a 5xx answer (the address, the sender, the login) or a TLS/STARTTLS
  problem: the same attempt later would get the same answer.
- ``uncertain``: the connection failed after the message data began (a timeout waiting for
  the final reply, a dropped connection): the server may have delivered it. SMTP gives no
  way to ask, so a caller that must not send twice does not try again (RFC 1047).
- ``abandoned``: the caller's ``compose`` said no (e.g. another worker owns the
  job now): the transaction was reset and nothing was sent.

Addresses that are not ASCII (users' addresses are validated as internationalised
addresses): a domain such as ``exämple.com`` travels in its IDNA form (``xn--exmple-cua.com``),
which every server takes; a local part such as ``рави@`` needs the server's SMTPUTF8
(RFC 6531), and a server without it refuses the address (``rejected``), as it would a 5xx.
"""

from __future__ import annotations

import re
import smtplib
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.policy import SMTPUTF8 as SMTPUTF8_POLICY
from email.utils import formatdate, make_msgid, parseaddr
from enum import StrEnum
from typing import Literal
from urllib.parse import parse_qs, unquote, urlsplit

import idna

from salestrack.core import jobs
from salestrack.core.config import Settings

Security = Literal["plain", "starttls", "tls"]
_DEFAULT_PORTS: dict[Security, int] = {"plain": 25, "starttls": 587, "tls": 465}
_SCHEMES: dict[str, Security] = {"smtp": "plain", "smtp+starttls": "starttls", "smtps": "tls"}
_TRUE = {"1", "true", "yes", "on"}
_LEADING_DOT = re.compile(rb"(?m)^\.")


class MailConfigError(ValueError):
    """``SALESTRACK_SMTP_URL`` is not a URL salestrack can send with."""


@dataclass(frozen=True)
class SmtpTarget:
    """Where and how to connect; ``str()`` is safe to log (no password)."""

    host: str
    port: int
    security: Security
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout_seconds: float = 30.0

    def __str__(self) -> str:
        scheme = {"plain": "smtp", "starttls": "smtp+starttls", "tls": "smtps"}[self.security]
        user = f"{self.username}@" if self.username else ""
        return f"{scheme}://{user}{self.host}:{self.port}"


def parse_smtp_url(url: str, *, timeout_seconds: float = 30.0) -> SmtpTarget:
    """The target ``url`` names; MailConfigError for anything else (never echoing it whole,
    since it may hold a password)."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise MailConfigError(f"SALESTRACK_SMTP_URL is not a valid URL ({exc})") from None
    security = _SCHEMES.get(parts.scheme.lower())
    if security is None:
        raise MailConfigError(
            f"SALESTRACK_SMTP_URL scheme must be one of {', '.join(sorted(_SCHEMES))}, "
            f"not {parts.scheme!r}"
        )
    if not parts.hostname:
        raise MailConfigError("SALESTRACK_SMTP_URL names no host")
    options = {k.lower(): v[-1].lower() for k, v in parse_qs(parts.query).items()}
    unknown = set(options) - {"starttls"}
    if unknown:
        raise MailConfigError(f"SALESTRACK_SMTP_URL has unknown options: {sorted(unknown)}")
    if options.get("starttls") in _TRUE:
        if security == "tls":
            raise MailConfigError("smtps:// is TLS already; starttls=true is for smtp://")
        security = "starttls"
    if (parts.username is None) != (parts.password is None):
        raise MailConfigError("SALESTRACK_SMTP_URL needs both a user and a password, or neither")
    return SmtpTarget(
        host=parts.hostname,
        port=port or _DEFAULT_PORTS[security],
        security=security,
        username=unquote(parts.username) if parts.username is not None else None,
        password=unquote(parts.password) if parts.password is not None else None,
        timeout_seconds=timeout_seconds,
    )


def configured_target(settings: Settings) -> SmtpTarget | None:
    """Where the app's mail goes (``SALESTRACK_SMTP_URL``), or None when none is set: the
    senders then record each message as not sent instead of trying."""
    url = settings.smtp_url
    if url is None or not url.get_secret_value():
        return None
    return parse_smtp_url(url.get_secret_value(), timeout_seconds=settings.smtp_timeout_seconds)


def retry_policy(settings: Settings) -> jobs.RetryPolicy:
    """How a mail job is retried (``SALESTRACK_MAIL_*``): reminders and documents alike."""
    return jobs.RetryPolicy(
        max_attempts=settings.mail_max_attempts,
        base_seconds=settings.mail_retry_base_seconds,
        lease_seconds=settings.worker_lease_seconds,
    )


def build_message(
    *,
    sender: str,
    recipient: str,
    subject: str,
    text: str,
    html: str,
    message_id: str,
    language: str = "en",
) -> EmailMessage:
    """A multipart/alternative message: plain text first, HTML as the preferred part.

    ``message_id`` is stable per reminder, so a copy that did get through twice (see
    ``uncertain``) is recognisable as one message by the recipient's mail program.
    ``Auto-Submitted`` (RFC 3834) keeps out-of-office replies away from the sender.
    """
    message = EmailMessage()
    message["From"] = sender
    message["To"] = ascii_domain(recipient)
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = message_id
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(text, subtype="plain", charset="utf-8")
    message.add_alternative(html, subtype="html", charset="utf-8")
    # After the parts: making the message multipart moves Content-* headers into its parts.
    message["Content-Language"] = language
    return message


def ascii_domain(address: str) -> str:
    """``address`` with its domain in IDNA form (``rep@xn--exmple-cua.com``), so that only a
    non-ASCII local part still needs SMTPUTF8; unchanged if the domain is ASCII or no
    valid internationalised name."""
    local, at, domain = address.rpartition("@")
    if not at or domain.isascii():
        return address
    try:
        return f"{local}@{idna.encode(domain, uts46=True).decode('ascii')}"
    except idna.IDNAError:
        return address


def message_id_for(key: str, sender: str) -> str:
    """``<key@domain-of-sender>``: the same key always gives the same Message-ID."""
    domain = sender.rpartition("@")[2].strip("> ") or "salestrack.invalid"
    safe = "".join(c if c.isalnum() or c in ".-_" else "." for c in key)
    return f"<{safe}@{domain}>" if safe else make_msgid(domain=domain)


class Delivery(StrEnum):
    sent = "sent"
    retry = "retry"
    rejected = "rejected"
    uncertain = "uncertain"
    abandoned = "abandoned"


@dataclass(frozen=True)
class Result:
    delivery: Delivery
    detail: str


def _by_code(code: int, what: str, reply: bytes | str) -> Result:
    text = reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)
    detail = f"{what}: {code} {text}".strip()[:500]
    return Result(Delivery.retry if 400 <= code < 500 else Delivery.rejected, detail)


def _connect(target: SmtpTarget) -> smtplib.SMTP:
    """Connected, greeted (EHLO) and, for STARTTLS, upgraded and greeted again."""
    context = ssl.create_default_context()
    connection: smtplib.SMTP
    if target.security == "tls":
        connection = smtplib.SMTP_SSL(
            target.host, target.port, timeout=target.timeout_seconds, context=context
        )
    else:
        connection = smtplib.SMTP(target.host, target.port, timeout=target.timeout_seconds)
    try:
        connection.ehlo()
        if target.security == "starttls":
            connection.starttls(context=context)
            connection.ehlo()
    except BaseException:
        connection.close()
        raise
    return connection


def send(
    target: SmtpTarget,
    *,
    sender: str,
    recipient: str,
    compose: Callable[[], EmailMessage | None],
) -> Result:
    """One SMTP transaction to ``recipient``. ``compose()`` runs once the server has
    accepted the recipient, right before the message data: it returns the message, or None
    to abandon (nothing is sent). Never raises for anything the server or the network does.
    """
    try:
        connection = _connect(target)
    except (ssl.SSLError, smtplib.SMTPNotSupportedError) as exc:
        return Result(Delivery.rejected, f"TLS: {exc}"[:500])
    except smtplib.SMTPConnectError as exc:
        return Result(Delivery.retry, f"connect: {exc.smtp_code} {exc.smtp_error!r}"[:500])
    except smtplib.SMTPResponseException as exc:
        return _by_code(exc.smtp_code, "greeting", exc.smtp_error)
    except (OSError, smtplib.SMTPException) as exc:
        return Result(Delivery.retry, f"connect to {target}: {_describe(exc)}"[:500])
    envelope = _Envelope(ascii_domain(_address(sender)), ascii_domain(_address(recipient)))
    try:
        return _transaction(connection, target, envelope, compose)
    finally:
        _close(connection)


@dataclass(frozen=True)
class _Envelope:
    sender: str
    recipient: str

    @property
    def utf8(self) -> bool:
        """A local part is not ASCII: the transaction needs SMTPUTF8."""
        return not (self.sender.isascii() and self.recipient.isascii())


def _mail_options(connection: smtplib.SMTP, envelope: _Envelope) -> list[str] | None:
    """MAIL FROM's options; None when the addresses need SMTPUTF8 the server lacks."""
    if not envelope.utf8:
        return []
    if not connection.has_extn("smtputf8"):
        return None
    connection.command_encoding = "utf-8"
    return ["SMTPUTF8", "BODY=8BITMIME"] if connection.has_extn("8bitmime") else ["SMTPUTF8"]


def _transaction(
    connection: smtplib.SMTP,
    target: SmtpTarget,
    envelope: _Envelope,
    compose: Callable[[], EmailMessage | None],
) -> Result:
    data_began = False
    try:
        if target.username is not None:
            _login(connection, target.username, target.password or "")
        options = _mail_options(connection, envelope)
        if options is None:
            return Result(
                Delivery.rejected,
                f"{envelope.recipient}: an address that is not ASCII needs SMTPUTF8, "
                "which the server does not offer",
            )
        code, reply = connection.mail(envelope.sender, options)
        if code != 250:
            return _by_code(code, "MAIL FROM", reply)
        code, reply = connection.rcpt(envelope.recipient)
        if code not in (250, 251):
            return _by_code(code, "RCPT TO", reply)
        message = compose()
        if message is None:
            connection.rset()
            return Result(Delivery.abandoned, "abandoned before the message data")
        connection.putcmd("data")
        code, reply = connection.getreply()
        if code != 354:
            return _by_code(code, "DATA", reply)
        data_began = True  # from here on the server may take the message at any moment
        policy = SMTPUTF8_POLICY if envelope.utf8 else SMTP_POLICY
        connection.send(_dot_stuffed(message.as_bytes(policy=policy)))
        code, reply = connection.getreply()
        if code != 250:
            return _by_code(code, "end of data", reply)
        return Result(Delivery.sent, reply.decode(errors="replace")[:500])
    except smtplib.SMTPNotSupportedError as exc:
        return Result(Delivery.rejected, f"not supported: {exc}"[:500])
    except smtplib.SMTPResponseException as exc:  # AUTH and others answered with a code
        return _by_code(exc.smtp_code, type(exc).__name__, exc.smtp_error)
    except (OSError, smtplib.SMTPException) as exc:
        if data_began:
            return Result(Delivery.uncertain, f"after the message data began: {_describe(exc)}")
        return Result(Delivery.retry, _describe(exc)[:500])


def _login(connection: smtplib.SMTP, user: str, password: str) -> None:
    """AUTH with one mechanism the server offers (PLAIN, LOGIN, CRAM-MD5, in that order):
    a wrong password costs one failed login, not one per mechanism."""
    offered = connection.esmtp_features.get("auth", "").upper().split()
    for mechanism in ("PLAIN", "LOGIN", "CRAM-MD5"):
        if mechanism in offered:
            connection.user, connection.password = user, password
            method = getattr(connection, "auth_" + mechanism.lower().replace("-", "_"))
            connection.auth(mechanism, method, initial_response_ok=True)
            return
    raise smtplib.SMTPNotSupportedError("the server offers no AUTH mechanism salestrack knows")


def _dot_stuffed(data: bytes) -> bytes:
    """The message data as sent after DATA: lines starting with "." doubled (RFC 5321
    4.5.2), CRLF line ends (the SMTP policy wrote them), then the lone "." that ends it."""
    body = _LEADING_DOT.sub(b"..", data)
    if not body.endswith(b"\r\n"):
        body += b"\r\n"
    return body + b".\r\n"


def _address(header: str) -> str:
    return parseaddr(header)[1]


def _describe(exc: BaseException) -> str:
    if isinstance(exc, socket.timeout | TimeoutError):
        return "timed out"
    return f"{type(exc).__name__}: {exc}"


def _close(connection: smtplib.SMTP) -> None:
    """QUIT politely; a server that has gone already changes nothing."""
    try:
        connection.quit()
    except (OSError, smtplib.SMTPException):
        connection.close()
