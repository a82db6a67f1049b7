"""Follow-ups: listed oldest due first, flagged overdue, closed by hand or by a later touch."""

from __future__ import annotations

from datetime import timedelta

from salestrack.core.db import utcnow

from tests.journey.helpers import SALES, engagement, follow_up_ids, milestone, new_lead
from tests.support import TenantWorld


def _visit(api: object, lead_id: str, day: str, due: str) -> str:
    created = milestone(
        api,  # type: ignore[arg-type]
        lead_id,
        "site_visit",
        day,
        follow_up_required=True,
        follow_up_date=due,
    )
    return str(created["id"])


def test_listing_order_filters_and_flags(world: TenantWorld) -> None:
    rep, manager = world.rep, world.manager
    future = (utcnow().date() + timedelta(days=30)).isoformat()
    mine = new_lead(rep, assigned_to=str(rep.user_id))["id"]
    theirs = new_lead(manager, assigned_to=str(manager.user_id))["id"]
    later = _visit(rep, mine, "2025-01-10", future)
    earliest = _visit(manager, theirs, "2025-01-01", "2025-01-05")
    middle = _visit(rep, mine, "2025-01-02", "2025-01-08")
    page = rep.ok("GET", f"{SALES}/follow-ups")
    assert [f["milestone_id"] for f in page["items"]] == [earliest, middle, later]
    flags = {f["milestone_id"]: f["overdue"] for f in page["items"]}
    assert flags == {earliest: True, middle: True, later: False}
    assert page["items"][0]["days_overdue"] > 300
    assert follow_up_ids(rep, assigned_to=str(rep.user_id)) == [middle, later]
    assert follow_up_ids(rep, due_before="2025-01-08") == [earliest]
    assert follow_up_ids(rep, overdue="true") == [earliest, middle]
    first = rep.ok("GET", f"{SALES}/follow-ups", params={"limit": 2})
    rest = rep.ok("GET", f"{SALES}/follow-ups", params={"limit": 2, "cursor": first["next_cursor"]})
    assert [f["milestone_id"] for f in first["items"] + rest["items"]] == [earliest, middle, later]
    world.viewer.ok("GET", f"{SALES}/follow-ups")
    rep.ok("GET", f"{SALES}/follow-ups", 422, params={"due_before": "not-a-date"})


def test_marking_done(world: TenantWorld) -> None:
    rep = world.rep
    lead_id = new_lead(rep)["id"]
    visit = _visit(rep, lead_id, "2025-01-01", "2025-01-05")
    done = rep.ok("POST", f"{SALES}/follow-ups/{visit}/done")
    assert (done["follow_up_status"], done["follow_up_closed_by"]) == ("closed", "done")
    assert (
        rep.ok("POST", f"{SALES}/follow-ups/{visit}/done")["follow_up_closed_at"]
        == (done["follow_up_closed_at"])
    )
    assert follow_up_ids(rep) == []
    plain = milestone(rep, lead_id, "demo", "2025-01-06")
    rep.ok("POST", f"{SALES}/follow-ups/{plain['id']}/done", 409)
    audit = world.admin.ok(
        "GET", "/api/v1/sales/audit", params={"entity": "milestone", "entity_id": visit}
    )
    assert [a["action"] for a in audit].count("update") == 1


def test_later_touch_closes_earlier_does_not(world: TenantWorld) -> None:
    rep = world.rep
    lead_id = new_lead(rep)["id"]
    visit = _visit(rep, lead_id, "2025-03-10", "2025-03-15")
    milestone(rep, lead_id, "contacted", "2025-03-01")  # backdated: before the visit
    engagement(rep, lead_id, "call_made", "phone", "2025-03-12T10:00:00Z", status="scheduled")
    engagement(rep, lead_id, "call_made", "phone", "2025-03-09T10:00:00Z")  # the day before
    assert follow_up_ids(rep) == [visit]
    demo = milestone(rep, lead_id, "demo", "2025-03-11")
    assert follow_up_ids(rep) == []
    closed = rep.ok("GET", f"{SALES}/milestones/{visit}")
    assert (closed["follow_up_closed_by"], closed["follow_up_closed_by_id"]) == (
        "milestone",
        demo["id"],
    )
    # Asking for a follow-up again opens a new one.
    rep.ok("PATCH", f"{SALES}/milestones/{visit}", json={"follow_up_required": False})
    reopened = rep.ok("PATCH", f"{SALES}/milestones/{visit}", json={"follow_up_required": True})
    assert reopened["follow_up_status"] == "open"
    assert follow_up_ids(rep) == [visit]


def test_deleted_lead_or_milestone_leaves_the_list(world: TenantWorld) -> None:
    rep = world.rep
    lead_id = new_lead(rep)["id"]
    visit = _visit(rep, lead_id, "2025-01-01", "2025-01-05")
    other = new_lead(rep)["id"]
    _visit(rep, other, "2025-01-01", "2025-01-06")
    rep.ok("DELETE", f"{SALES}/leads/{other}", 204)
    assert follow_up_ids(rep) == [visit]
    rep.ok("DELETE", f"{SALES}/milestones/{visit}", 204)
    assert follow_up_ids(rep) == []
