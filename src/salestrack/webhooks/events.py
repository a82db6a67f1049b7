"""Events: what happened, told to the tenant's endpoints, written in the same transaction.

The domains' writes already report every create, update and delete through the audit hook
(``core.hooks.RECORD_CHANGE``). ``install`` adds a second handler to that hook point that
turns the changes receivers care about into events, so no service needs to know about
webhooks. An event (``outbox_events``) and one delivery per subscribed endpoint
(``webhook_deliveries``) are added to the writer's session: they commit with the change or
vanish with its rollback (also a savepoint's), and the worker sends what committed.
Nothing is written when no endpoint of the tenant subscribes to the event.
"""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, sessionmaker

from salestrack.audit.service import jsonable, without_secrets
from salestrack.core import batching, hooks, reads
from salestrack.core.db import upsert_insert, utcnow
from salestrack.webhooks.models import OutboxEvent, WebhookDelivery, WebhookEndpoint


class EventType(StrEnum):
    lead_created = "lead.created"
    lead_status_changed = "lead.status_changed"
    lead_assigned = "lead.assigned"
    milestone_recorded = "milestone.recorded"
    engagement_recorded = "engagement.recorded"
    booking_confirmed = "booking.confirmed"
    booking_cancelled = "booking.cancelled"
    ledger_posted = "ledger.posted"
    follow_up_due = "follow_up.due"


CREATED = {
    "lead": EventType.lead_created,
    "milestone": EventType.milestone_recorded,
    "engagement": EventType.engagement_recorded,
    "ledger_entry": EventType.ledger_posted,
}
_ENDPOINTS_KEY = "webhooks.endpoints"


def events_of_change(
    entity: str, entity_id: uuid.UUID, action: str, changes: dict[str, Any]
) -> list[tuple[EventType, dict[str, Any]]]:
    """The events one logged change stands for (most changes: none)."""
    found: list[tuple[EventType, dict[str, Any]]] = []
    if action == "create":
        row = {"id": entity_id, **changes}
        if entity in CREATED:
            found.append((CREATED[entity], row))
        if entity == "lead" and changes.get("assigned_to") is not None:
            found.append(
                (
                    EventType.lead_assigned,
                    _moved("lead_id", entity_id, None, changes["assigned_to"]),
                )
            )
        if entity == "booking" and changes.get("status") == "confirmed":
            found.append((EventType.booking_confirmed, row))
    elif action == "update":
        for field, to_status in _moves(changes).items():
            before = changes[field]["from"]
            if entity == "lead" and field == "status":
                event = _moved("lead_id", entity_id, before, to_status)
                found.append((EventType.lead_status_changed, event))
            elif entity == "lead" and field == "assigned_to" and to_status is not None:
                event = _moved("lead_id", entity_id, before, to_status)
                found.append((EventType.lead_assigned, event))
            elif entity == "booking" and field == "status" and to_status == "confirmed":
                found.append(
                    (
                        EventType.booking_confirmed,
                        _moved("booking_id", entity_id, before, to_status),
                    )
                )
            elif entity == "booking" and field == "status" and to_status == "cancelled":
                found.append(
                    (
                        EventType.booking_cancelled,
                        _moved("booking_id", entity_id, before, to_status),
                    )
                )
    return found


def _moves(changes: dict[str, Any]) -> dict[str, Any]:
    """``field -> new value`` of an update's logged ``{"from": .., "to": ..}`` pairs."""
    return {
        name: change["to"]
        for name, change in changes.items()
        if isinstance(change, dict) and "to" in change and "from" in change
    }


def _moved(key: str, entity_id: uuid.UUID, before: Any, after: Any) -> dict[str, Any]:
    return {key: entity_id, "from": before, "to": after}


def on_change(
    session: Session,
    *,
    actor: Any,
    entity: str,
    entity_id: uuid.UUID,
    action: str,
    changes: dict[str, Any],
) -> None:
    """The RECORD_CHANGE handler: queue the change's events in the writer's transaction."""
    for event_type, data in events_of_change(entity, entity_id, action, changes):
        emit(session, tenant_id=actor.tenant_id, event_type=event_type, data=data)


def emit(
    session: Session,
    *,
    tenant_id: uuid.UUID,
    event_type: EventType,
    data: dict[str, Any],
    subject_id: uuid.UUID | None = None,
    subject_date: date | None = None,
) -> uuid.UUID | None:
    """Add the event and its deliveries to ``session``'s transaction; the event's id, or
    None when no endpoint subscribes (or a time-based event with this subject exists)."""
    endpoints = [e for e in subscribers(session, tenant_id) if event_type.value in e[1]]
    if not endpoints:
        return None
    event_id = uuid.uuid4()
    now = utcnow()
    body = encode(event_id=event_id, event_type=event_type, at=now, data=data)
    values = {
        "tenant_id": tenant_id,
        "id": event_id,
        "event_type": event_type.value,
        "occurred_at": now,
        "body": body,
        "subject_id": subject_id,
        "subject_date": subject_date,
    }
    if subject_id is None:
        session.add(OutboxEvent(**values))
        if batching.current(session) is None:
            session.flush()
    else:
        insert = upsert_insert(session)(OutboxEvent).values(**values).on_conflict_do_nothing()
        if not session.execute(insert.returning(OutboxEvent.id)).first():
            return None
    for endpoint_id, _events in endpoints:
        session.add(
            WebhookDelivery(
                tenant_id=tenant_id,
                endpoint_id=endpoint_id,
                event_id=event_id,
                event_type=event_type.value,
                created_at=now,
                next_attempt_at=now,
            )
        )
    return event_id


def encode(
    *, event_id: uuid.UUID, event_type: EventType, at: datetime, data: dict[str, Any]
) -> str:
    """The body every delivery of the event sends (the Standard Webhooks payload shape)."""
    payload = {
        "id": str(event_id),
        "type": event_type.value,
        "timestamp": at.isoformat().replace("+00:00", "Z"),
        "data": jsonable(without_secrets(data)),
    }
    return json.dumps(payload, separators=(",", ":"), sort_keys=True)


# Every write that could be an event asks this: a prepared read (``core.reads``), not a
# statement built and run through the ORM each time.
_LIVE_ENDPOINTS = reads.Prepared(
    select(WebhookEndpoint.id, WebhookEndpoint.events).where(
        WebhookEndpoint.tenant_id == bindparam("tenant_id"), WebhookEndpoint.deleted_at.is_(None)
    )
)


def subscribers(session: Session, tenant_id: uuid.UUID) -> list[tuple[uuid.UUID, set[str]]]:
    """The tenant's live endpoints and their events, read once per transaction."""
    transaction = session.get_transaction()
    cached = session.info.get(_ENDPOINTS_KEY)
    if cached is not None and cached[0] is transaction and cached[1] == tenant_id:
        found: list[tuple[uuid.UUID, set[str]]] = cached[2]
        return found
    rows = _LIVE_ENDPOINTS.rows(session, {"tenant_id": tenant_id})
    found = [(row["id"], set(row["events"])) for row in rows]
    session.info[_ENDPOINTS_KEY] = (session.get_transaction(), tenant_id, found)
    return found


def forget_subscribers(session: Session) -> None:
    """An endpoint changed in this transaction: read them afresh at the next event."""
    session.info.pop(_ENDPOINTS_KEY, None)


def install(factory: sessionmaker[Session]) -> None:
    """Turn logged changes into events on ``factory``'s sessions."""
    hooks.RECORD_CHANGE.connect(factory, on_change)
