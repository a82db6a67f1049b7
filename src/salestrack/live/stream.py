"""One open stream: ``text/event-stream`` frames for one viewer, until they may no longer watch.

The stream opens with ``retry`` (how long a browser waits before reconnecting) and a
``ready`` event whose ``id`` is the stream's mark, then what a reconnect missed (or
``reload``), then each message of the tenant as a ``change`` event with the message's id,
carrying only the changes the viewer's role may see (a message with none left is not sent).
A comment line every ``heartbeat`` seconds keeps proxies from cutting it.

It ends with an ``end`` event (and the browser stops reconnecting) when the viewer's cookie
or token expires or a check finds the user deactivated, signed out or with another role; it
ends without one when the app process stops, and the browser reconnects to another.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

from salestrack.live.access import Viewer
from salestrack.live.changes import USER_CHANGED, Change, visible_to
from salestrack.live.hub import CLOSE, RELOAD, Hub, HubClosed, Opening, Subscription
from salestrack.live.wire import Message

log = logging.getLogger("salestrack.live")
RETRY_MS = 2000
Check = Callable[[Viewer], Awaitable[str | None]]


def frame(event: str, data: dict[str, object], *, event_id: str | None = None) -> str:
    """One server-sent event (``data`` is one line of JSON: it never holds a newline)."""
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {event}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"


def _change(change: Change) -> dict[str, object]:
    return {
        "kind": change.kind,
        "lead_id": str(change.lead_id) if change.lead_id else None,
        "id": str(change.id) if change.id else None,
    }


def change_frame(message: Message, viewer: Viewer) -> str | None:
    """The ``change`` event of ``message`` for ``viewer``; None when they may see none of it."""
    seen = [_change(c) for c in message.changes if visible_to(viewer.role, c)]
    if not seen:
        return None
    return frame("change", {"changes": seen}, event_id=message.id)


def concerns(message: Message, viewer: Viewer) -> bool:
    """The message says the viewer's user (or, without an id, some user) changed."""
    return any(c.kind == USER_CHANGED and c.id in (None, viewer.user_id) for c in message.changes)


@dataclass
class Stream:
    """The frames of one subscription; ``frames()`` is the response body."""

    hub: Hub
    sub: Subscription
    viewer: Viewer
    last_event_id: str | None
    check: Check
    heartbeat: float
    recheck: float

    async def frames(self) -> AsyncIterator[str]:
        """Subscribes when the body starts (a response never sent subscribes nothing) and
        unsubscribes however the stream ends (the client leaving cancels it)."""
        try:
            opening = self.hub.subscribe(self.sub, self.last_event_id)
        except HubClosed:
            return
        try:
            yield f"retry: {RETRY_MS}\n\n"
            for text in self._opening(opening):
                yield text
            async for text in self._live():
                yield text
        finally:
            self.hub.unsubscribe(self.sub)

    def _opening(self, opening: Opening) -> list[str]:
        texts = [frame("ready", {"heartbeat": self.heartbeat}, event_id=opening.mark)]
        if opening.missed is None:
            texts.append(frame("reload", {"reason": "missed"}, event_id=opening.mark))
            return texts
        for message in opening.missed:
            if (text := change_frame(message, self.viewer)) is not None:
                texts.append(text)
        return texts

    async def _live(self) -> AsyncIterator[str]:
        next_check = time.monotonic() + self.recheck
        while True:
            wait = min(self.heartbeat, max(0.0, self.viewer.expires_at - time.time()))
            try:
                item = await asyncio.wait_for(self.sub.queue.get(), timeout=wait)
            except TimeoutError:
                item = None
            if self.viewer.expired:
                yield frame("end", {"reason": "your session has expired: sign in again"})
                return
            due = time.monotonic() >= next_check
            if item == CLOSE:
                return
            if due or (isinstance(item, tuple) and concerns(item[1], self.viewer)):
                problem = await self._problem()
                next_check = time.monotonic() + self.recheck
                if problem is not None:
                    yield frame("end", {"reason": problem})
                    return
            if item is None:
                yield ": keep-alive\n\n"
            elif item == RELOAD:
                yield frame("reload", {"reason": "missed"})
            elif isinstance(item, tuple) and (text := change_frame(item[1], self.viewer)):
                yield text

    async def _problem(self) -> str | None:
        """The viewer's check; a database that cannot answer keeps the stream open (it
        carries nothing then either) and is asked again at the next check."""
        try:
            return await self.check(self.viewer)
        except Exception:
            log.warning("live stream: the viewer check failed; kept open", exc_info=True)
            return None
