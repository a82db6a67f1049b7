"""Per-tenant counters for human-readable codes (LEAD-2026-0001, ledger numbers).

The counter row is incremented with ``UPDATE ... RETURNING``, which locks it until the
transaction ends: two writers never get the same number and a rolled-back transaction
gives its number back, so sequences stay gap-free.
"""

from __future__ import annotations

import uuid

from sqlalchemy import BigInteger, String, bindparam, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from salestrack.core.db import Base, tenant_root_fk, upsert_insert


class Counter(Base):
    __tablename__ = "counters"
    __table_args__ = (tenant_root_fk(),)

    tenant_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger(), nullable=False, default=0)


def next_number(session: Session, *, tenant_id: uuid.UUID, name: str) -> int:
    """The next value of the tenant's counter ``name``, starting at 1."""
    return reserve(session, tenant_id=tenant_id, name=name, count=1)[0]


# Every coded insert, ledger posting and batch reservation (``core.batching``) takes its
# values with this statement, built once; a batch gives unused ones back with it too.
ADVANCE = (
    update(Counter)
    .where(Counter.tenant_id == bindparam("b_tenant"), Counter.name == bindparam("b_name"))
    .values(value=Counter.value + bindparam("b_by"))
    .returning(Counter.value)
)


def reserve(session: Session, *, tenant_id: uuid.UUID, name: str, count: int) -> range:
    """The next ``count`` values of the counter, taken with one statement (the row stays
    locked to the end of the transaction, as with ``next_number``)."""
    params = {"b_tenant": tenant_id, "b_name": name, "b_by": count}
    value = session.execute(ADVANCE, params).scalar_one_or_none()
    if value is None:
        insert = upsert_insert(session)
        session.execute(
            insert(Counter).values(tenant_id=tenant_id, name=name, value=0).on_conflict_do_nothing()
        )
        value = session.execute(ADVANCE, params).scalar_one()
    return range(int(value) - count + 1, int(value) + 1)


def give_back(session: Session, *, tenant_id: uuid.UUID, name: str, count: int) -> None:
    """Return the ``count`` highest values reserved by this transaction, unused: only while
    it still holds the counter row, so no one else took a value after them."""
    params = {"b_tenant": tenant_id, "b_name": name, "b_by": -count}
    session.execute(ADVANCE, params)
