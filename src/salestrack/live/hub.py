"""One app process's fan-out: messages in (from the listener or a local commit), streams out.

Messages arrive in one order in every process (PostgreSQL delivers notifications in commit
order; SQLite publishes in this process as commits finish), and each process numbers them
as they arrive (``seq``). A tenant's latest messages are kept (``TenantLog``, bounded in
number and age) so a stream that reconnects with ``Last-Event-ID`` gets what it missed:

- the id of a message still in the log: every later message of the tenant;
- the stream's opening mark (``@<generation>.<seq>``, sent when it had seen nothing yet) of
  this process's current generation: every later message, unless some were dropped since;
- anything else (too old, another process's mark, a listener that reconnected and may have
  missed notifications): nothing can be replayed, and the stream says ``reload``.

Streams may run on any event loop (a server has one; tests and embedders may run several),
and messages may come from any thread (SQLite commits finish in request threads): the
state is behind a lock and each stream's queue is fed on its own loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass, field

from salestrack.live.wire import Message

RELOAD = "reload"  # the stream may have missed messages: the page fetches everything again
CLOSE = "close"  # the process is stopping: the stream ends (the page reconnects elsewhere)
Item = tuple[int, Message] | str


@dataclass
class TenantLog:
    """A tenant's latest messages with their arrival numbers; ``dropped_to`` is the number
    of the last message let go (too many or too old), so a mark before it cannot replay."""

    entries: deque[tuple[int, float, Message]] = field(default_factory=deque)
    dropped_to: int = 0

    def trim(self, *, keep: int, since: float) -> None:
        while self.entries and (len(self.entries) > keep or self.entries[0][1] < since):
            self.dropped_to = self.entries.popleft()[0]

    def position(self, message_id: str) -> int | None:
        return next((seq for seq, _at, item in self.entries if item.id == message_id), None)

    def after(self, seq: int) -> list[Message] | None:
        if seq < self.dropped_to:
            return None
        return [item for number, _at, item in self.entries if number > seq]


class Subscription:
    """One open stream's queue, fed on the stream's own event loop."""

    QUEUE_SIZE = 256

    def __init__(self, tenant_id: uuid.UUID, user_id: uuid.UUID | None) -> None:
        self.tenant_id = tenant_id
        self.user_id = user_id
        self.loop = asyncio.get_running_loop()
        self.queue: asyncio.Queue[Item] = asyncio.Queue(self.QUEUE_SIZE)

    def deliver(self, item: Item) -> None:
        """Hand ``item`` to the stream from any thread (a closed loop: the stream is gone)."""
        with contextlib.suppress(RuntimeError):
            self.loop.call_soon_threadsafe(self._put, item)

    def _put(self, item: Item) -> None:
        """On the stream's loop. A stream too slow to keep up loses its backlog and is told
        to reload instead (its page then fetches everything once)."""
        try:
            self.queue.put_nowait(item)
        except asyncio.QueueFull:
            while not self.queue.empty():
                self.queue.get_nowait()
            self.queue.put_nowait(RELOAD)


@dataclass(frozen=True)
class Opening:
    """What a new stream starts with: its mark, and what it missed (None: reload)."""

    mark: str
    missed: list[Message] | None


class Hub:
    """Fan-out and reconnect log of one app process (``app.state.live``)."""

    SWEEP_SECONDS = 10.0

    def __init__(self, *, keep: int = 200, keep_seconds: float = 600.0) -> None:
        self.keep = keep
        self.keep_seconds = keep_seconds
        self._lock = threading.Lock()
        self._generation = secrets.token_hex(4)
        self._seq = 0
        self._logs: dict[uuid.UUID, TenantLog] = {}
        self._forgotten_to = 0  # the newest message of a tenant log dropped when idle
        self._swept_at = time.monotonic()
        self._streams: dict[uuid.UUID, set[Subscription]] = {}
        self._closed = False

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def stream_count(self) -> int:
        with self._lock:
            return sum(len(streams) for streams in self._streams.values())

    def publish(self, item: Message) -> None:
        """Log ``item`` and hand it to the tenant's streams (from any thread)."""
        with self._lock:
            self._seq += 1
            now = time.monotonic()
            log = self._logs.setdefault(item.tenant_id, TenantLog())
            log.entries.append((self._seq, now, item))
            log.trim(keep=self.keep, since=now - self.keep_seconds)
            self._forget_idle(now)
            streams = list(self._streams.get(item.tenant_id, ()))
            numbered = (self._seq, item)
        for stream in streams:
            stream.deliver(numbered)

    def _forget_idle(self, now: float) -> None:
        """Drop the logs of tenants whose messages have all aged out (bounded memory); a
        sweep over every tenant, so at most every ``SWEEP_SECONDS``."""
        if now - self._swept_at < self.SWEEP_SECONDS:
            return
        self._swept_at = now
        since = now - self.keep_seconds
        for tenant_id, log in list(self._logs.items()):
            log.trim(keep=self.keep, since=since)
            if not log.entries and tenant_id not in self._streams:
                self._forgotten_to = max(self._forgotten_to, log.dropped_to)
                del self._logs[tenant_id]

    def subscribe(self, sub: Subscription, last_event_id: str | None) -> Opening:
        """Register ``sub`` and say what it starts with, atomically with respect to
        ``publish`` (nothing published in between is lost or sent twice)."""
        with self._lock:
            if self._closed:
                raise HubClosed
            self._streams.setdefault(sub.tenant_id, set()).add(sub)
            log = self._logs.get(sub.tenant_id) or TenantLog(dropped_to=self._forgotten_to)
            latest = log.entries[-1][2].id if log.entries else f"@{self._generation}.{self._seq}"
            missed = [] if last_event_id is None else self._missed(log, last_event_id)
            return Opening(mark=latest, missed=missed)

    def _missed(self, log: TenantLog, last_event_id: str) -> list[Message] | None:
        seq = log.position(last_event_id)
        if seq is None:
            seq = self._mark_position(last_event_id)
        if seq is None:
            return None
        return log.after(seq)

    def _mark_position(self, mark: str) -> int | None:
        generation, _, number = mark.removeprefix("@").partition(".")
        digits = number.isascii() and number.isdigit()  # "²" is a digit, not a number
        if not mark.startswith("@") or generation != self._generation or not digits:
            return None
        seq = int(number)
        return seq if seq <= self._seq else None

    def unsubscribe(self, sub: Subscription) -> None:
        with self._lock:
            streams = self._streams.get(sub.tenant_id)
            if streams is not None:
                streams.discard(sub)
                if not streams:
                    del self._streams[sub.tenant_id]

    def restart(self) -> None:
        """Messages may have been missed (the listener reconnected): forget the logs, start a
        new generation (earlier marks no longer replay) and tell every stream to reload."""
        with self._lock:
            self._generation = secrets.token_hex(4)
            self._logs.clear()
            streams = [s for group in self._streams.values() for s in group]
        for stream in streams:
            stream.deliver(RELOAD)

    def open(self) -> None:
        """Accept streams (again: a test client may run the app's lifespan twice)."""
        with self._lock:
            self._closed = False

    def close(self) -> None:
        """The process is stopping: end every stream, accept no new one."""
        with self._lock:
            self._closed = True
            streams = [s for group in self._streams.values() for s in group]
        for stream in streams:
            stream.deliver(CLOSE)


class HubClosed(RuntimeError):
    """The process is stopping; a new stream is refused (503, the client retries)."""
