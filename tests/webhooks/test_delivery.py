"""Events reach a receiver on 127.0.0.1 once per id, signed per Standard Webhooks, on both
databases: every event type, retries with backoff, replay, no event for a rolled-back write."""

from __future__ import annotations

import json
import uuid
from collections import Counter
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from salestrack.auth.context import Actor, system_actor
from salestrack.core.db import utcnow
from salestrack.core.tenancy import tenant_transaction
from salestrack.core.worker import Worker
from salestrack.leads import service as leads
from salestrack.leads.schemas import LeadCreate
from salestrack.webhooks.models import OutboxEvent, WebhookDelivery
from salestrack.webhooks.worker import ForgetOldDeliveries
from tests.journey.helpers import engagement, milestone, new_lead
from tests.money.conftest import BOOKINGS, LEDGER, book, buyer, new_inventory
from tests.support import TenantWorld
from tests.webhooks.conftest import (
    ENDPOINTS,
    RETRY_BASE,
    deliveries,
    drain,
    register,
    settled,
)
from tests.webhooks.receiver import Receiver, assert_bad_signature_refused, running


def test_every_event_type_arrives_once_with_a_valid_signature(
    hook_world: TenantWorld, worker: Worker
) -> None:
    api = hook_world.admin
    today = date.today().isoformat()
    with running() as receiver:
        endpoint_id, secret = register(api, receiver.url)
        lead = new_lead(api, name="Asha Rao", assigned_to=str(hook_world.rep.user_id))
        engagement(api, lead["id"], "call_made", "phone", f"{today}T10:00:00Z")
        # After the engagement: a later touch would close the follow-up before it is due.
        milestone(
            api, lead["id"], "site_visit", today, follow_up_required=True, follow_up_date=today
        )
        _lead_id, customer_id = buyer(api)
        stock = new_inventory(api)
        booking = book(api, customer_id, stock["id"], status="confirmed")
        api.ok(
            "POST",
            f"{BOOKINGS}/{booking['id']}/cancel",
            json={"reason": "customer withdrew", "refund_amount": "0.00"},
        )
        api.ok(
            "POST",
            LEDGER,
            201,
            json={
                "customer_id": customer_id,
                "transaction_type": "payment",
                "credit_amount": "1000.00",
            },
        )
        drain(worker, lambda: "follow_up.due" in _types(receiver, secret))
        count = len(deliveries(api, endpoint_id))
        drain(worker, settled(api, endpoint_id, count))
        payloads = receiver.verified(secret)

    types = Counter(p["type"] for p in payloads)
    assert set(types) == {
        "lead.created",
        "lead.assigned",
        "lead.status_changed",
        "milestone.recorded",
        "engagement.recorded",
        "booking.confirmed",
        "booking.cancelled",
        "ledger.posted",
        "follow_up.due",
    }
    assert types["follow_up.due"] == 1  # once per follow-up and due date, however many passes
    assert types["booking.confirmed"] == 1
    assert types["booking.cancelled"] == 1
    ids = receiver.ids()
    assert len(ids) == len(set(ids)), "an event arrived twice"
    assert all(
        d["status"] == "succeeded" and d["response_code"] == 200
        for d in deliveries(api, endpoint_id)
    )
    created = next(p for p in payloads if p["type"] == "lead.created")
    assert created["data"]["id"] == lead["id"]
    assert created["data"]["name"] == "Asha Rao"
    moved = [p["data"] for p in payloads if p["type"] == "lead.status_changed"]
    assert next(m["from"] for m in moved if m["lead_id"] == lead["id"]) == "new"
    due = next(p for p in payloads if p["type"] == "follow_up.due")["data"]
    assert due["lead_id"] == lead["id"]
    assert due["follow_up_date"] == today
    assert receiver.received[0].headers["content-type"] == "application/json"
    assert_bad_signature_refused(secret, receiver.received[0])


def _types(receiver: Receiver, secret: str) -> set[str]:
    return {json.loads(r.body)["type"] for r in list(receiver.received)}


def test_only_subscribed_events_are_sent(hook_world: TenantWorld, worker: Worker) -> None:
    api = hook_world.admin
    with running() as receiver:
        endpoint_id, secret = register(api, receiver.url, ["lead.status_changed"])
        lead = new_lead(api)
        milestone(api, lead["id"], "contacted", date.today().isoformat())
        drain(worker, settled(api, endpoint_id, 1))
        payloads = receiver.verified(secret)
    assert [p["type"] for p in payloads] == ["lead.status_changed"]


def test_a_receiver_that_fails_twice_gets_the_event_on_the_third_attempt_after_backoff(
    hook_world: TenantWorld, worker: Worker
) -> None:
    api = hook_world.admin
    with running(Receiver(fail_first=2)) as receiver:
        endpoint_id, secret = register(api, receiver.url, ["lead.created"])
        new_lead(api)
        drain(worker, settled(api, endpoint_id, 1))
        payloads = receiver.verified(secret)
    assert len(payloads) == 3
    assert len(set(receiver.ids())) == 1, "a retry must carry the same webhook-id"
    first, second, third = (r.at for r in receiver.received)
    # Equal jitter: the n-th wait is at least half of base * 2^(n-1).
    assert second - first >= RETRY_BASE / 2 * 0.95
    assert third - second >= RETRY_BASE * 0.95
    [log] = deliveries(api, endpoint_id)
    assert (log["status"], log["attempts"], log["response_code"]) == ("succeeded", 3, 200)


def test_a_receiver_that_never_answers_well_ends_failed_with_its_last_error(
    hook_world: TenantWorld, worker: Worker
) -> None:
    api = hook_world.admin
    with running(Receiver(fail_first=100)) as receiver:
        endpoint_id, _secret = register(api, receiver.url, ["lead.created"])
        new_lead(api)
        drain(worker, settled(api, endpoint_id, 1))
    [log] = deliveries(api, endpoint_id)
    # webhook_max_attempts is 5 in these tests
    assert (log["status"], log["attempts"]) == ("failed", 5)
    assert (log["last_error"], log["response_code"]) == ("HTTP 500", 500)
    assert len(receiver.received) == 5


def test_replay_sends_the_same_event_again_with_the_same_id(
    hook_world: TenantWorld, worker: Worker
) -> None:
    api = hook_world.admin
    with running() as receiver:
        endpoint_id, secret = register(api, receiver.url, ["lead.created"])
        new_lead(api)
        drain(worker, settled(api, endpoint_id, 1))
        [log] = deliveries(api, endpoint_id)
        replayed = api.ok("POST", f"{ENDPOINTS}/{endpoint_id}/deliveries/{log['id']}/replay")
        assert (replayed["status"], replayed["attempts"]) == ("pending", 0)
        drain(worker, lambda: len(receiver.received) == 2)
        drain(worker, settled(api, endpoint_id, 1))
        receiver.verified(secret)
    assert receiver.ids()[0] == receiver.ids()[1] == log["event_id"]
    audit = api.ok(
        "GET", "/api/v1/sales/audit", params={"entity": "webhook_delivery", "entity_id": log["id"]}
    )
    assert [a["action"] for a in audit] == ["replay"]


def test_a_rolled_back_write_sends_nothing(
    hook_world: TenantWorld, worker: Worker, session_factory: sessionmaker[Session]
) -> None:
    api = hook_world.admin
    actor = system_actor(hook_world.tenant_id, hook_world.slug)
    with running() as receiver:
        endpoint_id, secret = register(api, receiver.url, ["lead.created"])
        with pytest.raises(RuntimeError, match="changed my mind"):
            _create_then_roll_back(session_factory, actor)
        # A failing API write (unknown source: 422) sends nothing either.
        api.ok("POST", "/api/v1/sales/leads", 422, json={"name": "X", "source_id": endpoint_id})
        new_lead(api, name="Kept")
        drain(worker, settled(api, endpoint_id, 1))
        payloads = receiver.verified(secret)
    assert [p["data"]["name"] for p in payloads] == ["Kept"]
    with tenant_transaction(session_factory, hook_world.tenant_id) as session:
        assert _outbox(session, hook_world.tenant_id) == 1


def _create_then_roll_back(factory: sessionmaker[Session], actor: Actor) -> None:
    with tenant_transaction(factory, actor.tenant_id) as session:
        leads.create_lead(session, actor=actor, data=LeadCreate(name="Never Was"))
        assert _outbox(session, actor.tenant_id) == 1  # queued in the transaction
        raise RuntimeError("changed my mind")


def _outbox(session: Session, tenant_id: object) -> int:
    return int(
        session.scalar(
            select(func.count()).select_from(OutboxEvent).where(OutboxEvent.tenant_id == tenant_id)
        )
        or 0
    )


def test_a_tenant_without_endpoints_writes_no_events(
    world: TenantWorld, session_factory: sessionmaker[Session]
) -> None:
    new_lead(world.admin)
    with tenant_transaction(session_factory, world.tenant_id) as session:
        assert _outbox(session, world.tenant_id) == 0
        count = session.scalar(
            select(func.count())
            .select_from(WebhookDelivery)
            .where(WebhookDelivery.tenant_id == world.tenant_id)
        )
        assert count == 0


def test_a_deleted_endpoint_gets_nothing_more(
    hook_world: TenantWorld, worker: Worker, session_factory: sessionmaker[Session]
) -> None:
    api = hook_world.admin
    with running() as receiver:
        endpoint_id, _secret = register(api, receiver.url, ["lead.created"])
        new_lead(api)  # queued for the endpoint
        api.ok("DELETE", f"{ENDPOINTS}/{endpoint_id}", 204)
        new_lead(api)  # nothing queued: no endpoint wants it
        for _ in range(3):
            worker.run_once()
    assert receiver.received == []
    with tenant_transaction(session_factory, hook_world.tenant_id) as session:
        rows = session.scalars(
            select(WebhookDelivery).where(WebhookDelivery.tenant_id == hook_world.tenant_id)
        ).all()
        assert [(r.status, r.last_error) for r in rows] == [("failed", "the endpoint was deleted")]


def test_the_delivery_log_forgets_finished_deliveries_after_the_kept_days(
    hook_world: TenantWorld, worker: Worker, session_factory: sessionmaker[Session]
) -> None:
    api = hook_world.admin
    with running() as receiver:
        endpoint_id, _secret = register(api, receiver.url, ["lead.created"])
        new_lead(api, name="Old")
        drain(worker, settled(api, endpoint_id, 1))
        new_lead(api, name="Recent")
        drain(worker, settled(api, endpoint_id, 2))
    [recent, old] = deliveries(api, endpoint_id)
    long_ago = utcnow() - timedelta(days=31)
    with tenant_transaction(session_factory, hook_world.tenant_id) as session:
        for model, key, column in (
            (WebhookDelivery, old["id"], "finished_at"),
            (OutboxEvent, old["event_id"], "occurred_at"),
        ):
            session.execute(
                update(model)
                .where(model.tenant_id == hook_world.tenant_id, model.id == uuid.UUID(key))
                .values({column: long_ago})
            )
    forget = ForgetOldDeliveries(keep_days=30)
    assert forget.run(session_factory, hook_world.tenant_id) == 1
    assert [d["id"] for d in deliveries(api, endpoint_id)] == [recent["id"]]
    with tenant_transaction(session_factory, hook_world.tenant_id) as session:
        assert _outbox(session, hook_world.tenant_id) == 1
