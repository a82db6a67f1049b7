"""Hostile input on the pages (issue 17, item 4): control characters in searches and
forms, crafted cursors, days and moments at the edge of the calendar, and legacy rows
saved before input was bounded. Every page answers (no 500) and the next one works."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from salestrack.core.tenancy import tenant_transaction
from salestrack.journey.models import LeadEngagement as Engagement
from salestrack.leads.models import Campaign
from tests.security.test_hostile_input import CONTROLS, CRAFTED
from tests.support import TenantWorld
from tests.web.support import WebClient

SALES = "/api/v1/sales"
LISTS = ("/leads", "/customers", "/campaigns", "/sources", "/bookings")


def _still_works(web: WebClient) -> None:
    assert web.get("/leads").status_code == 200


def test_control_characters_in_searches_are_ignored(admin_web: WebClient) -> None:
    searches = [(url, "q") for url in ("/leads", "/customers", "/campaigns")]
    searches += [("/bookings", "project")]
    for url, name in searches:
        for char in CONTROLS:
            page = admin_web.get(url, params={name: f"x{char}y"})
            assert page.status_code == 200, (url, page.text[:300])
            assert "Not a valid choice; ignored." in page.text
            _still_works(admin_web)
    for url in ("/leads/suggest", "/leads/open"):
        name = "q" if url.endswith("suggest") else "lead"
        for char in CONTROLS:
            page = admin_web.get(url, params={name: f"x{char}y"}, follow_redirects=False)
            assert page.status_code == 422, (url, page.text[:300])
            _still_works(admin_web)


def test_control_characters_in_a_form_are_shown_beside_the_field(admin_web: WebClient) -> None:
    admin_web.get("/leads/new")
    page = admin_web.post("/leads/new", {"name": "Asha\x00Rao", "lead_date": "2026-01-05"})
    assert page.status_code == 422
    assert "control characters" in page.text
    _still_works(admin_web)


def test_a_login_with_control_characters_is_refused_not_fatal(
    admin_web: WebClient, world: TenantWorld
) -> None:
    from tests.web.support import browser

    client = browser(admin_web.http.app)  # type: ignore[arg-type]
    for tenant, email in ((world.slug, "a\x00@ex.com"), (f"{world.slug}\x00", "a@ex.com")):
        client.get("/login")
        page = client.post("/login", {"tenant": tenant, "email": email, "password": "x" * 12})
        assert page.status_code == 401
    _still_works(admin_web)


def test_crafted_cursors_show_the_first_page(admin_web: WebClient) -> None:
    for url in LISTS:
        for name, value in CRAFTED.items():
            page = admin_web.get(url, params={"cursor": value})
            assert page.status_code == 200, (url, name)
            assert "out of date" in page.text, (url, name)


def test_days_outside_the_calendar_are_ignored(admin_web: WebClient) -> None:
    for url, name in (("/leads", "lead_date_to"), ("/bookings", "booking_date_to")):
        page = admin_web.get(url, params={name: "9999-12-31"})
        assert page.status_code == 200
        assert "Not a valid choice; ignored." in page.text


def test_a_legacy_moment_at_the_edge_of_the_calendar_still_shows(
    admin_web: WebClient, world: TenantWorld, session_factory: sessionmaker[Session]
) -> None:
    lead = world.admin.ok("POST", f"{SALES}/leads", 201, json={"name": "Asha Rao"})
    body = {"lead_id": lead["id"], "engagement_type": "email_sent", "engagement_channel": "email"}
    made = world.admin.ok("POST", f"{SALES}/engagement", 201, json=body)
    edge = datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)
    with tenant_transaction(session_factory, world.tenant_id) as session:
        session.execute(
            update(Engagement)
            .where(Engagement.tenant_id == world.tenant_id, Engagement.id == uuid.UUID(made["id"]))
            .values(engagement_date=edge, response_date=edge)
        )
    for tab in ("milestones", "engagements"):
        assert admin_web.get(f"/leads/{lead['id']}", params={"tab": tab}).status_code == 200


def test_exports_survive_legacy_text_with_control_characters(
    admin_web: WebClient, world: TenantWorld, session_factory: sessionmaker[Session]
) -> None:
    body = {"campaign_name": "Spring", "campaign_type": "email", "budget": "10.00"}
    made = world.admin.ok("POST", f"{SALES}/campaigns", 201, json=body)
    with tenant_transaction(session_factory, world.tenant_id) as session:
        session.execute(
            update(Campaign)
            .where(Campaign.tenant_id == world.tenant_id, Campaign.id == uuid.UUID(made["id"]))
            .values(campaign_name="Spr\x01ing\x1b", budget=Decimal("10.00"))
        )
    for tab in ("campaigns", "sources", "funnel", "bookings"):
        answer = admin_web.get(f"/reports/{tab}.xlsx")
        assert answer.status_code == 200, tab
    _still_works(admin_web)
