"""Follow-ups due: raised by the worker on the day, once per follow-up, due day and owner."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from salestrack.core.worker import Worker
from salestrack.notifications.due import LOOKBACK_DAYS, RaiseFollowUpsDue
from tests.journey.helpers import SALES, milestone, new_lead
from tests.notifications.helpers import notes_of
from tests.support import TenantWorld, tenant_today


def _worker(engine: Engine, factory: sessionmaker[Session], world: TenantWorld) -> Worker:
    """A worker for this test's tenant only, looking for due follow-ups at every pass."""
    return Worker(engine, factory, [RaiseFollowUpsDue(interval_seconds=0)], only=[world.tenant_id])


def _due_notes(world: TenantWorld, role: str = "rep") -> list[dict[str, object]]:
    return [n for n in notes_of(getattr(world, role)) if n["kind"] == "follow_up_due"]


def test_a_follow_up_due_today_tells_its_owner_once(
    world: TenantWorld, engine: Engine, session_factory: sessionmaker[Session]
) -> None:
    today = tenant_today()
    lead = new_lead(world.admin, name="Kiran Shah", assigned_to=str(world.rep.user_id))
    due = milestone(
        world.admin,
        lead["id"],
        "contacted",
        (today - timedelta(days=2)).isoformat(),
        follow_up_required=True,
        follow_up_date=today.isoformat(),
        notes="Send the floor plans",
    )
    later = new_lead(world.admin, name="Not Yet", assigned_to=str(world.rep.user_id))
    milestone(
        world.admin,
        later["id"],
        "contacted",
        today.isoformat(),
        follow_up_required=True,
        follow_up_date=(today + timedelta(days=1)).isoformat(),
    )
    worker = _worker(engine, session_factory, world)
    assert _due_notes(world) == []  # nothing until the worker looks

    assert worker.run_once() == 1  # the tenant was listed for the worker by the follow-up
    assert worker.run_once() == 0  # looking again raises nothing new

    [note] = _due_notes(world)
    assert note["lead_id"] == lead["id"]
    assert note["due_date"] == today.isoformat()
    assert "Kiran Shah" in str(note["message"])
    for role in ("admin", "manager", "viewer"):
        assert _due_notes(world, role) == [], role
    assert due["follow_up_date"] == today.isoformat()


def test_a_follow_up_moved_to_another_day_is_due_again_and_a_new_owner_is_told(
    world: TenantWorld, engine: Engine, session_factory: sessionmaker[Session]
) -> None:
    today = tenant_today()
    lead = new_lead(world.admin, name="Moved", assigned_to=str(world.rep.user_id))
    start = (today - timedelta(days=3)).isoformat()
    row = milestone(
        world.admin,
        lead["id"],
        "contacted",
        start,
        follow_up_required=True,
        follow_up_date=(today - timedelta(days=1)).isoformat(),
    )
    worker = _worker(engine, session_factory, world)
    worker.run_once()
    world.admin.ok(
        "PATCH", f"{SALES}/milestones/{row['id']}", json={"follow_up_date": today.isoformat()}
    )
    worker.run_once()
    assert sorted(str(n["due_date"]) for n in _due_notes(world)) == [
        (today - timedelta(days=1)).isoformat(),
        today.isoformat(),
    ]
    world.admin.ok(
        "PATCH", f"{SALES}/leads/{lead['id']}", json={"assigned_to": str(world.manager.user_id)}
    )
    worker.run_once()
    assert [n["due_date"] for n in _due_notes(world, "manager")] == [today.isoformat()]
    assert len(_due_notes(world)) == 2


def test_done_deleted_too_old_and_unowned_follow_ups_raise_nothing(
    world: TenantWorld, engine: Engine, session_factory: sessionmaker[Session]
) -> None:
    today = tenant_today().isoformat()
    done_lead = new_lead(world.admin, name="Done", assigned_to=str(world.rep.user_id))
    done = milestone(
        world.admin,
        done_lead["id"],
        "contacted",
        today,
        follow_up_required=True,
        follow_up_date=today,
    )
    world.rep.ok("POST", f"{SALES}/follow-ups/{done['id']}/done")
    gone = new_lead(world.admin, name="Deleted", assigned_to=str(world.rep.user_id))
    milestone(
        world.admin, gone["id"], "contacted", today, follow_up_required=True, follow_up_date=today
    )
    world.admin.ok("DELETE", f"{SALES}/leads/{gone['id']}", 204)
    old_day = (tenant_today() - timedelta(days=LOOKBACK_DAYS + 1)).isoformat()
    old = new_lead(world.admin, name="Long Overdue", assigned_to=str(world.rep.user_id))
    milestone(
        world.admin,
        old["id"],
        "contacted",
        old_day,
        follow_up_required=True,
        follow_up_date=old_day,
    )
    nobody = new_lead(world.admin, name="Unassigned")
    milestone(
        world.admin, nobody["id"], "contacted", today, follow_up_required=True, follow_up_date=today
    )

    assert _worker(engine, session_factory, world).run_once() == 0
    for role in ("admin", "manager", "rep", "viewer"):
        assert _due_notes(world, role) == [], role


def test_two_workers_looking_at_once_tell_the_owner_once(
    world: TenantWorld, engine: Engine, session_factory: sessionmaker[Session]
) -> None:
    today = tenant_today().isoformat()
    for name in ("A", "B", "C"):
        lead = new_lead(world.admin, name=name, assigned_to=str(world.rep.user_id))
        milestone(
            world.admin,
            lead["id"],
            "contacted",
            today,
            follow_up_required=True,
            follow_up_date=today,
        )
    workers = [_worker(engine, session_factory, world) for _ in range(2)]
    start = threading.Barrier(2)
    handled: list[int] = []

    def run(worker: Worker) -> None:
        start.wait()
        handled.append(worker.run_once())

    threads = [threading.Thread(target=run, args=(w,)) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sum(handled) == 3
    assert sorted(str(n["message"]) for n in _due_notes(world)) == [
        f"Follow-up due: {name} ({code})"
        for name, code in sorted(
            (n["lead_name"], n["lead_code"])
            for n in world.admin.ok("GET", f"{SALES}/follow-ups")["items"]
        )
    ]
