"""The live floor of one app process: its hub, its feed, and its part in start and stop.

``create_app`` makes one (``app.state.live``); the app's lifespan starts it (the listener on
PostgreSQL, the hub's place on this process's bus on SQLite) and stops it. A stream opened
where no lifespan ran (an embedder serving the app with lifespan off) starts it on demand.

Stopping promptly: uvicorn, asked to stop, waits for open responses to finish before it
runs the lifespan's shutdown, and a stream never finishes by itself. So while the app runs
in the main thread, the floor chains a handler in front of uvicorn's for SIGTERM and SIGINT
that ends every stream (each browser reconnects, to another server or this one restarted)
and then lets uvicorn do what it does.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import threading
from collections.abc import Callable
from types import FrameType
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine

from salestrack.core.config import Settings
from salestrack.live.hub import Hub
from salestrack.live.local import BUS, database_key

if TYPE_CHECKING:
    from salestrack.live.listener import Listener

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)
LISTEN_WAIT_SECONDS = 5.0
Handler = Callable[[int, FrameType | None], Any] | int | None


class LiveFloor:
    def __init__(self, settings: Settings, engine: Engine) -> None:
        self.settings = settings
        self.hub = Hub(keep=settings.live_buffer_events, keep_seconds=settings.live_buffer_seconds)
        self.listener: Listener | None = None
        self.local_key: str | None = None
        if engine.dialect.name == "postgresql":
            from salestrack.live.listener import Listener  # psycopg: not loaded on SQLite

            url = settings.live_database_url or engine.url.render_as_string(hide_password=False)
            self.listener = Listener(url, self.hub)
        else:
            self.local_key = database_key(engine)
        self._chained: dict[int, Handler] = {}
        self._lock = threading.Lock()

    async def start(self) -> None:
        """Start feeding the hub (the app's lifespan); on PostgreSQL wait, briefly, until
        the listener's LISTEN is in force, so a page opened at once misses nothing."""
        self.hub.open()
        self._feed()
        if self.listener is not None:
            await self.listener.wait_listening(LISTEN_WAIT_SECONDS)
        self._chain_stop_signals()

    async def ensure_started(self) -> bool:
        """Before a stream opens: the feed runs (started here if no lifespan did), and on
        PostgreSQL the listener listens (False if it cannot, e.g. the database is down)."""
        self._feed()
        if self.listener is None:
            return True
        return await self.listener.wait_listening(2.0)

    def _feed(self) -> None:
        with self._lock:
            if self.local_key is not None:
                BUS.register(self.local_key, self.hub)
            if self.listener is not None and not self.listener.running:
                self.listener.start()

    async def stop(self) -> None:
        """End every stream, stop the feed, give the signals back."""
        self.hub.close()
        if self.local_key is not None:
            BUS.unregister(self.local_key, self.hub)
        if self.listener is not None:
            await self.listener.stop()
        self._restore_stop_signals()

    def _chain_stop_signals(self) -> None:
        if threading.current_thread() is not threading.main_thread() or self._chained:
            return
        loop = asyncio.get_running_loop()
        for number in STOP_SIGNALS:
            previous = signal.getsignal(number)
            if not callable(previous) or previous is signal.default_int_handler:
                continue  # nobody serving with a graceful stop to chain in front of
            self._chained[number] = previous
            signal.signal(number, self._on_stop_signal(loop, previous))

    def _on_stop_signal(
        self, loop: asyncio.AbstractEventLoop, previous: Callable[[int, FrameType | None], Any]
    ) -> Callable[[int, FrameType | None], Any]:
        def handler(number: int, frame: FrameType | None) -> Any:
            with contextlib.suppress(RuntimeError):  # never take the hub's lock in here
                loop.call_soon_threadsafe(self.hub.close)
            return previous(number, frame)

        return handler

    def _restore_stop_signals(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            return
        for number, previous in self._chained.items():
            signal.signal(number, previous)
        self._chained.clear()
