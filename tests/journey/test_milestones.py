"""Milestones through the API: validation, status moves, deletes, roles, tenants, audit."""

from __future__ import annotations

from typing import Any

from tests.journey.helpers import SALES, history, lead_status, milestone, new_lead
from tests.support import ApiClient, TenantWorld


def test_new_lead_has_its_lead_generated_milestone_once(api: ApiClient) -> None:
    lead = new_lead(api, lead_date="2025-10-01")
    items = api.ok("GET", f"{SALES}/milestones/lead/{lead['id']}")["items"]
    assert [(m["milestone_type"], m["milestone_date"]) for m in items] == [
        ("lead_generated", "2025-10-01")
    ]
    assert history(api, lead["id"]) == [(None, "new", "created")]
    api.ok("PATCH", f"{SALES}/leads/{lead['id']}", json={"lead_date": "2025-10-03", "name": "X"})
    items = api.ok("GET", f"{SALES}/milestones/lead/{lead['id']}")["items"]
    assert [m["milestone_date"] for m in items] == ["2025-10-03"]
    milestone(api, lead["id"], "lead_generated", "2025-10-03", expect=422)
    api.ok("DELETE", f"{SALES}/milestones/{items[0]['id']}", 409)
    redate = {"milestone_date": "2025-10-09"}
    api.ok("PATCH", f"{SALES}/milestones/{items[0]['id']}", 422, json=redate)


def test_lead_created_in_a_later_status_starts_history_there(api: ApiClient) -> None:
    lead = new_lead(api, status="qualified")
    assert history(api, lead["id"]) == [(None, "qualified", "created")]


BAD_MILESTONES: list[tuple[dict[str, Any], str]] = [
    ({"follow_up_required": True, "follow_up_date": "2025-11-09"}, "before milestone_date"),
    ({"milestone_type": "proposal", "outcome": "positive"}, "only visits"),
    ({"milestone_type": "booking", "location_name": "Pune"}, "only visits"),
    ({"location_latitude": 12.9}, "go together"),
    ({"location_latitude": 91, "location_longitude": 0}, "less than or equal to 90"),
    ({"location_latitude": 0, "location_longitude": -181}, "greater than or equal to -180"),
    ({"duration_minutes": -1}, "greater than or equal to 0"),
    ({"outcome": "great"}, "outcome"),
    ({"milestone_type": "meeting"}, "milestone_type"),
    ({"milestone_date": "2025-13-01"}, "milestone_date"),
    ({"status_after": "converted"}, "status_after: Extra inputs are not permitted"),
    ({"status_before": "new"}, "status_before"),
    ({"metadata": {f"k{i}": i for i in range(51)}}, "at most 50 keys"),
    ({"metadata": {"blob": "x" * 5000}}, "at most 4096"),
    ({"metadata": ["not", "an", "object"]}, "metadata"),
    ({"milestone_time": "10:00:00+05:30"}, "without a zone"),
]


def test_bad_milestones_are_422(api: ApiClient) -> None:
    lead = new_lead(api)
    for extra, message in BAD_MILESTONES:
        body = {
            "lead_id": lead["id"],
            "milestone_type": "site_visit",
            "milestone_date": "2025-11-10",
            **extra,
        }
        response = api.post(f"{SALES}/milestones/lead", json=body)
        assert response.status_code == 422, (extra, response.text)
        assert message in response.json()["detail"], (extra, response.text)
    assert lead_status(api, lead["id"]) == "new"
    assert history(api, lead["id"]) == [(None, "new", "created")]


def test_milestone_details_round_trip(api: ApiClient) -> None:
    lead = new_lead(api)
    meta = {"source_page": "pricing", "score": 7, "tags": ["hot"]}
    created = milestone(
        api,
        lead["id"],
        "demo",
        "2025-11-10",
        milestone_time="15:30",
        location_name="HQ",
        location_latitude=-33.5,
        location_longitude=151.25,
        duration_minutes=45,
        outcome="neutral",
        metadata=meta,
    )
    fetched = api.ok("GET", f"{SALES}/milestones/{created['id']}")
    assert fetched["milestone_time"] == "15:30:00"
    assert (fetched["location_latitude"], fetched["location_longitude"]) == (-33.5, 151.25)
    assert fetched["metadata"] == meta
    assert fetched["follow_up_status"] == "none"
    changed = api.ok(
        "PATCH",
        f"{SALES}/milestones/{created['id']}",
        json={"notes": "went well", "follow_up_required": True, "follow_up_date": "2025-11-12"},
    )
    assert (changed["notes"], changed["follow_up_status"]) == ("went well", "open")
    for bad in (
        {"milestone_type": "booking"},
        {"status_after": "converted"},
        {"follow_up_date": "2025-11-01"},
        {"notes": None},
        {"follow_up_date": None},
    ):
        api.ok("PATCH", f"{SALES}/milestones/{created['id']}", 422, json=bad)


def test_milestones_move_status_forward_never_back(api: ApiClient) -> None:
    lead_id = new_lead(api)["id"]
    proposal = milestone(api, lead_id, "proposal", "2025-11-01")
    assert (proposal["status_before"], proposal["status_after"]) == ("new", "negotiation")
    visit = milestone(api, lead_id, "site_visit", "2025-11-02")
    assert (visit["status_before"], visit["status_after"]) == ("negotiation", "negotiation")
    cancelled = milestone(api, lead_id, "cancellation", "2025-11-03")
    assert cancelled["status_after"] == "lost"
    assert milestone(api, lead_id, "demo", "2025-11-04")["status_after"] == "lost"
    back = milestone(api, lead_id, "reengaged", "2025-11-05")
    assert (back["status_before"], back["status_after"]) == ("lost", "contacted")
    response = api.post(
        f"{SALES}/milestones/lead",
        json={"lead_id": lead_id, "milestone_type": "reengaged", "milestone_date": "2025-11-06"},
    )
    assert response.status_code == 409
    assert "only to a lost lead" in response.json()["detail"]
    assert history(api, lead_id) == [
        (None, "new", "created"),
        ("new", "negotiation", "milestone"),
        ("negotiation", "lost", "milestone"),
        ("lost", "contacted", "milestone"),
    ]


def test_manual_status_change_enters_the_history(api: ApiClient) -> None:
    lead_id = new_lead(api)["id"]
    milestone(api, lead_id, "demo", "2025-11-01")
    api.ok("PATCH", f"{SALES}/leads/{lead_id}", json={"status": "new"})
    api.ok("PATCH", f"{SALES}/leads/{lead_id}", json={"status": "new"})  # no change, no entry
    milestone(api, lead_id, "contacted", "2025-11-02")
    assert history(api, lead_id) == [
        (None, "new", "created"),
        ("new", "qualified", "milestone"),
        ("qualified", "new", "manual"),
        ("new", "contacted", "milestone"),
    ]
    entry = api.ok("GET", f"{SALES}/leads/{lead_id}/status-history")["items"][2]
    assert entry["actor_id"] == str(api.user_id)
    assert entry["seq"] == 3


def test_deleting_a_milestone_keeps_status_and_history(api: ApiClient) -> None:
    lead_id = new_lead(api)["id"]
    demo = milestone(api, lead_id, "demo", "2025-11-01")
    api.ok("DELETE", f"{SALES}/milestones/{demo['id']}", 204)
    api.ok("GET", f"{SALES}/milestones/{demo['id']}", 404)
    api.ok("DELETE", f"{SALES}/milestones/{demo['id']}", 404)
    items = api.ok("GET", f"{SALES}/milestones/lead/{lead_id}")["items"]
    assert [m["milestone_type"] for m in items] == ["lead_generated"]
    assert lead_status(api, lead_id) == "qualified"
    assert history(api, lead_id)[-1] == ("new", "qualified", "milestone")
    audit = api.ok(
        "GET", "/api/v1/sales/audit", params={"entity": "milestone", "entity_id": demo["id"]}
    )
    assert sorted(a["action"] for a in audit) == ["create", "delete"]


def test_milestone_list_is_chronological_and_paged(api: ApiClient) -> None:
    lead_id = new_lead(api, lead_date="2025-01-01")["id"]
    milestone(api, lead_id, "demo", "2025-03-01", milestone_time="16:00")
    milestone(api, lead_id, "contacted", "2025-02-01")
    milestone(api, lead_id, "revisit", "2025-03-01", milestone_time="09:00")
    first = api.ok("GET", f"{SALES}/milestones/lead/{lead_id}", params={"limit": 2})
    rest = api.ok(
        "GET", f"{SALES}/milestones/lead/{lead_id}", params={"cursor": first["next_cursor"]}
    )
    assert [m["milestone_type"] for m in first["items"] + rest["items"]] == [
        "lead_generated",
        "contacted",
        "revisit",
        "demo",
    ]
    assert rest["next_cursor"] is None
    api.ok("GET", f"{SALES}/milestones/lead/{lead_id}", 422, params={"cursor": "garbage"})


def test_roles_viewer_reads_rep_writes(world: TenantWorld) -> None:
    lead_id = new_lead(world.admin)["id"]
    created = milestone(world.rep, lead_id, "contacted", "2025-11-01")
    url = f"{SALES}/milestones/{created['id']}"
    viewer = world.viewer
    assert viewer.ok("GET", url)["id"] == created["id"]
    viewer.ok("GET", f"{SALES}/leads/{lead_id}/status-history")
    viewer.ok("GET", f"{SALES}/reports/milestone-timeline/{lead_id}")
    milestone(viewer, lead_id, "demo", "2025-11-02", expect=403)
    viewer.ok("PATCH", url, 403, json={"notes": "x"})
    viewer.ok("DELETE", url, 403)
    viewer.ok("POST", f"{SALES}/follow-ups/{created['id']}/done", 403)
    world.rep.ok("PATCH", url, json={"notes": "called back"})


def test_other_tenant_sees_nothing(world: TenantWorld, other_world: TenantWorld) -> None:
    mine = world.admin
    lead_id = new_lead(mine)["id"]
    created = milestone(
        mine,
        lead_id,
        "site_visit",
        "2025-11-01",
        follow_up_required=True,
        follow_up_date="2025-11-02",
    )
    theirs = other_world.admin
    milestone(theirs, lead_id, "demo", "2025-11-02", expect=404)
    for url in (
        f"{SALES}/milestones/{created['id']}",
        f"{SALES}/milestones/lead/{lead_id}",
        f"{SALES}/leads/{lead_id}/milestones",
        f"{SALES}/leads/{lead_id}/status-history",
        f"{SALES}/reports/milestone-timeline/{lead_id}",
        f"{SALES}/reports/engagement-stats/{lead_id}",
        f"{SALES}/engagement/{lead_id}",
    ):
        theirs.ok("GET", url, 404)
    theirs.ok("PATCH", f"{SALES}/milestones/{created['id']}", 404, json={"notes": "x"})
    theirs.ok("DELETE", f"{SALES}/milestones/{created['id']}", 404)
    theirs.ok("POST", f"{SALES}/follow-ups/{created['id']}/done", 404)
    assert theirs.ok("GET", f"{SALES}/follow-ups")["items"] == []
    # Their user cannot be named as our visitor either.
    other_lead = new_lead(theirs)["id"]
    milestone(mine, other_lead, "demo", "2025-11-02", expect=404)
    response = mine.post(
        f"{SALES}/milestones/lead",
        json={
            "lead_id": lead_id,
            "milestone_type": "demo",
            "milestone_date": "2025-11-02",
            "visited_by": str(theirs.user_id),
        },
    )
    assert response.status_code == 422
    assert mine.ok("GET", f"{SALES}/milestones/{created['id']}")["status_after"] == "qualified"
