"""The bell on every page, the notifications page and the calendar feed page (no JavaScript:
plain links and CSRF-checked form posts)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from tests.journey.helpers import new_lead
from tests.money.conftest import book, new_customer, new_inventory
from tests.notifications.helpers import notes_of
from tests.support import TenantWorld
from tests.web.support import WebClient, text_of

BELL = re.compile(r'data-testid="bell-count">([^<]*)<')
URL = re.compile(r'id="feed-url"[^>]* value="([^"]+)"')
PAGES = ["/leads", "/follow-ups", "/customers", "/notifications", "/me/calendar"]


def _bell(client: WebClient, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    found = BELL.search(response.text)
    assert found, f"no bell on {path}"
    return found.group(1)


def test_the_bell_counts_unread_notifications_on_every_page(
    world: TenantWorld, rep_web: WebClient, admin_web: WebClient
) -> None:
    for path in PAGES:
        assert _bell(rep_web, path) == "0"
    for name in ("Asha Pillai", "Dev Patel"):
        new_lead(world.admin, name=name, assigned_to=str(world.rep.user_id))
    for path in PAGES:
        assert _bell(rep_web, path) == "2", path
    assert _bell(admin_web, "/leads") == "0"  # the admin was told nothing


def test_marking_read_on_the_page(
    world: TenantWorld, rep_web: WebClient, admin_web: WebClient
) -> None:
    for name in ("Asha Pillai", "Dev Patel"):
        new_lead(world.admin, name=name, assigned_to=str(world.rep.user_id))
    page = rep_web.get("/notifications")
    assert "Lead assigned to you: Asha Pillai" in text_of(page)
    assert "Lead assigned to you: Dev Patel" in text_of(page)
    newest = notes_of(world.rep)[0]

    refused = rep_web.post(f"/notifications/{newest['id']}/read", csrf="")
    assert refused.status_code == 403
    assert _bell(rep_web, "/notifications") == "2"

    done = rep_web.post(
        f"/notifications/{newest['id']}/read", {"back": "/notifications"}, follow_redirects=False
    )
    assert done.status_code == 303
    assert done.headers["location"] == "/notifications?done=read"
    page = rep_web.get(done.headers["location"])
    assert "Marked read." in text_of(page)
    assert BELL.search(page.text).group(1) == "1"  # type: ignore[union-attr]
    unread_only = rep_web.get("/notifications?show=unread")
    assert "Asha Pillai" in text_of(unread_only)
    assert "Dev Patel" not in text_of(unread_only)

    # Another user's notification: the same 404 as a missing one.
    other = admin_web.post(f"/notifications/{notes_of(world.rep)[1]['id']}/read", {})
    assert other.status_code == 404
    assert admin_web.post("/notifications/not-an-id/read", {}).status_code == 404
    assert _bell(rep_web, "/leads") == "1"

    rep_web.get("/notifications")
    rep_web.post("/notifications/read-all", {"back": "/notifications"})
    assert _bell(rep_web, "/leads") == "0"
    assert "No unread notifications." in text_of(rep_web.get("/notifications?show=unread"))


def test_a_rep_is_not_shown_the_amount_of_a_booking(world: TenantWorld, rep_web: WebClient) -> None:
    lead = new_lead(world.admin, name="Rohit Verma", assigned_to=str(world.rep.user_id))
    customer = new_customer(world.admin, "Rohit Verma", lead_id=lead["id"])
    book(world.admin, customer["id"], new_inventory(world.admin)["id"], lead_id=lead["id"])
    page = rep_web.get("/notifications")
    text = text_of(page)
    assert "made on your lead Rohit Verma" in text
    assert "Not shown to your role" in text
    assert "50,00,000" not in text
    assert "5000000" not in text


def test_the_calendar_page_makes_and_replaces_the_feed(
    world: TenantWorld, rep_web: WebClient
) -> None:
    page = rep_web.get("/me/calendar")
    assert "You have no calendar link yet." in text_of(page)
    assert rep_web.post("/me/calendar", csrf="").status_code == 403

    made = rep_web.post("/me/calendar", {})
    assert made.status_code == 200
    first = URL.search(made.text)
    assert first, made.text
    first_path = urlsplit(first.group(1)).path
    assert rep_web.http.get(first_path).status_code == 200
    assert first.group(1) not in rep_web.get("/me/calendar").text  # shown once

    replaced = rep_web.post("/me/calendar", {})
    second = URL.search(replaced.text)
    assert second
    assert second.group(1) != first.group(1)
    assert rep_web.http.get(first_path).status_code == 404
    assert rep_web.http.get(urlsplit(second.group(1)).path).status_code == 200
