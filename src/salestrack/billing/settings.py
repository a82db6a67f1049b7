"""The tenant's billing settings: the late-payment interest rate and the days to pay."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.orm import Session

from salestrack.auth.context import Actor
from salestrack.billing.models import BillingSettings
from salestrack.billing.schemas import BillingSettingsIn
from salestrack.core import crud

ENTITY = "billing_settings"


def get_settings(session: Session, tenant_id: uuid.UUID) -> BillingSettings:
    """The stored row, or the defaults (no interest, 15 days) unsaved."""
    row = session.get(BillingSettings, tenant_id)
    if row is None:
        return BillingSettings(tenant_id=tenant_id, interest_rate=0, payment_days=15)
    return row


def put_settings(session: Session, *, actor: Actor, data: BillingSettingsIn) -> BillingSettings:
    """Replace the tenant's settings (created on the first save)."""
    row = session.get(BillingSettings, actor.tenant_id, with_for_update=True)
    values = data.model_dump()
    changes: dict[str, Any]
    if row is None:
        row = BillingSettings(tenant_id=actor.tenant_id, **values)
        session.add(row)
        action, changes = "create", {k: str(v) for k, v in values.items()}
    else:
        action = "update"
        changes = {k: {"from": str(getattr(row, k)), "to": str(v)} for k, v in values.items()}
        for key, value in values.items():
            setattr(row, key, value)
    row.updated_by = actor.user_id
    session.flush()
    crud.log_action(
        session,
        actor=actor,
        entity=ENTITY,
        entity_id=actor.tenant_id,
        action=action,
        changes=changes,
    )
    return row
