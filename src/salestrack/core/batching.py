"""Many records written in one transaction (an import's batch), at a cost per batch that
does not grow with its rows.

A write of one record flushes as it goes and looks up what it needs (a reference, the next
code, the tenant's rules) with a statement of its own: right for one record, but an
import's batch of 500 would run thousands of statements. Inside ``batch(session, rows=N)``
the same services run the same rules, but:

- inserts and changes are left pending (ids and column defaults set at once), so the whole
  batch reaches the database in one flush at commit: one multi-row ``INSERT`` per table;
- code counters are advanced once for the batch (``numbering.reserve``) and what the batch
  did not use is given back before it commits, so codes stay gap-free;
- what the batch's rows share (a referenced row seen live, the tenant's assignment rules)
  is read once and kept in ``Batch.cache`` for the rest of the transaction.

Nothing changes outside a batch. A batch is one transaction: its caches end with it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Mapper, Session, sessionmaker, unitofwork

from salestrack.core import numbering

BATCH_KEY = "salestrack.core.batch"


@dataclass
class CodeBlock:
    """Numbers of one counter reserved for the batch and not handed out yet."""

    tenant_id: uuid.UUID
    name: str
    free: list[int] = field(default_factory=list)


@dataclass
class Batch:
    rows: int  # how many records the batch expects to create (what a reservation asks for)
    cache: dict[Any, Any] = field(default_factory=dict)
    blocks: dict[tuple[uuid.UUID, str], CodeBlock] = field(default_factory=dict)
    given_codes: set[str] = field(default_factory=set)  # codes the batch's rows named
    added: dict[tuple[type[Any], Any], Any] = field(default_factory=dict)  # by (model, id)

    def added_row(self, model: type[Any], row_id: Any) -> Any:
        """The batch's pending row of ``model`` with this id (None: not added by it)."""
        return self.added.get((model, row_id))


def current(session: Session) -> Batch | None:
    """The batch ``session`` is writing, if any."""
    found = session.info.get(BATCH_KEY)
    return found if isinstance(found, Batch) else None


@contextmanager
def batch(session: Session, *, rows: int) -> Iterator[Batch]:
    """Write the block's records as one batch of about ``rows`` records (see the module)."""
    found = Batch(rows=max(1, rows))
    session.info[BATCH_KEY] = found
    try:
        yield found
        session.flush()  # while the batch orders the flush (``install``)
        give_back(session, found)
    finally:
        session.info.pop(BATCH_KEY, None)


def give_back(session: Session, found: Batch) -> None:
    """Return the reserved numbers the batch did not use (the highest ones: numbers are
    handed out in order), while the batch still holds the counter rows' locks."""
    for block in found.blocks.values():
        if block.free:
            numbering.give_back(
                session, tenant_id=block.tenant_id, name=block.name, count=len(block.free)
            )
            block.free.clear()


def pending_insert(session: Session, row: Any) -> None:
    """Add ``row`` without flushing, its id and column defaults set now as the flush would
    set them (so the audit entry and the hooks see the same values)."""
    state = inspect(row)
    for prop in state.mapper.column_attrs:
        default = prop.columns[0].default
        if default is None or prop.key in state.dict or prop.key in _STAMPS:
            continue  # set by the caller (even to None: then no default applies)
        if default.is_scalar:
            setattr(row, prop.key, default.arg)
        elif default.is_callable:
            setattr(row, prop.key, default.arg(None))
    session.add(row)
    found = current(session)
    if found is not None:
        found.added[(type(row), row.id)] = row


# Set by the flush itself, as they are outside a batch (never logged).
_STAMPS = frozenset({"created_at", "updated_at"})


def install(factory: sessionmaker[Session]) -> None:
    """Order a batch's flush by the tables' foreign keys (called by the wiring)."""
    event.listen(factory, "before_flush", _order_by_foreign_keys)


def _saves(flush_context: Any, mapper: Mapper[Any]) -> Any:
    """The unit of work's "save every row of this mapper" step (one per flush and mapper)."""
    return unitofwork.SaveUpdateAll(flush_context, mapper)  # type: ignore[no-untyped-call]


def _order_by_foreign_keys(session: Session, flush_context: Any, _instances: Any) -> None:
    """Insert a batch's rows parents first.

    Outside a batch each record is flushed as it is written, so a lead is in before its
    milestone. A batch flushes them together, and the unit of work orders tables it has no
    ``relationship()`` between by class name (``journey.LeadMilestone`` before
    ``leads.Lead``). So tell it what ``relationship()`` would: the table a pending row's
    foreign key points at is saved first (the unit of work's own dependency pairs)."""
    if current(session) is None:
        return
    mappers: dict[Any, Mapper[Any]] = {}
    for row in session.new:
        mapper = inspect(row).mapper.base_mapper
        mappers[mapper.local_table] = mapper
    for table, mapper in mappers.items():
        for key in table.foreign_key_constraints:
            parent = mappers.get(key.referred_table)
            if parent is not None and parent is not mapper:
                flush_context.dependencies.add(
                    (_saves(flush_context, parent), _saves(flush_context, mapper))
                )
