"""The webhook pages: an admin adds an endpoint (secret shown once), reads its delivery log
and replays a delivery; other roles are refused."""

from __future__ import annotations

import re

from fastapi import FastAPI

from salestrack.core.worker import Worker
from tests.journey.helpers import new_lead
from tests.support import TenantWorld
from tests.web.support import logged_in, text_of
from tests.webhooks.conftest import ENDPOINTS, deliveries, drain, settled
from tests.webhooks.receiver import running

SECRET = re.compile(r"whsec_[A-Za-z0-9+/=]+")


def test_an_admin_adds_an_endpoint_and_sees_its_secret_once(
    app: FastAPI, world: TenantWorld
) -> None:
    admin_web = logged_in(app, world, "admin")
    assert "No endpoints yet." in admin_web.get("/webhooks").text
    refused = admin_web.post(
        "/webhooks/new", {"url": "https://10.0.0.1/in", "event:lead.created": "on"}
    )
    assert refused.status_code == 422
    assert "private" in text_of(refused)
    no_events = admin_web.post("/webhooks/new", {"url": "https://hooks.example.com/in"})
    assert no_events.status_code == 422
    created = admin_web.post(
        "/webhooks/new",
        {
            "url": "https://hooks.example.com/in",
            "description": "CRM sync",
            "event:lead.created": "on",
            "event:booking.confirmed": "on",
        },
    )
    assert created.status_code == 200
    secret = SECRET.search(created.text)
    assert secret is not None
    listing = admin_web.get("/webhooks")
    assert "https://hooks.example.com/in" in listing.text
    assert "booking.confirmed, lead.created" in text_of(listing)
    endpoint_link = re.search(r'href="/webhooks/([0-9a-f-]{36})"', listing.text)
    assert endpoint_link is not None
    detail = admin_web.get(f"/webhooks/{endpoint_link.group(1)}")
    for page in (listing, detail):
        assert secret.group(0) not in page.text
        assert "whsec_" not in page.text


def test_other_roles_may_not_open_the_webhook_pages(app: FastAPI, world: TenantWorld) -> None:
    rep_web, viewer_web = logged_in(app, world, "rep"), logged_in(app, world, "viewer")
    assert rep_web.get("/webhooks").status_code == 403
    assert viewer_web.get("/webhooks").status_code == 403
    nav = rep_web.get("/leads").text.split('aria-label="Main"')[1].split("</nav>")[0]
    assert "Webhooks" not in nav


def test_the_delivery_log_shows_each_delivery_and_replays_it(
    hook_app: FastAPI, hook_world: TenantWorld, worker: Worker
) -> None:
    web = logged_in(hook_app, hook_world, "admin")
    web.get("/webhooks")
    with running() as receiver:
        page = web.post("/webhooks/new", {"url": receiver.url, "event:lead.created": "on"})
        assert page.status_code == 200, page.text
        [endpoint] = hook_world.admin.ok("GET", ENDPOINTS)
        new_lead(hook_world.admin, name="Log Me")
        drain(worker, settled(hook_world.admin, endpoint["id"], 1))
        log = web.get(f"/webhooks/{endpoint['id']}")
        [delivery] = deliveries(hook_world.admin, endpoint["id"])
        text = text_of(log)
        assert delivery["event_id"] in text
        assert "lead.created" in text
        assert "succeeded" in text
        replayed = web.post(f"/webhooks/{endpoint['id']}/deliveries/{delivery['id']}/replay")
        assert "Delivery queued again." in replayed.text
        drain(worker, lambda: len(receiver.received) == 2)
    assert receiver.ids() == [delivery["event_id"]] * 2
