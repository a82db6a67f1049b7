"""The follow-ups page: mine or my team's, oldest due first, overdue flagged, one-click done."""

from __future__ import annotations

import re
from datetime import date, timedelta

from tests.journey.helpers import SALES, follow_up_ids, milestone, new_lead
from tests.support import TenantWorld, tenant_today
from tests.web.support import WebClient


def _follow_up(world: TenantWorld, name: str, due: date, assignee: str | None) -> str:
    lead = new_lead(world.admin, name=name, lead_date="2025-01-01", assigned_to=assignee)
    row = milestone(
        world.admin,
        lead["id"],
        "site_visit",
        "2025-01-02",
        follow_up_required=True,
        follow_up_date=due.isoformat(),
    )
    milestone_id: str = row["id"]
    return milestone_id


def _rows(html: str) -> list[str]:
    return re.findall(r'<a href="/leads/[0-9a-f-]+">([^<]+)</a>', html)


def test_a_rep_sees_their_own_first_and_the_team_on_request(
    rep_web: WebClient, world: TenantWorld
) -> None:
    today = tenant_today()
    rep, manager = str(world.rep.user_id), str(world.manager.user_id)
    _follow_up(world, "Later Lead", today + timedelta(days=30), rep)
    _follow_up(world, "Old Lead", date(2025, 3, 1), rep)
    _follow_up(world, "Manager Lead", date(2025, 2, 1), manager)
    mine = rep_web.get("/")
    assert mine.url.path == "/follow-ups"
    assert _rows(mine.text) == ["Old Lead", "Later Lead"]
    assert mine.text.count("Overdue by") == 1
    assert 'class="is-overdue"' in mine.text
    team = rep_web.get("/follow-ups", params={"who": "team"})
    assert _rows(team.text) == ["Manager Lead", "Old Lead", "Later Lead"]
    soon = rep_web.get("/follow-ups", params={"who": "team", "when": "week"})
    assert _rows(soon.text) == ["Manager Lead", "Old Lead"]
    theirs = rep_web.get("/follow-ups", params={"who": manager})
    assert _rows(theirs.text) == ["Manager Lead"]
    odd = rep_web.get("/follow-ups", params={"who": "nobody", "when": "someday"})
    assert odd.status_code == 200
    assert "Not a valid choice" in odd.text


def test_one_click_done_closes_the_follow_up(rep_web: WebClient, world: TenantWorld) -> None:
    rep = str(world.rep.user_id)
    closing = _follow_up(world, "Old Lead", date(2025, 3, 1), rep)
    staying = _follow_up(world, "Other Lead", date(2025, 4, 1), rep)
    rep_web.get("/follow-ups?who=me&when=overdue")
    refused = rep_web.post(f"/follow-ups/{closing}/done", {"back": "/follow-ups"}, csrf="")
    assert refused.status_code == 403
    assert closing in follow_up_ids(world.admin)
    rep_web.get("/follow-ups?who=me&when=overdue")
    done = rep_web.post(f"/follow-ups/{closing}/done", {"back": "/follow-ups?who=me&when=overdue"})
    assert done.status_code == 200
    assert (done.url.path, dict(done.url.params)) == (
        "/follow-ups",
        {"who": "me", "when": "overdue", "done": "follow-up"},
    )
    assert "Follow-up marked done." in done.text
    assert _rows(done.text) == ["Other Lead"]
    assert follow_up_ids(world.admin) == [staying]
    stored = world.admin.ok("GET", f"{SALES}/milestones/{closing}")
    assert (stored["follow_up_status"], stored["follow_up_closed_by"]) == ("closed", "done")


def test_done_goes_back_only_to_this_site(rep_web: WebClient, world: TenantWorld) -> None:
    closing = _follow_up(world, "Old Lead", date(2025, 3, 1), None)
    rep_web.get("/follow-ups")
    done = rep_web.post(f"/follow-ups/{closing}/done", {"back": "//evil.example.com/x"})
    assert (done.url.host, done.url.path) == ("testserver", "/follow-ups")


def test_an_empty_list_and_a_viewer_without_buttons(
    viewer_web: WebClient, world: TenantWorld
) -> None:
    empty = viewer_web.get("/follow-ups")
    assert empty.status_code == 200
    assert "No open follow-ups." in empty.text
    _follow_up(world, "Old Lead", date(2025, 3, 1), None)
    page = viewer_web.get("/follow-ups")
    assert _rows(page.text) == ["Old Lead"]
    assert "/done" not in page.text


def test_another_tenants_follow_up_cannot_be_closed(
    rep_web: WebClient, other_world: TenantWorld
) -> None:
    theirs = _follow_up(other_world, "Their Lead", date(2025, 3, 1), None)
    rep_web.get("/follow-ups")
    assert rep_web.post(f"/follow-ups/{theirs}/done").status_code == 404
    assert follow_up_ids(other_world.admin) == [theirs]
