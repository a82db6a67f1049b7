"""Hook points: how a lower layer asks for behaviour that a higher layer provides.

A write that must be followed by something owned higher up (an audit entry, the report
summaries, a lead's first milestone) runs a hook point declared in its own layer. What
answers a hook point is installed on a *session factory* by ``salestrack.wiring.install``,
never by importing a module, so every entry point (the app, each CLI command, the tests)
gets the same behaviour. A session whose factory was never wired refuses to run a hook
(``NotWired``) instead of silently skipping what it should have done.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from sqlalchemy.orm import Session, sessionmaker

WIRING_KEY = "salestrack.wiring"

HandlerT = TypeVar("HandlerT", bound=Callable[..., Any])


class NotWired(RuntimeError):
    """A session from a factory that ``salestrack.wiring.install`` never saw."""


class Wiring:
    """The handlers installed on one session factory, by hook point name."""

    def __init__(self) -> None:
        self.handlers: dict[str, list[Callable[..., Any]]] = {}


def mark_wired(factory: sessionmaker[Session]) -> bool:
    """Give ``factory``'s sessions a registry; False when it already had one."""
    info: dict[str, Any] = factory.kw.setdefault("info", {})
    if WIRING_KEY in info:
        return False
    info[WIRING_KEY] = Wiring()
    return True


def is_wired(factory: sessionmaker[Session]) -> bool:
    return WIRING_KEY in factory.kw.get("info", {})


def wiring_of(session: Session) -> Wiring:
    wiring = session.info.get(WIRING_KEY)
    if not isinstance(wiring, Wiring):
        raise NotWired(
            "this session's factory was not wired: build it with salestrack.wiring.install "
            "(audit, report summaries and journey hooks would otherwise be skipped)"
        )
    return wiring


class HookPoint(Generic[HandlerT]):
    """A named place where a write asks for the behaviour the wiring installed.

    ``required`` hook points must have a handler: running one without is a wiring bug.
    """

    def __init__(self, name: str, *, required: bool = False) -> None:
        self.name = name
        self.required = required

    def connect(self, factory: sessionmaker[Session], handler: HandlerT) -> None:
        """Install ``handler`` on ``factory`` (once: connecting it again changes nothing)."""
        info: dict[str, Any] = factory.kw.get("info", {})
        wiring = info.get(WIRING_KEY)
        if not isinstance(wiring, Wiring):
            raise NotWired(f"mark the factory wired before connecting {self.name}")
        handlers = wiring.handlers.setdefault(self.name, [])
        if handler not in handlers:
            handlers.append(handler)

    def disconnect(self, factory: sessionmaker[Session], handler: HandlerT) -> None:
        """Take ``handler`` off ``factory`` (tests that plug in a handler of their own)."""
        wiring = factory.kw.get("info", {}).get(WIRING_KEY)
        if isinstance(wiring, Wiring) and handler in wiring.handlers.get(self.name, []):
            wiring.handlers[self.name].remove(handler)

    def handlers(self, session: Session) -> list[HandlerT]:
        """What answers this hook point for ``session``, in installation order."""
        found: list[HandlerT] = wiring_of(session).handlers.get(self.name, [])  # type: ignore[assignment]
        if self.required and not found:
            raise NotWired(f"nothing is installed for {self.name}")
        return found


# Neutral hook points of core: every domain's writes run them, the wiring fills them.
RECORD_CHANGE: HookPoint[Callable[..., None]] = HookPoint("record_change", required=True)
"""Log a create, update or delete (the audit log): ``(session, *, actor, entity, entity_id,
action, changes)``, in the writer's transaction."""


CLOSING_CHECKS: HookPoint[Callable[[Session], None]] = HookPoint("closing_checks")
"""Checks a unit of work owes before it commits, even one that never touched the database
(the request's user check): ``(session)``, raising to refuse the commit."""


def closing_checks(session: Session) -> None:
    for handler in CLOSING_CHECKS.handlers(session):
        handler(session)
