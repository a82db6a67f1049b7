"""The hosted enquiry form, the admin's capture page and the duplicates page."""

from __future__ import annotations

from fastapi import FastAPI

from tests.intake.helpers import source
from tests.support import TenantWorld
from tests.web.support import WebClient, browser, text_of

LEADS = "/api/v1/sales/leads"


def test_the_hosted_form_captures_a_lead_with_the_links_attribution(
    app: FastAPI, world: TenantWorld
) -> None:
    facebook = source(world.admin, "Facebook")
    world.admin.ok(
        "POST",
        "/api/v1/sales/attribution-rules",
        201,
        json={"field": "utm_source", "value": "facebook", "source_id": facebook},
    )
    visitor = browser(app)
    page = visitor.get(f"/enquire/{world.slug}?utm_source=facebook&utm_campaign=x")
    assert page.status_code == 200
    assert 'name="utm_source" value="facebook"' in page.text
    sent = visitor.post(
        f"/enquire/{world.slug}",
        {
            "name": "Asha Rao",
            "phone": "+91 98100 00031",
            "message": "Call me",
            "utm_source": "facebook",
            "landing_page": f"http://testserver/enquire/{world.slug}?utm_source=facebook",
            "website": "",
        },
    )
    assert sent.status_code == 200, sent.text
    assert "Thank you" in text_of(sent)
    leads = world.admin.ok("GET", LEADS)["items"]
    assert [(lead["name"], lead["source_id"]) for lead in leads] == [("Asha Rao", facebook)]
    touches = world.admin.ok("GET", f"{LEADS}/{leads[0]['id']}/touches")
    assert touches[0]["channel"] == "form"


def test_the_form_drops_bots_refuses_bad_input_and_needs_its_token(
    app: FastAPI, world: TenantWorld
) -> None:
    visitor = browser(app)
    visitor.get(f"/enquire/{world.slug}")
    bot = visitor.post(
        f"/enquire/{world.slug}", {"name": "Bot", "email": "b@example.com", "website": "x"}
    )
    assert bot.status_code == 200
    bad = visitor.post(f"/enquire/{world.slug}", {"name": "No contact"})
    assert bad.status_code == 422
    assert "A phone or an e-mail" in text_of(bad) or "phone or an email" in text_of(bad)
    assert visitor.post(f"/enquire/{world.slug}", {"name": "X"}, csrf="").status_code == 403
    assert browser(app).get("/enquire/no-such-tenant").status_code == 404
    assert world.admin.ok("GET", LEADS)["items"] == []


def test_the_form_limits_posts_per_address(app: FastAPI, world: TenantWorld) -> None:
    visitor = browser(app)
    visitor.get(f"/enquire/{world.slug}")
    answers = [
        visitor.post(f"/enquire/{world.slug}", {"name": f"N{i}", "email": f"n{i}@example.com"})
        for i in range(11)
    ]
    assert [a.status_code for a in answers[:10]] == [200] * 10
    assert answers[10].status_code == 429
    assert len(world.admin.ok("GET", f"{LEADS}?limit=100")["items"]) == 10


def test_admins_create_and_revoke_keys_on_the_capture_page(
    admin_web: WebClient, rep_web: WebClient, world: TenantWorld
) -> None:
    assert rep_web.get("/capture").status_code == 403
    admin_web.get("/capture")
    created = admin_web.post("/capture/keys", {"name": "Website", "scope": "capture"})
    assert created.status_code == 200
    assert "stk_" in created.text
    assert "not shown again" in text_of(created)
    page = admin_web.get("/capture")
    assert "Website" in text_of(page)
    assert "stk_" + world.tenant_id.hex + "_" not in page.text.replace("…", "")
    key_id = world.admin.ok("GET", "/api/v1/sales/integration-keys")[0]["id"]
    revoked = admin_web.post(f"/capture/keys/{key_id}/revoke", {}, follow_redirects=True)
    assert "revoked" in text_of(revoked)
    policy = admin_web.post(
        "/capture/policy", {"duplicate_policy": "reject"}, follow_redirects=True
    )
    assert policy.status_code == 200
    assert world.admin.ok("GET", "/api/v1/sales/capture-settings")["duplicate_policy"] == "reject"


def test_the_duplicates_page_merges_a_pair(admin_web: WebClient, world: TenantWorld) -> None:
    world.admin.ok("PUT", "/api/v1/sales/capture-settings", json={"duplicate_policy": "create"})
    first = world.admin.ok("POST", LEADS, 201, json={"name": "Asha", "phone": "+91 98100 00041"})
    second = world.admin.ok("POST", LEADS, 201, json={"name": "Asha R", "phone": "9810000041"})
    page = admin_web.get("/duplicates")
    assert first["lead_code"] in page.text
    assert second["lead_code"] in page.text
    merged = admin_web.post(
        "/duplicates/merge",
        {"survivor_id": first["id"], "duplicate_id": second["id"]},
        follow_redirects=True,
    )
    assert merged.status_code == 200
    assert first["lead_code"] in text_of(merged)
    assert world.admin.get(f"{LEADS}/{second['id']}").status_code == 404
    assert "No likely duplicates" in text_of(admin_web.get("/duplicates"))


def test_a_burst_of_parallel_posts_gets_no_more_past_the_limit(
    app: FastAPI, world: TenantWorld
) -> None:
    """Posts sent at once are counted one by one: a burst gets no more enquiries past
    the limit than posts sent one after another."""
    from concurrent.futures import ThreadPoolExecutor

    visitor = browser(app)
    visitor.get(f"/enquire/{world.slug}")

    def post(i: int) -> int:
        form = {"name": f"B{i}", "email": f"b{i}@example.com"}
        return visitor.post(f"/enquire/{world.slug}", form).status_code

    with ThreadPoolExecutor(12) as pool:
        answers = list(pool.map(post, range(20)))
    assert sorted(answers) == [200] * 10 + [429] * 10
    assert len(world.admin.ok("GET", f"{LEADS}?limit=100")["items"]) == 10
