"""Assignment rules: fixed owners and round robin among active reps, by source, campaign or
project, for every way a lead arrives; audited; concurrent leads never share a turn."""

from __future__ import annotations

import threading
from collections import Counter

from sqlalchemy.orm import Session, sessionmaker

from salestrack.auth import service as auth
from salestrack.auth.context import system_actor
from salestrack.auth.roles import Role
from salestrack.auth.schemas import UserCreate
from salestrack.core.tenancy import tenant_transaction
from tests.intake.helpers import ASSIGNMENT, new_key, send, source
from tests.support import PASSWORD, TenantWorld

LEADS = "/api/v1/sales/leads"


def _reps(world: TenantWorld, factory: sessionmaker[Session], n: int) -> list[str]:
    with tenant_transaction(factory, world.tenant_id) as session:
        actor = system_actor(world.tenant_id, world.slug)
        return [
            str(
                auth.create_user(
                    session,
                    actor=actor,
                    data=UserCreate(
                        email=f"rr{i}@{world.slug}.example.com",
                        password=PASSWORD,
                        role=Role.sales_rep,
                    ),
                ).id
            )
            for i in range(n)
        ]


def test_round_robin_gives_three_reps_three_leads_each_and_skips_a_deactivated_one(
    world: TenantWorld, session_factory: sessionmaker[Session]
) -> None:
    admin = world.admin
    reps = _reps(world, session_factory, 3)
    admin.ok(
        "POST",
        ASSIGNMENT,
        201,
        json={"name": "Website leads", "mode": "round_robin", "pool": reps},
    )
    key = new_key(admin)
    owners = [
        send(admin, key, {"name": f"Buyer {i}", "email": f"b{i}@example.com"}).json()["assigned_to"]
        for i in range(9)
    ]
    assert Counter(owners) == dict.fromkeys(reps, 3)
    admin.ok("PATCH", f"/api/v1/sales/users/{reps[1]}", json={"is_active": False})
    later = [
        admin.ok("POST", LEADS, 201, json={"name": f"Later {i}"})["assigned_to"] for i in range(4)
    ]
    assert Counter(later) == {reps[0]: 2, reps[2]: 2}
    lead_id = admin.ok("GET", LEADS)["items"][0]["id"]
    audit = admin.ok("GET", f"/api/v1/sales/audit?entity=lead&entity_id={lead_id}")
    assigned = [e for e in audit if e["action"] == "update" and "assigned_to" in e["changes"]]
    assert len(assigned) == 1
    assert assigned[0]["changes"]["assigned_to"]["from"] is None


def test_rules_by_source_and_project_with_a_fixed_owner(
    world: TenantWorld, session_factory: sessionmaker[Session]
) -> None:
    admin = world.admin
    reps = _reps(world, session_factory, 2)
    portal = source(admin, "Portal", "website")
    admin.ok(
        "POST",
        ASSIGNMENT,
        201,
        json={
            "name": "Lake View",
            "priority": 1,
            "project": "Lake View",
            "mode": "fixed",
            "owner_id": reps[0],
        },
    )
    admin.ok(
        "POST",
        ASSIGNMENT,
        201,
        json={
            "name": "Portal",
            "priority": 2,
            "source_id": portal,
            "mode": "fixed",
            "owner_id": reps[1],
        },
    )
    key = new_key(admin)
    by_project = send(admin, key, {"name": "P", "email": "p@example.com", "project": "lake view"})
    assert by_project.json()["assigned_to"] == reps[0]
    by_source = admin.ok("POST", LEADS, 201, json={"name": "S", "source_id": portal})
    assert by_source["assigned_to"] == reps[1]
    chosen = admin.ok(
        "POST", LEADS, 201, json={"name": "T", "source_id": portal, "assigned_to": reps[0]}
    )
    assert chosen["assigned_to"] == reps[0]  # a lead that names its owner keeps it
    assert admin.ok("POST", LEADS, 201, json={"name": "U"})["assigned_to"] is None
    # An inactive fixed owner is skipped.
    admin.ok("PATCH", f"/api/v1/sales/users/{reps[1]}", json={"is_active": False})
    assert (
        admin.ok("POST", LEADS, 201, json={"name": "V", "source_id": portal})["assigned_to"] is None
    )


def test_concurrent_leads_never_share_a_turn(
    world: TenantWorld, session_factory: sessionmaker[Session]
) -> None:
    admin = world.admin
    reps = _reps(world, session_factory, 3)
    admin.ok("POST", ASSIGNMENT, 201, json={"name": "All", "mode": "round_robin", "pool": reps})
    key = new_key(admin)
    owners: list[str] = []
    lock = threading.Lock()

    def capture(start: int) -> None:
        for i in range(start, start + 3):
            answer = send(admin, key, {"name": f"C{i}", "email": f"c{i}@example.com"})
            assert answer.status_code == 201, answer.text
            with lock:
                owners.append(answer.json()["assigned_to"])

    threads = [threading.Thread(target=capture, args=(n * 3,)) for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Counter(owners) == dict.fromkeys(reps, 3)
