"""A follow-up may have a local time of day (what alerts are timed by): set through the
API and the lead page, shown on the follow-ups list, refused without a date."""

from __future__ import annotations

from tests.journey.helpers import SALES, milestone, new_lead
from tests.support import TenantWorld
from tests.web.support import WebClient, text_of


def test_a_follow_up_time_through_the_api(world: TenantWorld) -> None:
    rep = world.rep
    lead = new_lead(rep)["id"]
    created = milestone(
        rep,
        lead,
        "contacted",
        "2025-11-10",
        follow_up_required=True,
        follow_up_date="2025-11-12",
        follow_up_time="15:30",
    )
    assert created["follow_up_time"] == "15:30:00"
    [listed] = rep.ok("GET", f"{SALES}/follow-ups")["items"]
    assert listed["follow_up_time"] == "15:30:00"
    moved = rep.ok("PATCH", f"{SALES}/milestones/{created['id']}", json={"follow_up_time": "09:00"})
    assert moved["follow_up_time"] == "09:00:00"
    cleared = rep.ok("PATCH", f"{SALES}/milestones/{created['id']}", json={"follow_up_time": None})
    assert cleared["follow_up_time"] is None


def test_a_follow_up_time_needs_a_date_and_no_zone(world: TenantWorld) -> None:
    rep = world.rep
    lead = new_lead(rep)["id"]
    untimed = milestone(rep, lead, "contacted", "2025-11-10", 422, follow_up_time="10:00")
    assert "follow_up_time needs a follow_up_date" in untimed["detail"]
    zoned = milestone(
        rep,
        lead,
        "contacted",
        "2025-11-10",
        422,
        follow_up_required=True,
        follow_up_date="2025-11-12",
        follow_up_time="10:00+05:30",
    )
    assert "follow_up_time" in str(zoned)
    assert rep.ok("GET", f"{SALES}/follow-ups")["items"] == []


def test_a_follow_up_time_from_the_lead_page(rep_web: WebClient, world: TenantWorld) -> None:
    lead = new_lead(world.rep, lead_date="2025-11-01")
    rep_web.get(f"/leads/{lead['id']}")
    form = {
        "milestone_type": "contacted",
        "milestone_date": "2025-11-10",
        "follow_up_date": "2025-11-15",
        "follow_up_time": "16:45",
    }
    page = rep_web.post(f"/leads/{lead['id']}/milestones", form)
    assert page.status_code == 200
    assert "15 Nov 2025 4:45 pm" in text_of(page)
    stored = world.rep.ok("GET", f"{SALES}/milestones/lead/{lead['id']}")["items"][1]
    assert stored["follow_up_time"] == "16:45:00"
    listed = rep_web.get("/follow-ups?who=team")
    assert "4:45 pm" in text_of(listed)
    refused = rep_web.post(f"/leads/{lead['id']}/milestones", {**form, "follow_up_date": ""})
    assert refused.status_code == 422
    assert 'id="m-follow_up_time-error"' in refused.text
