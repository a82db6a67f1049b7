"""Request-scoped dependencies shared by every router: settings and the unit of work."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from salestrack.config import Settings


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


# Scope key under which an outer layer (idempotent POSTs) lends the request its session.
SHARED_SESSION = "salestrack.db_session"


def get_session(request: Request) -> Iterator[Session]:
    """One transaction per request: committed before the response is sent, or rolled back.

    When the idempotency layer already opened the request's session, that layer owns the
    transaction: it commits the writes together with the stored response.
    """
    shared: Session | None = request.scope.get(SHARED_SESSION)
    if shared is not None:
        yield shared
        return
    session: Session = request.app.state.session_factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
