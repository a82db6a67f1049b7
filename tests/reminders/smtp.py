"""A real SMTP server for the tests (aiosmtpd on 127.0.0.1), keeping what it received."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Received:
    recipients: list[str]
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    def part(self, subtype: str) -> str:
        body = self.message.get_body(preferencelist=(subtype,))
        assert body is not None, f"no text/{subtype} part"
        return str(body.get_content())  # type: ignore[attr-defined]


@dataclass
class Inbox:
    """The aiosmtpd handler: stores each message; may answer DATA with an error, or hold
    the answer until ``release`` is set (a server still thinking when a worker is killed)."""

    messages: list[Received] = field(default_factory=list)
    refuse_with: str | None = None
    hold: bool = False
    arrived: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refuse_with:
            return self.refuse_with
        raw = envelope.original_content or envelope.content
        message = message_from_bytes(raw, policy=policy.default)
        with self.lock:
            self.messages.append(Received(list(envelope.rcpt_tos), message))  # type: ignore[arg-type]
        self.arrived.set()
        if self.hold:  # a threading.Event set by the test's thread: poll it from the loop
            await asyncio.get_running_loop().run_in_executor(None, self.release.wait, 60)
        return "250 OK queued"

    def to(self, address: str) -> list[Received]:
        with self.lock:
            return [m for m in self.messages if address in m.recipients]


@contextmanager
def smtp_server(inbox: Inbox, port: int, **options: Any) -> Iterator[Controller]:
    controller = Controller(inbox, hostname="127.0.0.1", port=port, **options)
    controller.start()
    try:
        yield controller
    finally:
        inbox.release.set()
        controller.stop()
