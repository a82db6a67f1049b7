"""What an arriving lead carries beyond its own columns, for the rules run as it is created
(the project a captured buyer asked about decides assignment by project)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session

PROJECT_KEY = "salestrack.intake.arriving_project"


@contextmanager
def arriving_project(session: Session, project: str) -> Iterator[None]:
    session.info[PROJECT_KEY] = project
    try:
        yield
    finally:
        session.info.pop(PROJECT_KEY, None)


def project_of_arrival(session: Session) -> str:
    value = session.info.get(PROJECT_KEY, "")
    return value if isinstance(value, str) else ""
