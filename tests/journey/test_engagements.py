"""Engagements through the API: channel rules, responses, first touch, stats."""

from __future__ import annotations

from datetime import timedelta

from salestrack.core.db import utcnow
from tests.journey.helpers import SALES, engagement, history, lead_status, milestone, new_lead
from tests.support import ApiClient, TenantWorld


def test_channel_must_fit_the_type(api: ApiClient) -> None:
    lead_id = new_lead(api)["id"]
    response = api.post(
        f"{SALES}/engagement",
        json={"lead_id": lead_id, "engagement_type": "call_made", "engagement_channel": "email"},
    )
    assert response.status_code == 422
    body = response.json()
    assert "phone, whatsapp, video" in body["detail"]
    assert body["allowed_channels"] == ["phone", "whatsapp", "video"]
    created = engagement(api, lead_id, "message_sent", "whatsapp", "2025-11-05T10:00:00Z")
    api.ok(
        "PATCH",
        f"{SALES}/engagements/{created['id']}",
        422,
        json={"engagement_channel": "in_person"},
    )
    assert lead_status(api, lead_id) == "contacted"


def test_response_rules(api: ApiClient) -> None:
    lead_id = new_lead(api)["id"]
    at = "2025-11-05T10:00:00+05:30"
    before = "2025-11-05T04:00:00Z"  # 09:30 IST: half an hour before the email
    engagement(
        api, lead_id, "email_sent", "email", at, 422, response_received=True, response_date=before
    )
    engagement(api, lead_id, "email_sent", "email", at, 422, response_date="2025-11-06T10:00:00Z")
    local = "2025-11-05T10:00:00"  # no offset: read in the tenant's zone, like the response
    engagement(
        api,
        lead_id,
        "email_sent",
        "email",
        local,
        422,
        response_received=True,
        response_date=before,
    )
    engagement(api, lead_id, "email_sent", "email", at, 422, duration_seconds=-5)
    engagement(api, lead_id, "email_sent", "fax", at, 422)
    engagement(api, lead_id, "email_sent", "email", at, 422, status="done")
    email = engagement(api, lead_id, "email_sent", "email", at, subject="Intro")
    url = f"{SALES}/engagements/{email['id']}"
    api.ok("PATCH", url, 422, json={"response_received": True, "response_date": before})
    answered = api.ok(
        "PATCH",
        url,
        json={
            "response_received": True,
            "response_date": "2025-11-07T09:00:00+05:30",
            "response_notes": "interested",
        },
    )
    assert answered["response_date"] == "2025-11-07T03:30:00Z"
    assert api.ok("GET", url)["response_notes"] == "interested"
    api.ok("PATCH", url, 422, json={"lead_id": lead_id})


def test_engagement_date_defaults_to_now(api: ApiClient) -> None:
    lead_id = new_lead(api)["id"]
    created = api.ok(
        "POST",
        f"{SALES}/engagement",
        201,
        json={"lead_id": lead_id, "engagement_type": "call_made", "engagement_channel": "phone"},
    )
    assert created["status"] == "completed"
    assert created["engagement_date"][:10] == utcnow().date().isoformat()


def test_first_completed_engagement_contacts_a_new_lead(api: ApiClient) -> None:
    lead_id = new_lead(api)["id"]
    meeting = engagement(
        api, lead_id, "meeting_scheduled", "video", "2025-11-10T10:00:00Z", status="scheduled"
    )
    engagement(api, lead_id, "call_made", "phone", "2025-11-09T10:00:00Z", status="cancelled")
    assert lead_status(api, lead_id) == "new"
    api.ok("PATCH", f"{SALES}/engagements/{meeting['id']}", json={"status": "completed"})
    assert lead_status(api, lead_id) == "contacted"
    milestone(api, lead_id, "proposal", "2025-11-11")
    engagement(api, lead_id, "quote_sent", "email", "2025-11-12T10:00:00Z")
    assert lead_status(api, lead_id) == "negotiation"
    assert history(api, lead_id) == [
        (None, "new", "created"),
        ("new", "contacted", "engagement"),
        ("contacted", "negotiation", "milestone"),
    ]
    items = api.ok("GET", f"{SALES}/leads/{lead_id}/status-history")["items"]
    assert items[1]["cause_id"] == meeting["id"]


def test_lists_get_and_delete(world: TenantWorld) -> None:
    rep = world.rep
    lead_id = new_lead(rep)["id"]
    late = engagement(rep, lead_id, "call_made", "video", "2025-11-09T10:00:00Z")
    early = engagement(rep, lead_id, "email_sent", "email", "2025-11-08T10:00:00Z")
    listed = rep.ok("GET", f"{SALES}/engagement/{lead_id}")["items"]
    assert [e["id"] for e in listed] == [early["id"], late["id"]]
    assert rep.ok("GET", f"{SALES}/leads/{lead_id}/engagements")["items"] == listed
    world.viewer.ok("GET", f"{SALES}/engagements/{late['id']}")
    world.viewer.ok("DELETE", f"{SALES}/engagements/{late['id']}", 403)
    engagement(world.viewer, lead_id, "email_sent", "email", "2025-11-08T10:00:00Z", 403)
    rep.ok("DELETE", f"{SALES}/engagements/{late['id']}", 204)
    rep.ok("GET", f"{SALES}/engagements/{late['id']}", 404)
    assert [e["id"] for e in rep.ok("GET", f"{SALES}/engagement/{lead_id}")["items"]] == [
        early["id"]
    ]
    assert lead_status(rep, lead_id) == "contacted"
    audit = world.admin.ok(
        "GET", "/api/v1/sales/audit", params={"entity": "engagement", "entity_id": late["id"]}
    )
    assert sorted(a["action"] for a in audit) == ["create", "delete"]


def test_engagement_stats(api: ApiClient) -> None:
    lead_id = new_lead(api)["id"]
    empty = api.ok("GET", f"{SALES}/reports/engagement-stats/{lead_id}")
    assert empty["total_engagements"] == 0
    assert empty["response_rate"] is None
    assert empty["days_since_last_touch"] is None
    three_days_ago = (utcnow() - timedelta(days=3)).isoformat()
    engagement(api, lead_id, "call_made", "phone", "2025-11-01T10:00:00Z", duration_seconds=300)
    engagement(
        api,
        lead_id,
        "call_made",
        "whatsapp",
        three_days_ago,
        duration_seconds=600,
        response_received=True,
    )
    engagement(api, lead_id, "call_made", "phone", "2025-11-02T10:00:00Z")  # no duration
    engagement(api, lead_id, "email_sent", "email", "2025-11-03T10:00:00Z", response_received=True)
    engagement(
        api, lead_id, "meeting_scheduled", "in_person", "2099-01-01T10:00:00Z", status="scheduled"
    )
    stats = api.ok("GET", f"{SALES}/reports/engagement-stats/{lead_id}")
    assert stats["total_engagements"] == 5
    assert stats["by_type"]["call_made"] == 3
    assert stats["by_type"]["quote_sent"] == 0
    assert stats["by_channel"] == {
        "email": 1,
        "phone": 2,
        "sms": 0,
        "whatsapp": 1,
        "in_person": 1,
        "video": 0,
    }
    assert stats["by_status"] == {"scheduled": 1, "completed": 4, "cancelled": 0}
    assert stats["responses_received"] == 2
    assert stats["response_rate"] == "50.00"
    assert stats["total_call_duration_seconds"] == 900
    assert stats["average_call_duration_seconds"] == "450.00"
    assert stats["last_engagement_date"][:10] == three_days_ago[:10]
    assert stats["days_since_last_touch"] in (2, 3, 4)  # the tenant's zone may shift a day
