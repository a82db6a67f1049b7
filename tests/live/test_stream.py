"""``GET /live/events``: a tenant's committed changes reach its users' streams, and only theirs."""

from __future__ import annotations

import asyncio
import uuid
from concurrent.futures import ThreadPoolExecutor

from fastapi.testclient import TestClient

from salestrack.live.hub import Hub, Opening, Subscription
from tests.journey.helpers import SALES, milestone, new_lead
from tests.live.conftest import as_user, watching
from tests.money.conftest import book, buyer, new_inventory, post
from tests.support import TenantWorld

QUIET = 1.0  # seconds a stream that must hear nothing is watched (heartbeats every 0.2)


def test_a_milestone_reaches_the_tenant_and_no_other_tenant(
    live_http: TestClient, world: TenantWorld, other_world: TenantWorld
) -> None:
    with (
        watching(live_http, as_user(world.manager)) as ours,
        watching(live_http, as_user(other_world.manager)) as theirs,
    ):
        lead = new_lead(world.admin, name="Meera Iyer")
        visit = milestone(
            world.admin,
            lead["id"],
            "site_visit",
            "2025-11-10",
            follow_up_required=True,
            follow_up_date="2025-11-12",
        )

        seen = ours.until("milestone.recorded", id=visit["id"])
        changes = [c for event in seen for c in event.data["changes"]]
        assert {"kind": "lead.created", "lead_id": lead["id"], "id": lead["id"]} in changes
        assert {"kind": "follow_up.changed", "lead_id": lead["id"], "id": visit["id"]} in changes
        assert {c["lead_id"] for c in changes} == {lead["id"]}
        assert all(event.id for event in seen if event.event == "change")
        assert not any("Meera" in str(event.data) for event in seen)  # ids, never names

        assert theirs.changes(QUIET) == []  # heartbeats only
        new_lead(other_world.admin, name="Their own lead")
        assert "lead.created" in theirs.next().kinds  # type: ignore[union-attr]


def test_a_sales_rep_is_told_of_no_money(live_http: TestClient, world: TenantWorld) -> None:
    lead_id, customer_id = buyer(world.admin)
    units = new_inventory(world.admin)
    with (
        watching(live_http, as_user(world.rep)) as rep,
        watching(live_http, as_user(world.manager)) as manager,
    ):
        book(world.admin, customer_id, units["id"])
        post(world.admin, customer_id, "payment", "250000.00")
        talk = milestone(world.admin, lead_id, "negotiation", "2025-11-22")

        seen = manager.until("milestone.recorded", id=talk["id"])
        manager_kinds = [k for event in seen for k in event.kinds]
        assert "booking.changed" in manager_kinds
        assert "ledger.posted" in manager_kinds

        rep_events = rep.until("milestone.recorded", id=talk["id"])
        rep_kinds = [k for event in rep_events for k in event.kinds]
        assert not [k for k in rep_kinds if k.startswith(("booking", "ledger", "bulk.money"))]
        assert rep.changes(QUIET) == []


def test_a_reconnect_with_last_event_id_gets_what_it_missed(
    live_http: TestClient, world: TenantWorld
) -> None:
    headers = as_user(world.manager)
    with watching(live_http, headers) as first:
        lead = new_lead(world.admin, name="First")
        last_seen = first.until("lead.created")[-1].id
    assert last_seen
    missed = [new_lead(world.admin, name=f"Missed {n}")["id"] for n in range(2)]

    with watching(live_http, headers, last_event_id=last_seen) as again:
        replayed = again.changes(QUIET)
    created = [
        c["lead_id"] for e in replayed for c in e.data["changes"] if c["kind"] == "lead.created"
    ]
    assert created == missed
    assert lead["id"] not in created


def test_a_stream_that_saw_nothing_replays_from_its_opening_mark(
    live_http: TestClient, world: TenantWorld
) -> None:
    headers = as_user(world.manager)
    with watching(live_http, headers) as quiet:
        assert quiet.ready is not None
        mark = quiet.ready.id
    assert mark is not None
    assert mark.startswith("@")  # this new tenant has had no change yet: a mark, no id
    later = new_lead(world.admin, name="After the mark")
    with watching(live_http, headers, last_event_id=mark) as again:
        replayed = again.changes(QUIET)
    assert [e.event for e in replayed] == ["change"]  # the one transaction, once
    assert replayed[0].kinds == ["lead.created", "lead.status", "milestone.recorded"]
    assert {c["lead_id"] for c in replayed[0].data["changes"]} == {later["id"]}


def test_an_unknown_or_too_old_last_event_id_says_reload(
    live_http: TestClient, world: TenantWorld
) -> None:
    """An id no longer (or never) kept, and another process's mark, cannot replay: the
    page is told to fetch everything again."""
    for remembered in ("18c0a1b2c3d-0123456789ab", "@0badc0de.3"):
        with watching(live_http, as_user(world.manager), last_event_id=remembered) as stream:
            event = stream.next()
            assert event is not None
            assert event.event == "reload", remembered


def test_no_stream_without_a_user(live_http: TestClient, world: TenantWorld) -> None:
    assert live_http.get("/live/events").status_code == 401
    wrong_tenant = {**as_user(world.manager), "X-Tenant-ID": "some-other-tenant"}
    assert live_http.get("/live/events", headers=wrong_tenant).status_code == 403
    bad = {"Authorization": "Bearer not-a-token", "X-Tenant-ID": world.slug}
    answer = live_http.get("/live/events", headers=bad)
    assert answer.status_code == 401
    assert answer.headers["content-type"] == "application/problem+json"


def test_the_stream_ends_when_the_user_is_deactivated(
    live_http: TestClient, world: TenantWorld
) -> None:
    with watching(live_http, as_user(world.rep)) as rep:
        world.admin.ok("PATCH", f"{SALES}/users/{world.rep.user_id}", json={"is_active": False})
        events = rep.changes(3.0)
        assert [e.event for e in events][-1:] == ["end"], events
        assert "no longer active" in events[-1].data["reason"]
        assert rep.next(QUIET) is None
        assert rep.ended


def test_a_forged_mark_with_non_ascii_digits_is_told_to_reload() -> None:
    """``²`` passes ``str.isdigit`` but is no number: the opening says reload (no error)."""

    async def open_with(hub: Hub, last_event_id: str | None) -> Opening:
        return hub.subscribe(Subscription(uuid.uuid4(), uuid.uuid4()), last_event_id)

    def opened(hub: Hub, last_event_id: str | None) -> Opening:
        # A loop of its own, in a thread: this worker's thread may already run one.
        with ThreadPoolExecutor(max_workers=1) as thread:
            return thread.submit(asyncio.run, open_with(hub, last_event_id)).result()

    hub = Hub()
    mark = opened(hub, None).mark
    assert mark.startswith("@")  # nothing published yet: the hub's own mark
    generation = mark.removeprefix("@").partition(".")[0]
    assert opened(hub, f"@{generation}.²").missed is None
    assert opened(hub, mark).missed == []
