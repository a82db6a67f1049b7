"""Lead rules: codes and references. Routes stay thin and call these; reads are in
``selectors``."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy.orm import Session

from salestrack.auth import clock
from salestrack.auth.context import Actor
from salestrack.auth.models import User
from salestrack.core import crud
from salestrack.core.errors import Unprocessable
from salestrack.core.hooks import HookPoint
from salestrack.core.records import CodeRule, RecordKind
from salestrack.leads.models import Campaign, Customer, Lead, LeadSource
from salestrack.leads.schemas import LeadCreate, LeadUpdate


def _campaign_dates(row: Campaign | None, values: dict[str, Any]) -> None:
    start = values.get("start_date", row.start_date if row else None)
    end = values.get("end_date", row.end_date if row else None)
    if start and end and end < start:
        raise Unprocessable("end_date may not be before start_date", field="end_date")


LEADS = RecordKind(
    model=Lead,
    entity="lead",
    label="lead",
    references={"source_id": LeadSource, "campaign_id": Campaign, "assigned_to": User},
    code=CodeRule("lead_code", "LEAD", today=clock.tenant_today),
)
CUSTOMERS = RecordKind(
    model=Customer,
    entity="customer",
    label="customer",
    references={"lead_id": Lead},
    code=CodeRule("customer_code", "CUST"),
)
CAMPAIGNS = RecordKind(
    model=Campaign,
    entity="campaign",
    label="campaign",
    references={"assigned_to": User},
    code=CodeRule("campaign_code", "CAMP", today=clock.tenant_today),
    validate=_campaign_dates,
)
SOURCES = RecordKind(
    model=LeadSource,
    entity="lead_source",
    label="lead source",
    references={"campaign_id": Campaign},
)


ARRIVING: HookPoint[Callable[[Session, Actor, LeadCreate], Lead | None]] = HookPoint(
    "lead.arriving"
)
"""Before a lead from the API or an import is created: a handler may answer with the open
lead it duplicates (having recorded the re-enquiry on it), or refuse it (409), per the
tenant's duplicate policy; None lets the new lead be created."""


ARRIVING_MANY: HookPoint[Callable[[Session, Actor, list[LeadCreate]], None]] = HookPoint(
    "lead.arriving_many"
)
"""Before a batch of leads arrives one by one (an import's batch, in a
``core.batching.batch``): a handler may read at once what each arrival would look up (the
duplicate rule's open leads), so the batch costs the same few statements at any size."""


POLICY_KEY = "salestrack.leads.arrival_policy"
CHANNEL_KEY = "salestrack.leads.arrival_channel"


@contextmanager
def arriving_by(session: Session, *, channel: str, policy: str | None) -> Iterator[None]:
    """Leads arriving in this block come by ``channel`` (a touch's channel: ``import``)
    under ``policy`` (``merge``/``create``/``reject``; None: the tenant's). The import
    passes the policy its user chose; the ARRIVING handler reads both."""
    session.info[CHANNEL_KEY] = channel
    if policy is not None:
        session.info[POLICY_KEY] = policy
    try:
        yield
    finally:
        session.info.pop(CHANNEL_KEY, None)
        session.info.pop(POLICY_KEY, None)


def create_lead(session: Session, *, actor: Actor, data: LeadCreate) -> Lead:
    """Create a lead; its code is generated (LEAD-YYYY-NNNN) unless one is given."""
    lead_date = clock.given_or_today(session, actor.tenant_id, data.lead_date)
    lead: Lead = LEADS.create(session, actor=actor, data=data, lead_date=lead_date)
    return lead


def arrive(session: Session, *, actor: Actor, data: LeadCreate) -> tuple[Lead, bool]:
    """A lead arriving by the API or an import: the lead, and whether it is new (False:
    an open lead of the same buyer took it as a re-enquiry)."""
    for handler in ARRIVING.handlers(session):
        found = handler(session, actor, data)
        if found is not None:
            return found, False
    return create_lead(session, actor=actor, data=data), True


def expect_arrivals(session: Session, *, actor: Actor, data: list[LeadCreate]) -> None:
    """Tell the ARRIVING_MANY handlers which leads are about to ``arrive`` in this batch."""
    for handler in ARRIVING_MANY.handlers(session):
        handler(session, actor, data)


def get_lead(
    session: Session,
    *,
    actor: Actor,
    lead_id: uuid.UUID,
    for_update: bool = False,
    keys_stay: bool = False,
) -> Lead:
    """The lead or 404; ``for_update`` locks it (``keys_stay``: the caller changes none of its
    keys, so rows that refer to it can be inserted meanwhile, see ``crud.get_live``)."""
    lead: Lead = LEADS.get(
        session, actor=actor, row_id=lead_id, for_update=for_update, keys_stay=keys_stay
    )
    return lead


def read_lead(session: Session, *, actor: Actor, lead_id: uuid.UUID) -> Any:
    """A lead's columns, read only (404 as ``get_lead``): for requests that show a lead, or
    need it to exist, and change nothing."""
    return crud.read_live(session, Lead, tenant_id=actor.tenant_id, row_id=lead_id, label="lead")


def update_lead(session: Session, *, actor: Actor, lead_id: uuid.UUID, data: LeadUpdate) -> Lead:
    lead: Lead = LEADS.update(session, actor=actor, row_id=lead_id, data=data)
    return lead


def delete_lead(session: Session, *, actor: Actor, lead_id: uuid.UUID) -> None:
    LEADS.delete(session, actor=actor, row_id=lead_id)
