"""The money tables follow the tenancy rule: tenant_id leads every key."""

from __future__ import annotations

import pytest
from salestrack.http.idempotency import IdempotencyKey
from sqlalchemy import ForeignKeyConstraint, Table, UniqueConstraint

from salestrack.money.models import Booking, Inventory, LedgerEntry


@pytest.mark.parametrize("model", [Inventory, Booking, LedgerEntry, IdempotencyKey])
def test_tenant_id_leads_every_key(model: type) -> None:
    table: Table = model.__table__  # type: ignore[attr-defined]
    assert next(iter(table.primary_key.columns)).name == "tenant_id"
    keys = [c for c in table.constraints if isinstance(c, UniqueConstraint | ForeignKeyConstraint)]
    assert keys
    for constraint in keys:
        assert next(iter(constraint.columns)).name == "tenant_id", constraint
