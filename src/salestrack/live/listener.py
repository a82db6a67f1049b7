"""The one PostgreSQL connection per app process that LISTENs for the live floor.

An async psycopg connection in autocommit mode, on the event loop of the process, reading
``notifies()``: no thread and no pooled connection is held, however many pages are open.
Every app process (each ``serve`` worker, on every server) runs one and so hears every
commit of every process, in commit order.

If the connection breaks (a database restart, a network cut; a silent one is found by a
ping every ``PING_SECONDS``), it reconnects with a growing pause, and the hub starts a new
generation: notifications sent while nobody listened are lost, so every open page is told
to reload what it shows, and earlier reconnect marks no longer replay.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo
from psycopg.rows import TupleRow
from sqlalchemy import make_url

from salestrack.live import wire
from salestrack.live.announce import CHANNEL_SQL
from salestrack.live.hub import Hub

log = logging.getLogger("salestrack.live")
PING_SECONDS = 30.0
RETRY_SECONDS = (0.5, 1.0, 2.0, 5.0, 10.0)


def conninfo(url: str) -> str:
    """libpq's connection string for a SQLAlchemy ``postgresql+psycopg://`` URL, read as
    SQLAlchemy reads it (libpq would take a ``+`` in ``options`` literally, not as a space)."""
    parsed = make_url(url)
    params: dict[str, str | int | None] = {
        "host": parsed.host,
        "port": parsed.port,
        "user": parsed.username,
        "password": parsed.password,
        "dbname": parsed.database,
    }
    params.update({k: v for k, v in parsed.query.items() if isinstance(v, str)})
    return make_conninfo("", **{k: v for k, v in params.items() if v is not None})


class Listener:
    """LISTENs on the schema's channel and publishes what it hears to ``hub``."""

    def __init__(self, url: str, hub: Hub) -> None:
        self.conninfo = conninfo(url)
        self.hub = hub
        self.listening = threading.Event()  # set while LISTEN is in force (any loop may ask)
        self._task: asyncio.Task[None] | None = None

    @property
    def running(self) -> bool:
        task = self._task
        return task is not None and not task.done() and not task.get_loop().is_closed()

    def start(self) -> None:
        """Begin listening on the running loop (the process's own)."""
        if not self.running:
            self._task = asyncio.get_running_loop().create_task(self._run(), name="live-listener")

    async def wait_listening(self, seconds: float) -> bool:
        """Whether LISTEN is in force, waiting up to ``seconds`` for it (polled: the
        listener may run on another event loop than the caller's)."""
        deadline = asyncio.get_running_loop().time() + seconds
        while not self.listening.is_set():
            if asyncio.get_running_loop().time() >= deadline:
                return False
            await asyncio.sleep(0.02)
        return True

    async def stop(self) -> None:
        task, self._task = self._task, None
        self.listening.clear()
        if task is None or task.done():
            return
        if task.get_loop() is not asyncio.get_running_loop():
            with contextlib.suppress(RuntimeError):  # that loop has closed: nothing runs
                task.get_loop().call_soon_threadsafe(task.cancel)
            return
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    async def _run(self) -> None:
        failures = 0
        first = True
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(
                    self.conninfo, autocommit=True
                ) as connection:
                    await self._listen(connection)
                    if not first:
                        self.hub.restart()  # what was sent while nobody listened is lost
                    first, failures = False, 0
                    await self._receive(connection)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # a broken or refused connection: try again
                self.listening.clear()
                pause = RETRY_SECONDS[min(failures, len(RETRY_SECONDS) - 1)]
                failures += 1
                log.warning("live listener: %s; reconnecting in %s s", exc, pause)
                await asyncio.sleep(pause)
                first = False

    async def _listen(self, connection: psycopg.AsyncConnection[TupleRow]) -> None:
        cursor = await connection.execute(f"SELECT {CHANNEL_SQL}")
        row = await cursor.fetchone()
        assert row is not None
        await connection.execute(sql.SQL("LISTEN {}").format(sql.Identifier(str(row[0]))))
        self.listening.set()

    async def _receive(self, connection: psycopg.AsyncConnection[TupleRow]) -> None:
        while True:
            async for note in connection.notifies(timeout=PING_SECONDS):
                try:
                    self.hub.publish(wire.decode(note.payload))
                except wire.BadMessage as exc:
                    log.warning("live listener: ignored a message: %s", exc)
            await connection.execute("SELECT 1")  # a silent network cut fails here
