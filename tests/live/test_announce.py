"""Only what commits is announced, and a viewer's session ending ends their stream."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from salestrack.auth.context import system_actor
from salestrack.core.tenancy import tenant_transaction
from salestrack.leads import service as leads
from salestrack.leads.schemas import LeadCreate
from tests.live.conftest import EventReader, as_user, watching
from tests.support import TenantWorld
from tests.web.support import WebClient

QUIET = 1.0


class ChangedMyMind(Exception):
    pass


def _created(stream: EventReader) -> list[str]:
    return [
        c["lead_id"]
        for event in stream.changes(QUIET)
        for c in event.data["changes"]
        if c["kind"] == "lead.created"
    ]


def _write_then_give_up(factory: sessionmaker[Session], world: TenantWorld) -> None:
    actor = system_actor(world.tenant_id, world.slug)
    with tenant_transaction(factory, world.tenant_id) as session:
        leads.create_lead(session, actor=actor, data=LeadCreate(name="Never"))
        session.flush()  # written, then rolled back
        raise ChangedMyMind


def test_a_rolled_back_write_announces_nothing(
    live_http: TestClient, world: TenantWorld, session_factory: sessionmaker[Session]
) -> None:
    actor = system_actor(world.tenant_id, world.slug)
    with watching(live_http, as_user(world.manager)) as stream:
        with pytest.raises(ChangedMyMind):
            _write_then_give_up(session_factory, world)
        with tenant_transaction(session_factory, world.tenant_id) as session:
            savepoint = session.begin_nested()
            leads.create_lead(session, actor=actor, data=LeadCreate(name="Undone"))
            savepoint.rollback()
            kept = leads.create_lead(session, actor=actor, data=LeadCreate(name="Kept"))

        assert _created(stream) == [str(kept.id)]


def test_a_released_savepoint_is_announced_with_its_transaction(
    live_http: TestClient, world: TenantWorld, session_factory: sessionmaker[Session]
) -> None:
    actor = system_actor(world.tenant_id, world.slug)
    with watching(live_http, as_user(world.manager)) as stream:
        with tenant_transaction(session_factory, world.tenant_id) as session:
            with session.begin_nested():
                inner = leads.create_lead(session, actor=actor, data=LeadCreate(name="Inner"))
            outer = leads.create_lead(session, actor=actor, data=LeadCreate(name="Outer"))
        events = stream.changes(QUIET)
    assert len([e for e in events if e.event == "change"]) == 1  # one transaction, one event
    assert sorted(
        c["lead_id"] for c in events[0].data["changes"] if c["kind"] == "lead.created"
    ) == sorted([str(inner.id), str(outer.id)])


def test_signing_out_ends_the_stream_of_that_session(
    live_app: FastAPI, live_http: TestClient, world: TenantWorld
) -> None:
    page = WebClient(TestClient(live_app))  # a browser: the stream rides on its cookie
    assert page.login(world.slug, world.rep.email).status_code == 200
    with watching(live_http, as_user(world.manager)) as manager, watching(page.http) as rep:
        world.rep.ok("POST", "/api/v1/auth/logout", 204)  # every session of the rep ends
        ended = rep.changes(3.0)
        assert [e.event for e in ended] == ["end"]
        assert "session has ended" in ended[0].data["reason"]
        assert manager.changes(QUIET) == []  # the manager's stream goes on, told nothing
    assert page.http.get("/live/events").status_code == 401
