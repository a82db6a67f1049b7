"""A webhook receiver on 127.0.0.1 for the tests: records every request it gets and answers
by a script (fail the first N, or hold the first request until released)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks.webhooks import Webhook, WebhookVerificationError


@dataclass(frozen=True)
class Received:
    headers: dict[str, str]
    body: bytes
    at: float

    @property
    def message_id(self) -> str:
        return self.headers["webhook-id"]


@dataclass
class Receiver:
    """What a receiver got, and how it answers."""

    url: str = ""
    fail_first: int = 0
    hold_first: bool = False
    delay: float = 0.0
    in_flight: int = 0
    most_in_flight: int = 0
    received: list[Received] = field(default_factory=list)
    released: threading.Event = field(default_factory=threading.Event)
    first_arrived: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, headers: dict[str, str], body: bytes) -> int:
        with self.lock:
            self.received.append(Received(headers, body, time.monotonic()))
            number = len(self.received)
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
        if number == 1 and self.hold_first:
            self.first_arrived.set()
            self.released.wait(30)
        time.sleep(self.delay)
        with self.lock:
            self.in_flight -= 1
        return 500 if number <= self.fail_first else 200

    def verified(self, secret: str) -> list[dict[str, Any]]:
        """Every request's payload, each checked by the independent Standard Webhooks
        implementation (raises on a bad or missing signature)."""
        checker = Webhook(secret)
        payloads = []
        for item in list(self.received):
            payload = checker.verify(item.body, item.headers)
            assert payload["id"] == item.message_id
            payloads.append(payload)
        return payloads

    def ids(self) -> list[str]:
        return [r.message_id for r in list(self.received)]


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("content-length", "0"))
            body = self.rfile.read(length)
            headers = {k.lower(): v for k, v in self.headers.items()}
            status = receiver.record(headers, body)
            self.send_response(status)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, *_args: Any) -> None:
            return

    return Handler


@contextmanager
def running(receiver: Receiver | None = None) -> Iterator[Receiver]:
    """A receiver listening on 127.0.0.1 (a free port) for the block's duration."""
    receiver = receiver or Receiver()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(receiver))
    server.daemon_threads = True
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hooks?source=salestrack"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        receiver.released.set()
        server.shutdown()
        server.server_close()


def assert_bad_signature_refused(secret: str, item: Received) -> None:
    """The checker is not a rubber stamp: a changed body fails it."""
    try:
        Webhook(secret).verify(item.body + b" ", item.headers)
    except WebhookVerificationError:
        return
    raise AssertionError("a tampered body passed signature verification")
