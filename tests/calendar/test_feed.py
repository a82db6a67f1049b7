"""The calendar feed: valid iCalendar per an independent parser (vobject), the user's own
follow-ups, visits and meetings, stable entries, and URLs that stop working when replaced."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx2 as httpx
import vobject

from tests.journey.helpers import SALES, engagement, milestone, new_lead
from tests.support import ApiClient, TenantWorld, login, tenant_today

FEED = "/api/v1/me/calendar-feed"


def _new_url(api: ApiClient) -> str:
    created = api.ok("POST", FEED, 201)
    assert created["url"].startswith("http://testserver/calendar/cal_")
    return str(created["url"])


def _fetch(api: ApiClient, url: str) -> httpx.Response:
    """Fetch a feed as a calendar client does: no token, no tenant header, no cookie."""
    return api.http.get(urlsplit(url).path)


def _events(api: ApiClient, url: str) -> dict[str, Any]:
    response = _fetch(api, url)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    calendar = vobject.readOne(response.text)
    assert calendar.version.value == "2.0"
    assert calendar.prodid.value
    return {event.uid.value: event for event in calendar.contents.get("vevent", [])}


def _world_with_work(world: TenantWorld) -> dict[str, Any]:
    """The rep's follow-ups (one open, one done), a site visit, a meeting; a lead of the
    manager's with a follow-up (not the rep's)."""
    today = tenant_today()
    rep = str(world.rep.user_id)
    lead = new_lead(world.admin, name="Sunita Menon", assigned_to=rep)
    open_follow_up = milestone(
        world.rep,
        lead["id"],
        "contacted",
        today.isoformat(),
        follow_up_required=True,
        follow_up_date=(today + timedelta(days=3)).isoformat(),
        notes="Ask about the loan",
    )
    closed = milestone(
        world.rep,
        lead["id"],
        "contacted",
        (today - timedelta(days=5)).isoformat(),
        follow_up_required=True,
        follow_up_date=(today - timedelta(days=3)).isoformat(),
    )
    world.rep.ok("POST", f"{SALES}/follow-ups/{closed['id']}/done")
    # On a lead of its own: a later milestone on the same lead would close the follow-up.
    visited = new_lead(world.admin, name="Farhan Ali", assigned_to=rep)
    visit = milestone(
        world.rep,
        visited["id"],
        "site_visit",
        (today + timedelta(days=5)).isoformat(),
        milestone_time="10:30:00",
        duration_minutes=90,
        location_name="Whitefield Towers, Block B",
        visited_by=rep,
    )
    meeting = engagement(
        world.rep,
        lead["id"],
        "meeting_scheduled",
        "video",
        (datetime.now(UTC) + timedelta(days=2)).replace(microsecond=0).isoformat(),
        status="scheduled",
        subject="Price discussion",
    )
    others = new_lead(world.admin, name="Not Yours", assigned_to=str(world.manager.user_id))
    milestone(
        world.manager,
        others["id"],
        "contacted",
        today.isoformat(),
        follow_up_required=True,
        follow_up_date=today.isoformat(),
    )
    return {"lead": lead, "follow_up": open_follow_up, "visit": visit, "meeting": meeting}


def test_the_feed_holds_exactly_the_users_follow_ups_visits_and_meetings(
    world: TenantWorld,
) -> None:
    work = _world_with_work(world)
    events = _events(world.rep, _new_url(world.rep))
    lead = work["lead"]

    # The follow-ups in the feed are the rep's open follow-ups, as the API lists them.
    listed = world.rep.ok(
        "GET", f"{SALES}/follow-ups", params={"assigned_to": str(world.rep.user_id)}
    )["items"]
    follow_ups = {uid: e for uid, e in events.items() if uid.startswith("follow-up-")}
    assert {f"follow-up-{f['milestone_id']}@salestrack" for f in listed} == set(follow_ups)
    assert len(follow_ups) == 1
    event = follow_ups[f"follow-up-{work['follow_up']['id']}@salestrack"]
    due = date.fromisoformat(work["follow_up"]["follow_up_date"])
    assert event.dtstart.value == due
    assert not isinstance(event.dtstart.value, datetime)
    assert event.dtend.value == due + timedelta(days=1)
    assert event.summary.value == f"Follow up: Sunita Menon ({lead['lead_code']})"
    assert "Ask about the loan" in event.description.value
    assert event.description.value.endswith(f"http://testserver/leads/{lead['id']}")
    assert event.url.value == f"http://testserver/leads/{lead['id']}"

    # The site visit at 10:30 in the tenant's zone (Asia/Kolkata, UTC+05:30) for 90 minutes.
    visit = events[f"visit-{work['visit']['id']}@salestrack"]
    visit_day = date.fromisoformat(work["visit"]["milestone_date"])
    assert visit.dtstart.value == datetime(
        visit_day.year, visit_day.month, visit_day.day, 5, 0, tzinfo=UTC
    )
    assert visit.dtend.value - visit.dtstart.value == timedelta(minutes=90)
    assert visit.location.value == "Whitefield Towers, Block B"
    assert visit.summary.value.startswith("Site visit: Farhan Ali")

    meeting = events[f"meeting-{work['meeting']['id']}@salestrack"]
    assert meeting.dtstart.value == datetime.fromisoformat(work["meeting"]["engagement_date"])
    assert "Price discussion" in meeting.summary.value
    assert len(events) == 3  # nothing of the manager's lead, nor the follow-up marked done
    for event in events.values():
        assert event.dtstamp.value.tzinfo is not None  # DTSTAMP in UTC


def test_entries_keep_their_uid_and_stamp_across_refreshes(world: TenantWorld) -> None:
    work = _world_with_work(world)
    url = _new_url(world.rep)
    first = _events(world.rep, url)
    second = _events(world.rep, url)
    assert set(first) == set(second)
    for uid, event in first.items():
        assert second[uid].dtstamp.value == event.dtstamp.value

    # Moving the follow-up moves the same entry (same UID), it does not add one.
    moved_to = tenant_today() + timedelta(days=10)
    world.rep.ok(
        "PATCH",
        f"{SALES}/milestones/{work['follow_up']['id']}",
        json={"follow_up_date": moved_to.isoformat()},
    )
    third = _events(world.rep, url)
    assert set(third) == set(first)
    uid = f"follow-up-{work['follow_up']['id']}@salestrack"
    assert third[uid].dtstart.value == moved_to


def test_a_replaced_url_is_404_and_the_new_one_works(world: TenantWorld) -> None:
    assert world.rep.ok("GET", FEED) == {"active": False, "created_at": None, "rotated_at": None}
    old = _new_url(world.rep)
    assert _fetch(world.rep, old).status_code == 200
    new = _new_url(world.rep)
    assert new != old
    gone = _fetch(world.rep, old)
    assert gone.status_code == 404
    assert "BEGIN:VCALENDAR" not in gone.text
    assert _fetch(world.rep, new).status_code == 200
    status = world.rep.ok("GET", FEED)
    assert status["active"] is True
    assert status["rotated_at"] >= status["created_at"]
    assert "cal_" not in world.rep.get(FEED).text  # the URL is shown once, never again


def test_each_user_has_their_own_feed(world: TenantWorld, other_world: TenantWorld) -> None:
    _world_with_work(world)
    rep_url, manager_url = _new_url(world.rep), _new_url(world.manager)
    rep_events, manager_events = _events(world.rep, rep_url), _events(world.manager, manager_url)
    assert set(rep_events).isdisjoint(manager_events)
    assert len(manager_events) == 1  # the manager's follow-up
    assert _fetch(world.rep, _new_url(other_world.rep)).status_code == 200
    assert _fetch(world.rep, rep_url).status_code == 200  # another user's rotation: no effect


def test_a_deactivated_users_feed_is_404(world: TenantWorld) -> None:
    url = _new_url(world.rep)
    world.admin.ok("PATCH", f"{SALES}/users/{world.rep.user_id}", json={"is_active": False})
    assert _fetch(world.rep, url).status_code == 404
    world.admin.ok("PATCH", f"{SALES}/users/{world.rep.user_id}", json={"is_active": True})
    assert _fetch(world.rep, url).status_code == 200  # active again: the same link works


def test_forged_and_malformed_tokens_are_404(world: TenantWorld, other_world: TenantWorld) -> None:
    url = _new_url(world.rep)
    token = urlsplit(url).path.removeprefix("/calendar/").removesuffix(".ics")
    secret = token.split("_", 2)[2]
    forged = [
        f"cal_{other_world.tenant_id.hex}_{secret}",  # the right secret, another tenant
        token[:-1] + ("A" if token[-1] != "A" else "B"),  # one character off
        token.upper(),
        "cal_not-a-token",
        token + "x",
    ]
    for candidate in forged:
        response = world.rep.http.get(f"/calendar/{candidate}.ics")
        assert response.status_code == 404, candidate
    assert world.rep.http.get(urlsplit(url).path.removesuffix(".ics")).status_code == 404


def test_making_a_feed_needs_a_login(world: TenantWorld) -> None:
    response = world.rep.http.post(FEED, headers={"X-Tenant-ID": world.slug})
    assert response.status_code == 401
    relogin = login(world.rep.http, world.slug, world.rep.email)
    assert relogin.status_code == 200
