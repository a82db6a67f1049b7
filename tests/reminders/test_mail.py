"""The mailer (``core.mail``) against real SMTP servers on this machine: the URL forms,
AUTH, STARTTLS with a certificate check, and how each kind of failure is classified."""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from salestrack.core import mail
from tests.reminders.smtp import Inbox, free_port, smtp_server

SENDER = "salestrack <reminders@crm.example.com>"
RCPT = "rep@example.com"


def _message(text: str = "Hello") -> Any:
    return mail.build_message(
        sender=SENDER,
        recipient=RCPT,
        subject="Test ₹ subject",
        text=text,
        html=f"<p>{text}</p>",
        message_id=mail.message_id_for("reminder.1", SENDER),
    )


def _send(target: mail.SmtpTarget, text: str = "Hello") -> mail.Result:
    target = mail.SmtpTarget(**{**target.__dict__, "timeout_seconds": 5.0})
    return mail.send(target, sender=SENDER, recipient=RCPT, compose=lambda: _message(text))


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://relay.local", ("relay.local", 25, "plain", None, None)),
        ("smtp://relay.local:2525", ("relay.local", 2525, "plain", None, None)),
        (
            "smtp+starttls://me:p%40ss@mx.example.com",
            ("mx.example.com", 587, "starttls", "me", "p@ss"),
        ),
        (
            "smtp://u:pw@mx.example.com:587?starttls=true",
            ("mx.example.com", 587, "starttls", "u", "pw"),
        ),
        ("smtps://u:pw@mx.example.com", ("mx.example.com", 465, "tls", "u", "pw")),
    ],
)
def test_smtp_urls(url: str, expected: tuple[Any, ...]) -> None:
    target = mail.parse_smtp_url(url)
    assert (target.host, target.port, target.security, target.username, target.password) == expected
    assert "pw" not in str(target).replace("smtps", "") or target.password is None
    assert "p@ss" not in repr(target)
    assert "p%40ss" not in repr(target)


def test_the_password_never_shows() -> None:
    target = mail.parse_smtp_url("smtps://mailer:hunter2-secret@mx.example.com")
    assert "hunter2-secret" not in str(target)
    assert "hunter2-secret" not in repr(target)
    assert str(target) == "smtps://mailer@mx.example.com:465"


@pytest.mark.parametrize(
    "url",
    [
        "http://mx.example.com",
        "smtp://",
        "smtp://user@mx.example.com",
        "smtp://mx.example.com?tls=1",
        "smtps://mx.example.com?starttls=true",
        "smtp://mx.example.com:notaport",
    ],
)
def test_bad_smtp_urls_are_refused_without_echoing_them(url: str) -> None:
    with pytest.raises(mail.MailConfigError) as refused:
        mail.parse_smtp_url(url.replace("user@", "user:topsecret@", 0))
    assert "topsecret" not in str(refused.value)


def test_a_message_is_multipart_and_arrives_intact() -> None:
    inbox, port = Inbox(), free_port()
    text = "First line\n.a line starting with a dot\n..two dots\nLast line"
    with smtp_server(inbox, port):
        result = _send(mail.parse_smtp_url(f"smtp://127.0.0.1:{port}"), text)
    assert result.delivery is mail.Delivery.sent
    [received] = inbox.messages
    assert received.part("plain").replace("\r\n", "\n").rstrip("\n") == text
    assert received.subject == "Test ₹ subject"
    assert received.message["Message-ID"] == "<reminder.1@crm.example.com>"


class _Users:
    def __call__(
        self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
            b"mailer",
            b"s3cret",
        )
        return AuthResult(success=ok, handled=False)


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_auth_with_the_urls_credentials() -> None:
    inbox, port = Inbox(), free_port()
    options = {"authenticator": _Users(), "auth_required": True, "auth_require_tls": False}
    with smtp_server(inbox, port, **options):
        good = _send(mail.parse_smtp_url(f"smtp://mailer:s3cret@127.0.0.1:{port}"))
        wrong = _send(mail.parse_smtp_url(f"smtp://mailer:guess@127.0.0.1:{port}"))
        missing = _send(mail.parse_smtp_url(f"smtp://127.0.0.1:{port}"))
    assert good.delivery is mail.Delivery.sent
    assert wrong.delivery is mail.Delivery.rejected
    assert "535" in wrong.detail
    assert missing.delivery is mail.Delivery.rejected
    assert "530" in missing.detail
    assert len(inbox.messages) == 1


def _self_signed(directory: Path) -> ssl.SSLContext:
    """A server context with a self-signed certificate for 127.0.0.1 (``cert.pem``)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    (directory / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (directory / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(directory / "cert.pem", directory / "key.pem")
    return context


def test_starttls_is_used_and_the_certificate_checked(tmp_path: Path) -> None:
    inbox, port = Inbox(), free_port()
    options = {"tls_context": _self_signed(tmp_path), "require_starttls": True}
    with smtp_server(inbox, port, **options):
        untrusted = _send(mail.parse_smtp_url(f"smtp+starttls://127.0.0.1:{port}"))
        plain = _send(mail.parse_smtp_url(f"smtp://127.0.0.1:{port}"))
    assert untrusted.delivery is mail.Delivery.rejected
    assert "CERTIFICATE_VERIFY_FAILED" in untrusted.detail
    assert plain.delivery is mail.Delivery.rejected
    assert "530" in plain.detail
    assert inbox.messages == []


def test_nobody_listening_is_a_retry() -> None:
    result = _send(mail.parse_smtp_url(f"smtp://127.0.0.1:{free_port()}", timeout_seconds=2))
    assert result.delivery is mail.Delivery.retry
    assert "connect" in result.detail


def test_refusals_by_reply_code() -> None:
    inbox, port = Inbox(), free_port()
    target = mail.parse_smtp_url(f"smtp://127.0.0.1:{port}")
    with smtp_server(inbox, port):
        inbox.refuse_with = "452 4.3.1 insufficient storage"
        later = _send(target)
        inbox.refuse_with = "554 5.7.1 message refused"
        never = _send(target)
    assert later.delivery is mail.Delivery.retry
    assert "452" in later.detail
    assert never.delivery is mail.Delivery.rejected
    assert "554" in never.detail


def test_compose_saying_no_abandons_before_the_data() -> None:
    inbox, port = Inbox(), free_port()
    with smtp_server(inbox, port):
        result = mail.send(
            mail.parse_smtp_url(f"smtp://127.0.0.1:{port}"),
            sender=SENDER,
            recipient=RCPT,
            compose=lambda: None,
        )
    assert result.delivery is mail.Delivery.abandoned
    assert inbox.messages == []


@contextmanager
def _server_that_hangs_up_after_the_data() -> Iterator[int]:
    """Speaks SMTP up to the end of the data, then closes without the final answer."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def serve() -> None:
        connection, _ = listener.accept()
        with connection, connection.makefile("rwb") as stream:
            stream.write(b"220 test ESMTP\r\n")
            stream.flush()
            for line in stream:
                command = line.strip().upper()
                if command.startswith((b"EHLO", b"HELO")):
                    stream.write(b"250 test\r\n")
                elif command.startswith((b"MAIL", b"RCPT", b"RSET")):
                    stream.write(b"250 OK\r\n")
                elif command == b"DATA":
                    stream.write(b"354 go on\r\n")
                elif command == b".":
                    return  # the message is here; hang up without a word
                stream.flush()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield port
    finally:
        thread.join(10)
        listener.close()


def test_a_connection_lost_after_the_data_is_uncertain_not_retried() -> None:
    with _server_that_hangs_up_after_the_data() as port:
        result = _send(mail.parse_smtp_url(f"smtp://127.0.0.1:{port}", timeout_seconds=5))
    assert result.delivery is mail.Delivery.uncertain
    assert "after the message data began" in result.detail


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_starttls_then_auth_with_a_trusted_certificate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox, port = Inbox(), free_port()
    options = {
        "tls_context": _self_signed(tmp_path),
        "require_starttls": True,
        "authenticator": _Users(),
        "auth_required": True,
    }
    monkeypatch.setenv(
        "SSL_CERT_FILE", str(tmp_path / "cert.pem")
    )  # trust it, as an operator would
    with smtp_server(inbox, port, **options):
        result = _send(mail.parse_smtp_url(f"smtp+starttls://mailer:s3cret@127.0.0.1:{port}"))
    assert result.delivery is mail.Delivery.sent, result.detail
    assert len(inbox.messages) == 1


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_smtps_then_auth_with_a_trusted_certificate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox, port = Inbox(), free_port()
    context = _self_signed(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "cert.pem"))
    # aiosmtpd does not count implicit TLS as TLS for AUTH: allow it (the socket is TLS).
    options = {
        "ssl_context": context,
        "authenticator": _Users(),
        "auth_required": True,
        "auth_require_tls": False,
    }
    with smtp_server(inbox, port, **options):
        good = _send(mail.parse_smtp_url(f"smtps://mailer:s3cret@127.0.0.1:{port}"))
        plain = _send(mail.parse_smtp_url(f"smtp://mailer:s3cret@127.0.0.1:{port}"))
    assert good.delivery is mail.Delivery.sent, good.detail
    assert plain.delivery is mail.Delivery.retry  # a TLS port spoken to in plain text
    assert len(inbox.messages) == 1
