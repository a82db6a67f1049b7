"""The seed's journey of Acme Corp, end to end through the API."""

from __future__ import annotations

from tests.journey.helpers import (
    SALES,
    engagement,
    follow_up_ids,
    history,
    lead_status,
    milestone,
    new_lead,
)
from tests.support import TenantWorld


def test_seed_journey_from_lead_to_booking(world: TenantWorld) -> None:
    rep = world.rep
    lead = new_lead(rep, lead_date="2025-11-01", assigned_to=str(rep.user_id))
    lead_id = lead["id"]

    email = engagement(
        rep,
        lead_id,
        "email_sent",
        "email",
        "2025-11-05T10:00:00+05:30",
        subject="Acme Corp - Our Solutions",
    )
    assert lead_status(rep, lead_id) == "contacted"
    answered = rep.ok(
        "PATCH",
        f"{SALES}/engagements/{email['id']}",
        json={"response_received": True, "response_date": "2025-11-07T12:00:00+05:30"},
    )
    assert answered["response_received"] is True

    visit = milestone(
        rep,
        lead_id,
        "site_visit",
        "2025-11-10",
        location_name="Bangalore, Whitefield",
        location_latitude=12.9698,
        location_longitude=77.7500,
        visited_by=str(rep.user_id),
        outcome="positive",
        duration_minutes=120,
        follow_up_required=True,
        follow_up_date="2025-11-15",
        notes="Client very impressed, discussed timeline",
    )
    assert (visit["status_before"], visit["status_after"]) == ("contacted", "qualified")
    assert visit["follow_up_status"] == "open"
    assert follow_up_ids(rep, assigned_to=str(rep.user_id)) == [visit["id"]]
    due = rep.ok("GET", f"{SALES}/follow-ups")["items"][0]
    assert due["overdue"] is True
    assert due["lead_code"] == lead["lead_code"]

    call = engagement(
        rep,
        lead_id,
        "call_made",
        "phone",
        "2025-11-15T11:00:00+05:30",
        subject="Follow-up on property",
        response_received=True,
        response_date="2025-11-15T11:20:00+05:30",
        response_notes="wants proposal",
        duration_seconds=1200,
    )
    assert follow_up_ids(rep, assigned_to=str(rep.user_id)) == []
    closed = rep.ok("GET", f"{SALES}/milestones/{visit['id']}")
    assert closed["follow_up_status"] == "closed"
    assert (closed["follow_up_closed_by"], closed["follow_up_closed_by_id"]) == (
        "engagement",
        call["id"],
    )

    proposal = milestone(
        rep,
        lead_id,
        "proposal",
        "2025-11-20",
        notes="Quotation sent",
        metadata={"document": "Quotation", "amount": "5000000.00", "validity_days": 30},
    )
    assert proposal["status_after"] == "negotiation"
    booking = milestone(rep, lead_id, "booking", "2025-11-25", notes="3 BHK Apartment")
    assert (booking["status_before"], booking["status_after"]) == ("negotiation", "converted")
    assert lead_status(rep, lead_id) == "converted"

    assert history(rep, lead_id) == [
        (None, "new", "created"),
        ("new", "contacted", "engagement"),
        ("contacted", "qualified", "milestone"),
        ("qualified", "negotiation", "milestone"),
        ("negotiation", "converted", "milestone"),
    ]

    timeline = rep.ok("GET", f"{SALES}/reports/milestone-timeline/{lead_id}")
    steps = [(e["event_type"], e["event_date"]) for e in timeline["events"]]
    assert steps == [
        ("lead_generated", "2025-11-01"),
        ("email_sent", "2025-11-05"),
        ("site_visit", "2025-11-10"),
        ("call_made", "2025-11-15"),
        ("proposal", "2025-11-20"),
        ("booking", "2025-11-25"),
    ]
    by_type = {e["event_type"]: e for e in timeline["events"]}
    site = by_type["site_visit"]["milestone"]
    assert site["location_name"] == "Bangalore, Whitefield"
    assert (site["outcome"], site["duration_minutes"], site["follow_up_date"]) == (
        "positive",
        120,
        "2025-11-15",
    )
    assert by_type["email_sent"]["engagement"]["subject"] == "Acme Corp - Our Solutions"
    assert by_type["email_sent"]["engagement"]["response_received"] is True
    assert by_type["email_sent"]["event_time"] == "10:00:00"  # the tenant's zone (IST)
    assert by_type["proposal"]["milestone"]["metadata"]["validity_days"] == 30
    assert timeline["conversion_time_days"] == 24
    assert timeline["engagement_points"] == 5
    assert timeline["status"] == "converted"
    # Bookings do not exist yet; a rep may not see money either way.
    assert timeline["conversion_value"] is None
    assert timeline["conversion_value_hidden"] is True
    manager_view = world.manager.ok("GET", f"{SALES}/reports/milestone-timeline/{lead_id}")
    assert manager_view["conversion_value"] is None
    assert manager_view["conversion_value_hidden"] is False

    listed = rep.ok("GET", f"{SALES}/milestones/lead/{lead_id}")["items"]
    assert [m["milestone_type"] for m in listed] == [
        "lead_generated",
        "site_visit",
        "proposal",
        "booking",
    ]
    assert rep.ok("GET", f"{SALES}/leads/{lead_id}/milestones")["items"] == listed
