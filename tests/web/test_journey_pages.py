"""Milestones & Tracking pages on the journey services: forms, timeline, summary, roles."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi import FastAPI

from tests.journey.helpers import SALES, engagement, milestone, new_lead
from tests.support import TenantWorld
from tests.web.support import WebClient, logged_in, text_of

SITE_VISIT = {
    "milestone_type": "site_visit",
    "milestone_date": "2025-11-10",
    "milestone_time": "11:00",
    "location_name": "Bangalore, Whitefield",
    "location_latitude": "12.969800",
    "location_longitude": "77.750000",
    "outcome": "positive",
    "duration_minutes": "120",
    "follow_up_date": "2025-11-15",
    "notes": "Client very impressed, discussed timeline",
}


def _event_types(page_html: str) -> list[str]:
    return re.findall(r'data-testid="timeline-event" data-type="([a-z_]+)"', page_html)


def test_a_site_visit_from_the_form_lands_on_the_timeline(
    rep_web: WebClient, world: TenantWorld
) -> None:
    lead = new_lead(world.rep, lead_date="2025-11-01")
    rep_web.get(f"/leads/{lead['id']}")
    page = rep_web.post(f"/leads/{lead['id']}/milestones", SITE_VISIT)
    assert page.status_code == 200
    assert page.url.params["done"] == "milestone"
    assert "Milestone recorded." in page.text
    assert _event_types(page.text) == ["lead_generated", "site_visit"]
    text = text_of(page)
    for shown in ("Bangalore, Whitefield", "12.96980, 77.75000", "Positive", "2 hours"):
        assert shown in text
    assert "15 Nov 2025" in text
    assert "Overdue" in text  # the follow-up date has passed and nobody closed it
    stored = world.rep.ok("GET", f"{SALES}/milestones/lead/{lead['id']}")["items"][1]
    assert stored["milestone_time"] == "11:00:00"
    assert (stored["location_latitude"], stored["location_longitude"]) == (12.9698, 77.75)
    assert (stored["follow_up_required"], stored["follow_up_date"]) == (True, "2025-11-15")
    assert (stored["status_before"], stored["status_after"]) == ("new", "qualified")
    assert 'data-testid="lead-status">Qualified' in page.text


def test_milestone_errors_show_beside_the_field_and_keep_what_was_typed(
    rep_web: WebClient, world: TenantWorld
) -> None:
    lead = new_lead(world.rep)
    rep_web.get(f"/leads/{lead['id']}")
    early = rep_web.post(
        f"/leads/{lead['id']}/milestones", {**SITE_VISIT, "follow_up_date": "2025-11-01"}
    )
    assert early.status_code == 422
    assert 'id="m-follow_up_date-error"' in early.text
    assert "may not be before milestone_date" in early.text
    assert 'value="Bangalore, Whitefield"' in early.text
    assert '<details class="card form-card" id="add-milestone" open>' in early.text
    north = rep_web.post(
        f"/leads/{lead['id']}/milestones", {**SITE_VISIT, "location_latitude": "95"}
    )
    assert north.status_code == 422
    assert 'id="m-location_latitude-error"' in north.text
    assert 'value="95"' in north.text
    missing = rep_web.post(f"/leads/{lead['id']}/milestones", {"milestone_date": "2025-11-10"})
    assert 'id="m-milestone_type-error"' in missing.text
    automatic = rep_web.post(
        f"/leads/{lead['id']}/milestones",
        {"milestone_type": "lead_generated", "milestone_date": "2025-11-10"},
    )
    assert automatic.status_code == 422
    items = world.rep.ok("GET", f"{SALES}/milestones/lead/{lead['id']}")["items"]
    assert [m["milestone_type"] for m in items] == ["lead_generated"]


def test_an_email_with_its_response_read_in_the_tenants_time_zone(
    rep_web: WebClient, world: TenantWorld
) -> None:
    lead = new_lead(world.rep)
    rep_web.get(f"/leads/{lead['id']}")
    page = rep_web.post(
        f"/leads/{lead['id']}/engagements",
        {
            "engagement_type": "email_sent",
            "engagement_channel": "email",
            "engagement_date": "2025-11-05T10:00",
            "status": "completed",
            "subject": "Acme Corp - Our Solutions",
            "response_received": "on",
            "response_date": "2025-11-07T09:30",
            "response_notes": "Interested",
        },
    )
    assert page.status_code == 200
    assert page.url.params["tab"] == "engagement"
    assert "Engagement logged." in page.text
    stored = world.rep.ok("GET", f"{SALES}/engagement/{lead['id']}")["items"][0]
    assert stored["engagement_date"].startswith("2025-11-05T04:30:00")  # 10:00 in Kolkata
    assert stored["response_received"] is True
    assert stored["response_date"].startswith("2025-11-07T04:00:00")
    text = text_of(page)
    assert "Yes (7 Nov 2025) — Interested" in text
    assert "“Acme Corp - Our Solutions”" in text
    assert world.rep.ok("GET", f"{SALES}/leads/{lead['id']}")["status"] == "contacted"


def test_a_channel_that_does_not_fit_is_explained_beside_the_channel(
    rep_web: WebClient, world: TenantWorld
) -> None:
    lead = new_lead(world.rep)
    rep_web.get(f"/leads/{lead['id']}")
    page = rep_web.post(
        f"/leads/{lead['id']}/engagements",
        {
            "engagement_type": "call_made",
            "engagement_channel": "email",
            "engagement_date": "2025-11-05T10:00",
            "status": "completed",
            "subject": "Follow-up on property",
            "duration_minutes": "5.5",
        },
    )
    assert page.status_code == 422
    assert 'id="e-engagement_channel-error"' in page.text
    assert "use one of: phone, whatsapp, video" in page.text
    assert 'value="Follow-up on property"' in page.text
    assert 'value="5.5"' in page.text
    bad_time = rep_web.post(
        f"/leads/{lead['id']}/engagements",
        {
            "engagement_type": "call_made",
            "engagement_channel": "phone",
            "engagement_date": "yesterday",
            "status": "completed",
            "duration_minutes": "-3",
        },
    )
    assert 'id="e-engagement_date-error"' in bad_time.text
    assert 'id="e-duration_minutes-error"' in bad_time.text
    assert world.rep.ok("GET", f"{SALES}/engagement/{lead['id']}")["items"] == []


def test_a_response_recorded_later(rep_web: WebClient, world: TenantWorld) -> None:
    lead = new_lead(world.rep)
    sent = engagement(world.rep, lead["id"], "email_sent", "email", "2025-11-05T10:00:00+05:30")
    page = rep_web.get(f"/leads/{lead['id']}?tab=engagement")
    assert "Awaiting" in page.text
    assert "Record response" in page.text
    url = f"/leads/{lead['id']}/engagements/{sent['id']}/response"
    early = rep_web.post(url, {"response_date": "2025-11-04T09:00", "response_notes": "Hmm"})
    assert early.status_code == 422
    assert f'id="r-{sent["id"]}-response_date-error"' in early.text
    assert ">Hmm</textarea>" in early.text
    saved = rep_web.post(url, {"response_date": "2025-11-07T12:00", "response_notes": "Yes"})
    assert saved.status_code == 200
    assert "Response recorded." in saved.text
    stored = world.rep.ok("GET", f"{SALES}/engagements/{sent['id']}")
    assert stored["response_received"] is True
    assert stored["response_date"].startswith("2025-11-07T06:30:00")
    stats = world.rep.ok("GET", f"{SALES}/reports/engagement-stats/{lead['id']}")
    assert stats["response_rate"] == "100.00"
    assert 'data-testid="response-rate">100%' in saved.text


def test_the_summary_and_order_match_the_timeline_api(
    admin_web: WebClient, world: TenantWorld
) -> None:
    api = world.admin
    lead = new_lead(api, lead_date="2025-11-01")
    engagement(api, lead["id"], "email_sent", "email", "2025-11-05T10:00:00+05:30")
    milestone(api, lead["id"], "site_visit", "2025-11-10")
    engagement(api, lead["id"], "call_made", "phone", "2025-11-15T10:00:00+05:30")
    milestone(api, lead["id"], "proposal", "2025-11-20")
    milestone(api, lead["id"], "booking", "2025-11-25")
    timeline = api.ok("GET", f"{SALES}/reports/milestone-timeline/{lead['id']}")
    page = admin_web.get(f"/leads/{lead['id']}")
    assert _event_types(page.text) == [e["event_type"] for e in timeline["events"]]
    assert (timeline["conversion_time_days"], timeline["engagement_points"]) == (24, 5)
    assert 'data-testid="conversion-time">24 days<' in page.text
    assert 'data-testid="engagement-points">5<' in page.text
    history = re.search(r'data-testid="status-history">(.*?)</ol>', page.text, re.DOTALL)
    assert history is not None
    moves = re.findall(r'class="badge status-(\w+)"', history.group(1))
    assert moves == [
        "new",
        "new",
        "contacted",
        "contacted",
        "qualified",
        "qualified",
        "negotiation",
        "negotiation",
        "converted",
    ]


def test_a_rep_sees_no_conversion_value_for_their_role(
    rep_web: WebClient, world: TenantWorld
) -> None:
    lead = new_lead(world.rep)
    page = rep_web.get(f"/leads/{lead['id']}")
    assert "Not shown for your role" in page.text


def test_a_viewer_sees_the_journey_but_no_forms_and_forced_posts_are_refused(
    app: FastAPI, world: TenantWorld
) -> None:
    lead = new_lead(world.admin, lead_date="2025-11-01")
    sent = engagement(world.admin, lead["id"], "email_sent", "email", "2025-11-05T10:00:00+05:30")
    visit = milestone(
        world.admin,
        lead["id"],
        "site_visit",
        "2025-11-10",
        follow_up_required=True,
        follow_up_date="2025-11-12",
    )
    viewer = logged_in(app, world, "viewer")
    page = viewer.get(f"/leads/{lead['id']}")
    assert page.status_code == 200
    assert _event_types(page.text) == ["lead_generated", "email_sent", "site_visit"]
    for offered in ("Add a milestone", "Log an engagement", "Record response", "Mark done"):
        assert offered not in page.text
    forced: list[tuple[str, dict[str, str]]] = [
        (f"/leads/{lead['id']}/milestones", SITE_VISIT),
        (
            f"/leads/{lead['id']}/engagements",
            {"engagement_type": "email_sent", "engagement_channel": "email"},
        ),
        (f"/leads/{lead['id']}/engagements/{sent['id']}/response", {}),
        (f"/follow-ups/{visit['id']}/done", {}),
    ]
    for url, data in forced:
        assert viewer.post(url, data).status_code == 403, url
    assert len(world.admin.ok("GET", f"{SALES}/milestones/lead/{lead['id']}")["items"]) == 2
    assert world.admin.ok("GET", f"{SALES}/milestones/{visit['id']}")["follow_up_status"] == "open"


def test_journey_forms_need_the_csrf_token(rep_web: WebClient, world: TenantWorld) -> None:
    lead = new_lead(world.rep)
    rep_web.get(f"/leads/{lead['id']}")
    refused = rep_web.post(f"/leads/{lead['id']}/milestones", SITE_VISIT, csrf="")
    assert refused.status_code == 403
    assert len(world.rep.ok("GET", f"{SALES}/milestones/lead/{lead['id']}")["items"]) == 1


def test_another_tenants_lead_and_engagements_are_not_found(
    admin_web: WebClient, world: TenantWorld, other_world: TenantWorld
) -> None:
    theirs = new_lead(other_world.admin, name="Their Lead")
    their_email = engagement(
        other_world.admin, theirs["id"], "email_sent", "email", "2025-11-05T10:00:00+05:30"
    )
    ours = new_lead(world.admin)
    admin_web.get(f"/leads/{ours['id']}")
    assert admin_web.post(f"/leads/{theirs['id']}/milestones", SITE_VISIT).status_code == 404
    response_url = f"/leads/{ours['id']}/engagements/{their_email['id']}/response"
    assert admin_web.post(response_url, {"response_notes": "x"}).status_code == 404
    stored = other_world.admin.ok("GET", f"{SALES}/engagements/{their_email['id']}")
    assert stored["response_received"] is False


def _suggest(client: WebClient, text: str) -> list[dict[str, Any]]:
    response = client.get("/leads/suggest", params={"q": text})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def test_pick_a_lead_by_code_or_name(
    rep_web: WebClient, world: TenantWorld, other_world: TenantWorld
) -> None:
    acme = new_lead(world.rep, name="Acme Corp", lead_code="ACME-1")
    new_lead(world.rep, name="Acme Labs")
    new_lead(other_world.admin, name="Acme Elsewhere")
    assert [s["name"] for s in _suggest(rep_web, "acme")] == ["Acme Corp", "Acme Labs"]
    assert _suggest(rep_web, "acme-1")[0] == {
        "id": acme["id"],
        "code": "ACME-1",
        "name": "Acme Corp",
        "status": "new",
    }
    assert _suggest(rep_web, "") == []
    by_code = rep_web.get("/leads/open", params={"lead": "acme-1"})
    assert by_code.url.path == f"/leads/{acme['id']}"
    by_name = rep_web.get("/leads/open", params={"lead": "Acme Corp"})
    assert by_name.url.path == f"/leads/{acme['id']}"
    several = rep_web.get("/leads/open", params={"lead": "acme"})
    assert (several.url.path, several.url.params["q"]) == ("/leads", "acme")
    assert "Acme Elsewhere" not in several.text


@pytest.mark.parametrize("tab", ["milestones", "engagement"])
def test_each_tab_opens_from_its_link(admin_web: WebClient, world: TenantWorld, tab: str) -> None:
    lead = new_lead(world.admin)
    page = admin_web.get(f"/leads/{lead['id']}?tab={tab}")
    assert f'aria-controls="panel-{tab}" aria-selected="true"' in page.text
    assert re.search(rf'id="panel-{tab}" aria-labelledby="tab-{tab}" class="tab-panel">', page.text)


def test_a_follow_up_marked_done_from_the_timeline(rep_web: WebClient, world: TenantWorld) -> None:
    lead = new_lead(world.rep, lead_date="2025-11-01")
    visit = milestone(
        world.rep,
        lead["id"],
        "site_visit",
        "2025-11-10",
        follow_up_required=True,
        follow_up_date="2025-11-15",
    )
    page = rep_web.get(f"/leads/{lead['id']}")
    assert f'action="/follow-ups/{visit["id"]}/done"' in page.text
    done = rep_web.post(
        f"/follow-ups/{visit['id']}/done", {"back": f"/leads/{lead['id']}?tab=milestones"}
    )
    assert done.url.path == f"/leads/{lead['id']}"
    assert "Follow-up marked done." in done.text
    assert '<span class="badge fu-closed">Done</span>' in done.text
    assert f'action="/follow-ups/{visit["id"]}/done"' not in done.text
