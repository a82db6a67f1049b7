"""From logged changes to notifications, in the writer's transaction.

Every create and update runs the audit hook point (``core.hooks.RECORD_CHANGE``);
``install`` adds this module's handler to it, as the webhooks do, so intake, money and
journey tell their news without importing this package. The notification is added to the
writer's session: it commits with the change or vanishes with its rollback.

Who is told what (docs/notifications.md):
- a lead assigned to someone (created with an owner, given one by the tenant's rules, or
  handed over): the new owner, unless they assigned it to themselves;
- a booking made on a lead: the lead's owner;
- a payment posted on a customer's account: the owners of the customer's leads (the lead
  it was made from and its bookings' leads). The amount is stored apart from the message
  and shown only to roles that may read money;
- nobody is told of what they did themselves, and deactivated users are told nothing.

A milestone that sets a follow-up also lists its tenant for the worker (``core.jobs``),
whose scan raises "follow-up due" on the day (``notifications.due``).
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from salestrack.core import closing, hooks
from salestrack.core.db import utcnow
from salestrack.notifications import recipients
from salestrack.notifications.models import Notification, NotificationKind


def on_change(
    session: Session,
    *,
    actor: Any,
    entity: str,
    entity_id: uuid.UUID,
    action: str,
    changes: dict[str, Any],
) -> None:
    """The RECORD_CHANGE handler: the change's notifications, in the writer's transaction."""
    if action not in ("create", "update"):
        return
    if entity == "lead":
        owner = _new_owner(action, changes)
        if owner is not None:
            _lead_assigned(session, actor, entity_id, owner)
    elif entity == "booking" and action == "create" and changes.get("lead_id") is not None:
        _booking_created(session, actor, entity_id, changes)
    elif entity == "ledger_entry" and action == "create" and _is_payment(changes):
        _payment_received(session, actor, entity_id, changes)


def _new_owner(action: str, changes: dict[str, Any]) -> uuid.UUID | None:
    value = changes.get("assigned_to")
    if action == "update":
        value = value.get("to") if isinstance(value, dict) else None
    return value if isinstance(value, uuid.UUID) else None


def _is_payment(changes: dict[str, Any]) -> bool:
    """A payment as posted: not the reversal of one (which takes money back)."""
    return changes.get("transaction_type") == "payment" and changes.get("reversal_of_id") is None


def _lead_assigned(session: Session, actor: Any, lead_id: uuid.UUID, owner: uuid.UUID) -> None:
    if owner == actor.user_id:
        return  # you know what you did
    lead = recipients.lead_owner(session, tenant_id=actor.tenant_id, lead_id=lead_id)
    if lead is None or lead.owner_id != owner:
        return  # a deleted lead, or an owner who is not active
    _add(session, actor, NotificationKind.lead_assigned, lead, subject_id=lead_id, data={})


def _booking_created(
    session: Session, actor: Any, booking_id: uuid.UUID, changes: dict[str, Any]
) -> None:
    lead = recipients.lead_owner(session, tenant_id=actor.tenant_id, lead_id=changes["lead_id"])
    if lead is None or lead.owner_id == actor.user_id:
        return
    data = {"booking_code": str(changes.get("booking_code") or "")}
    _add(
        session,
        actor,
        NotificationKind.booking_created,
        lead,
        subject_id=booking_id,
        data=data,
        amount=changes.get("booking_amount"),
    )


def _payment_received(
    session: Session, actor: Any, entry_id: uuid.UUID, changes: dict[str, Any]
) -> None:
    customer_id = changes["customer_id"]
    leads = recipients.customer_leads(session, tenant_id=actor.tenant_id, customer_id=customer_id)
    told: set[uuid.UUID] = set()
    name = None
    for lead in leads:
        if lead.owner_id == actor.user_id or lead.owner_id in told:
            continue  # one notification per owner, about their first lead of the customer
        told.add(lead.owner_id)
        if name is None:
            name = recipients.customer_name(
                session, tenant_id=actor.tenant_id, customer_id=customer_id
            )
        data = {
            "customer_id": str(customer_id),
            "customer_name": name,
            "ledger_code": str(changes.get("ledger_code") or ""),
        }
        amount = changes.get("credit_amount") or changes.get("debit_amount")
        _add(
            session,
            actor,
            NotificationKind.payment_received,
            lead,
            subject_id=entry_id,
            data=data,
            amount=amount,
        )


def _add(
    session: Session,
    actor: Any,
    kind: NotificationKind,
    lead: recipients.OwnedLead,
    *,
    subject_id: uuid.UUID,
    data: dict[str, Any],
    amount: Decimal | None = None,
) -> None:
    row = {
        "tenant_id": actor.tenant_id,
        "user_id": lead.owner_id,
        "kind": kind,
        "subject_id": subject_id,
        "lead_id": lead.lead_id,
        "actor_id": actor.user_id,
        "amount": amount,
        "data": {"lead_code": lead.lead_code, "lead_name": lead.lead_name, **data},
        "created_at": utcnow(),
    }
    if not closing.insert_at_commit(session, Notification, row):  # nothing reads it back
        session.add(Notification(**row))


def install(factory: sessionmaker[Session]) -> None:
    """Turn logged changes into notifications on ``factory``'s sessions."""
    hooks.RECORD_CHANGE.connect(factory, on_change)
