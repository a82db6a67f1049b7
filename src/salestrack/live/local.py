"""In-process fan-out on SQLite: the hubs of this process, by the database they serve.

SQLite has no notification channel, and an embedded database is served by one process, so
a commit hands its messages straight to the hubs of this process that serve the same file
(usually one: the app's). Writes from another process (a CLI import, a second ``serve``
worker) are not seen here; docs/live.md says so.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable

from sqlalchemy import Engine

from salestrack.live.hub import Hub
from salestrack.live.wire import Message


def database_key(engine: Engine) -> str:
    """The same key for every engine on one SQLite file (relative or absolute path)."""
    database = engine.url.database or ""
    if database and database != ":memory:" and not database.startswith("file:"):
        return os.path.realpath(database)
    return f"{engine.url.render_as_string()}#{id(engine)}"


class LocalBus:
    """Hubs registered by database key; commits in any thread publish to them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._hubs: dict[str, list[Hub]] = {}

    def register(self, key: str, hub: Hub) -> None:
        with self._lock:
            hubs = self._hubs.setdefault(key, [])
            if hub not in hubs:
                hubs.append(hub)

    def unregister(self, key: str, hub: Hub) -> None:
        with self._lock:
            hubs = self._hubs.get(key, [])
            if hub in hubs:
                hubs.remove(hub)
            if not hubs:
                self._hubs.pop(key, None)

    def publish(self, key: str, messages: Iterable[Message]) -> None:
        with self._lock:
            hubs = list(self._hubs.get(key, ()))
        for message in messages:
            for hub in hubs:
                hub.publish(message)


BUS = LocalBus()
"""This process's bus: what a hub subscribes to and a SQLite commit publishes on."""
