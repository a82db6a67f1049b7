"""A process remembers which tenants it has seen listed for the worker, and skips listing
them again, but only once a listing has committed: a listing undone by a rollback (the
whole transaction's or a savepoint's) is made again by the tenant's next write."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy.orm import Session, sessionmaker

from salestrack.core import jobs
from salestrack.core.tenancy import set_tenant, tenant_transaction


def _listed(factory: sessionmaker[Session], tenant: uuid.UUID) -> bool:
    with tenant_transaction(factory, tenant) as session:
        return tenant in jobs.enlisted(session.connection())


def test_a_listing_rolled_back_is_made_again(session_factory: sessionmaker[Session]) -> None:
    tenant = uuid.uuid4()
    with session_factory() as session:
        set_tenant(session, tenant)
        jobs.enlist(session, tenant)
        session.rollback()
    assert not _listed(session_factory, tenant)
    with tenant_transaction(session_factory, tenant) as session:
        jobs.enlist(session, tenant)
    assert _listed(session_factory, tenant)


def test_a_listing_in_a_savepoint_rolled_back_is_made_again(
    session_factory: sessionmaker[Session],
) -> None:
    tenant = uuid.uuid4()

    def list_then_fail(session: Session) -> None:
        with session.begin_nested():
            jobs.enlist(session, tenant)
            raise RuntimeError("undo the savepoint")

    with tenant_transaction(session_factory, tenant) as session, pytest.raises(RuntimeError):
        list_then_fail(session)
    assert not _listed(session_factory, tenant)
    with tenant_transaction(session_factory, tenant) as session:
        jobs.enlist(session, tenant)
    assert _listed(session_factory, tenant)
