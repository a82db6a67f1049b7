"""Lead capture: attribution mapped by the tenant's rules, first and last touch, the
duplicate policy, and problem+json on bad input."""

from __future__ import annotations

from tests.intake.helpers import (
    RULES,
    SETTINGS,
    campaign,
    new_key,
    report_rows,
    rule,
    send,
    source,
)
from tests.support import TenantWorld

LEADS = "/api/v1/sales/leads"


def test_a_captured_lead_lands_with_its_mapped_source_campaign_and_touches(
    world: TenantWorld,
) -> None:
    admin = world.admin
    facebook, diwali = source(admin, "Facebook"), campaign(admin, "DIWALI25")
    rule(admin, "utm_source", "facebook", source_id=facebook)
    key = new_key(admin)
    answer = send(
        admin,
        key,
        {
            "name": "Asha Rao",
            "phone": "098100 00001",
            "message": "2BHK please",
            "project": "Lake View",
            "unit": "2BHK",
            "utm_source": "Facebook",
            "utm_medium": "cpc",
            "utm_campaign": "diwali25",
            "fbclid": "fb.1.abc",
            "landing_page": "https://example.com/lake-view?utm_source=facebook",
            "referrer": "https://m.facebook.com/",
        },
    )
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["outcome"] == "created"
    assert (body["source_id"], body["campaign_id"]) == (facebook, diwali)
    lead = admin.ok("GET", f"{LEADS}/{body['lead_id']}")
    assert lead["phone"] == "098100 00001"
    assert lead["notes"] == "2BHK please"
    touches = admin.ok("GET", f"{LEADS}/{body['lead_id']}/touches")
    assert len(touches) == 1
    assert touches[0]["first"] is True
    assert touches[0]["utm_campaign"] == "diwali25"
    assert touches[0]["project"] == "Lake View"
    assert touches[0]["fbclid"] == "fb.1.abc"
    assert touches[0]["channel"] == "api"
    # First touch and last touch are the same until the buyer enquires again.
    for touch in ("first", "last"):
        assert report_rows(admin, "sources", touch) == {facebook: 1}
        assert report_rows(admin, "campaigns", touch) == {diwali: 1}


def test_the_same_phone_from_another_source_is_a_re_enquiry_not_a_second_lead(
    world: TenantWorld,
) -> None:
    admin = world.admin
    facebook, google = source(admin, "Facebook"), source(admin, "Google Ads", "website")
    rule(admin, "utm_source", "facebook", source_id=facebook)
    rule(admin, "gclid", "*", source_id=google)
    key = new_key(admin)
    first = send(admin, key, {"name": "Asha", "phone": "+91 98100 00002", "utm_source": "facebook"})
    again = send(
        admin,
        key,
        {"name": "Asha R", "phone": "9810000002", "gclid": "g-1", "message": "Still keen"},
    )
    assert first.status_code == 201
    assert again.status_code == 200, again.text
    assert again.json()["outcome"] == "re_enquiry"
    lead_id = first.json()["lead_id"]
    assert again.json()["lead_id"] == lead_id
    assert [x["id"] for x in admin.ok("GET", LEADS)["items"]] == [lead_id]
    engagements = admin.ok("GET", f"{LEADS}/{lead_id}/engagements")["items"]
    assert [(e["engagement_type"], e["notes"]) for e in engagements] == [
        ("enquiry_received", "Still keen")
    ]
    lead = admin.ok("GET", f"{LEADS}/{lead_id}")
    assert lead["status"] == "new"  # an inbound enquiry is not the rep's first contact
    touches = admin.ok("GET", f"{LEADS}/{lead_id}/touches")
    assert [(t["first"], t["source_id"]) for t in touches] == [(True, facebook), (False, google)]
    assert report_rows(admin, "sources", "first") == {facebook: 1}
    assert report_rows(admin, "sources", "last") == {google: 1}
    # The default answer is the first touch, as before.
    default = admin.ok("GET", "/api/v1/sales/reports/source-performance")
    assert default["touch"] == "first"


def test_an_api_create_of_the_same_email_records_a_re_enquiry(world: TenantWorld) -> None:
    admin = world.admin
    first = admin.ok("POST", LEADS, 201, json={"name": "Bala", "email": "Bala@Example.com"})
    again = admin.ok("POST", LEADS, 200, json={"name": "Bala I", "email": "bala@example.com "})
    assert again["id"] == first["id"]
    assert len(admin.ok("GET", f"{LEADS}/{first['id']}/engagements")["items"]) == 1


def test_the_duplicate_policy_create_and_reject(world: TenantWorld) -> None:
    admin = world.admin
    key = new_key(admin)
    enquiry = {"name": "Chitra", "email": "chitra@example.com"}
    assert send(admin, key, enquiry).status_code == 201
    assert (
        world.manager.request("PUT", SETTINGS, json={"duplicate_policy": "reject"}).status_code
        == 403
    )
    admin.ok("PUT", SETTINGS, json={"duplicate_policy": "reject"})
    refused = send(admin, key, enquiry)
    assert refused.status_code == 409
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert "already has this phone or e-mail" in refused.json()["detail"]
    assert admin.post(LEADS, json=enquiry).status_code == 409
    admin.ok("PUT", SETTINGS, json={"duplicate_policy": "create"})
    assert send(admin, key, enquiry).status_code == 201
    assert len(admin.ok("GET", LEADS)["items"]) == 2
    audit = admin.ok("GET", f"/api/v1/sales/audit?entity=tenant&entity_id={world.tenant_id}")
    assert len(audit) == 2


def test_a_closed_lead_does_not_swallow_a_new_enquiry(world: TenantWorld) -> None:
    admin = world.admin
    key = new_key(admin)
    lead_id = send(admin, key, {"name": "Dev", "phone": "+91 98100 00003"}).json()["lead_id"]
    admin.ok("PATCH", f"{LEADS}/{lead_id}", json={"status": "lost"})
    again = send(admin, key, {"name": "Dev", "phone": "+91 98100 00003"})
    assert again.status_code == 201
    assert again.json()["lead_id"] != lead_id


def test_bad_input_is_problem_json_and_writes_nothing(world: TenantWorld) -> None:
    admin = world.admin
    key = new_key(admin)
    for body in (
        {"name": "No way to reach"},
        {"name": "X", "phone": "12ab"},
        {"name": "X", "email": "not-an-email"},
        {"name": "X", "email": "x@example.com", "utm_source": "a" * 201},
        {"name": "X", "email": "x@example.com", "surprise": 1},
        {"name": "", "email": "x@example.com"},
        {"name": "X\x00", "email": "x@example.com"},
    ):
        answer = send(admin, key, body)
        assert answer.status_code == 422, (body, answer.text)
        assert answer.headers["content-type"].startswith("application/problem+json")
        assert answer.json()["detail"]
    assert admin.ok("GET", LEADS)["items"] == []


def test_a_rule_priority_of_true_or_false_is_refused_not_read_as_one_or_zero(
    world: TenantWorld,
) -> None:
    """The document says ``priority`` is an integer; JSON's booleans are not."""
    admin = world.admin
    mapped = source(admin, "Ads")
    admin.ok(
        "POST",
        RULES,
        422,
        json={"field": "gclid", "value": "*", "source_id": mapped, "priority": True},
    )
    created = admin.ok(
        "POST", RULES, 201, json={"field": "gclid", "value": "*", "source_id": mapped}
    )
    admin.ok("PATCH", f"{RULES}/{created['id']}", 422, json={"priority": False})
    assert [r["priority"] for r in admin.ok("GET", RULES)] == [100]
