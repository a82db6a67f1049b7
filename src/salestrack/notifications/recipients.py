"""Who is told: the active owner of a lead, the owners of a customer's leads.

A notification goes to a lead's owner (``leads.assigned_to``) while that user is active
and not deleted; a deactivated user is told nothing. The SQL lives here, next to the one
domain that asks it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import BindParameter, Select, and_, bindparam, select, union
from sqlalchemy.orm import Session

from salestrack.auth.models import User
from salestrack.core import batching, reads
from salestrack.leads.models import Customer, Lead
from salestrack.money.models import Booking


@dataclass(frozen=True)
class OwnedLead:
    """A live lead with an active owner: who is told, and the names the message uses."""

    lead_id: uuid.UUID
    lead_code: str
    lead_name: str
    owner_id: uuid.UUID


def _owned_leads(tenant_id: Any) -> Select[Any]:
    return (
        select(Lead.id, Lead.lead_code, Lead.name, Lead.assigned_to)
        .join(User, and_(User.tenant_id == Lead.tenant_id, User.id == Lead.assigned_to))
        .where(
            Lead.tenant_id == tenant_id,
            Lead.deleted_at.is_(None),
            User.is_active.is_(True),
            User.deleted_at.is_(None),
        )
    )


def _rows(session: Session, stmt: Select[Any]) -> list[OwnedLead]:
    return [OwnedLead(row[0], row[1], row[2], row[3]) for row in session.execute(stmt)]


def lead_owner(session: Session, *, tenant_id: uuid.UUID, lead_id: uuid.UUID) -> OwnedLead | None:
    """The lead with its owner, if it is live and its owner active."""
    batch = batching.current(session)
    lead = batch.added_row(Lead, lead_id) if batch is not None else None
    if batch is not None and lead is not None:  # written by this batch, not flushed yet
        owner = lead.assigned_to
        if lead.deleted_at is None and owner in _active_owners(session, tenant_id, batch):
            return OwnedLead(lead.id, lead.lead_code, lead.name, owner)
        return None
    found = _rows(session, _owned_leads(tenant_id).where(Lead.id == lead_id))
    return found[0] if found else None


def _active_owners(session: Session, tenant_id: uuid.UUID, batch: batching.Batch) -> set[Any]:
    """The users who can be told (active, not deleted), read once per batch."""
    key = ("active_owners", tenant_id)
    if key not in batch.cache:
        stmt = select(User.id).where(
            User.tenant_id == tenant_id, User.is_active.is_(True), User.deleted_at.is_(None)
        )
        batch.cache[key] = set(session.scalars(stmt))
    owners: set[Any] = batch.cache[key]
    return owners


def customer_leads(
    session: Session, *, tenant_id: uuid.UUID, customer_id: uuid.UUID
) -> list[OwnedLead]:
    """The customer's leads with active owners: the lead it was made from and the leads
    of its bookings, each once, oldest code first."""
    rows = _CUSTOMER_LEADS.rows(session, {"tenant_id": tenant_id, "customer_id": customer_id})
    return [OwnedLead(r["id"], r["lead_code"], r["name"], r["assigned_to"]) for r in rows]


def _customer_leads() -> Select[Any]:
    """One set of lead ids (a ``UNION``): an ``OR`` of two ``IN``s made PostgreSQL scan
    every lead of the tenant, on every payment."""
    tenant: BindParameter[uuid.UUID] = bindparam("tenant_id")
    customer: BindParameter[uuid.UUID] = bindparam("customer_id")
    made_from = select(Customer.lead_id).where(
        Customer.tenant_id == tenant, Customer.id == customer
    )
    booked = select(Booking.lead_id).where(
        Booking.tenant_id == tenant,
        Booking.customer_id == customer,
        Booking.lead_id.is_not(None),
    )
    return (
        _owned_leads(tenant).where(Lead.id.in_(union(made_from, booked))).order_by(Lead.lead_code)
    )


# Every payment asks it (to tell the customer's lead owners): a prepared read.
_CUSTOMER_LEADS = reads.Prepared(_customer_leads())


def customer_name(session: Session, *, tenant_id: uuid.UUID, customer_id: uuid.UUID) -> str:
    """No query when the session holds the customer already (a posting locked it)."""
    customer = session.get(Customer, (tenant_id, customer_id))
    return customer.name if customer is not None else ""
