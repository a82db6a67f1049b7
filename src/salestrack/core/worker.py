"""The worker's loop: visit every enlisted tenant, run each task for it, sleep, repeat.

Tasks are what the domains give the worker (deliver webhooks, schedule the follow-up events,
later reminders): each runs for one tenant in transactions of its own, with the tenant set
on its sessions, and says how much it did. When a pass did nothing the loop sleeps
``idle_seconds`` (woken early by a stop). ``stop()`` (SIGTERM, SIGINT) lets the current task
finish and then returns: a job in flight is either recorded or, if the process is killed
instead, claimed again once its lease runs out.
"""

from __future__ import annotations

import logging
import signal
import threading
import uuid
from collections.abc import Sequence
from types import FrameType
from typing import Protocol

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from salestrack.core import jobs

log = logging.getLogger("salestrack.worker")


class Task(Protocol):
    name: str

    def run(self, factory: sessionmaker[Session], tenant_id: uuid.UUID) -> int:
        """Do the tenant's due work of this kind; return how many items were handled."""


class Worker:
    """Runs ``tasks`` for every enlisted tenant (or only those in ``only``) until stopped."""

    def __init__(
        self,
        engine: Engine,
        factory: sessionmaker[Session],
        tasks: Sequence[Task],
        *,
        idle_seconds: float = 1.0,
        only: Sequence[uuid.UUID] = (),
    ) -> None:
        self.engine = engine
        self.factory = factory
        self.tasks = list(tasks)
        self.idle_seconds = idle_seconds
        self.only = frozenset(only)  # empty: every enlisted tenant
        self._stop = threading.Event()

    def stop(self) -> None:
        self._stop.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def install_signal_handlers(self) -> None:
        """SIGTERM and SIGINT stop the loop after the task in hand."""

        def _handler(signum: int, _frame: FrameType | None) -> None:
            log.info("worker stopping", extra={"signal": signum})
            self.stop()

        signal.signal(signal.SIGTERM, _handler)
        signal.signal(signal.SIGINT, _handler)

    def run_once(self) -> int:
        """One pass over every enlisted tenant; how many items it handled."""
        with self.engine.connect() as connection:
            tenants = jobs.enlisted(connection)
        if self.only:
            tenants = [t for t in tenants if t in self.only]
        done = 0
        for tenant_id in tenants:
            for task in self.tasks:
                if self.stopping:
                    return done
                try:
                    done += task.run(self.factory, tenant_id)
                except Exception:  # one tenant's trouble must not stop the others' work
                    log.exception("task %s failed for tenant %s", task.name, tenant_id)
        return done

    def run_forever(self) -> None:
        while not self.stopping:
            try:
                done = self.run_once()
            except Exception:  # the database may be away for a moment: wait, then retry
                log.exception("worker pass failed")
                done = 0
            if not done:
                self._stop.wait(self.idle_seconds)
