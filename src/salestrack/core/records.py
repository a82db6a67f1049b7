"""Create, read, update and soft-delete for a tenant-owned record kind, with audit.

Customers, campaigns and lead sources follow exactly these rules; leads add their own on
top. Describing a kind once keeps the rule (references exist in the tenant, codes unique
per tenant, deletes are soft and logged) in one place.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from salestrack.core import batching, crud
from salestrack.core.actor import Acting
from salestrack.core.errors import Conflict
from salestrack.core.hooks import HookPoint
from salestrack.core.numbering import next_number, reserve
from salestrack.core.schema_base import InputModel, UpdateModel


@dataclass(frozen=True)
class CodeRule:
    """Generated codes look like ``{prefix}-0001``. With ``today`` (the tenant's calendar
    day, ``auth.clock.tenant_today``) the year goes in the prefix, ``{prefix}-2027-0001``:
    the tenant's year, so a lead of 00:10 on 1 January in India is not coded last year."""

    field: str
    prefix: str
    today: Callable[[Session, uuid.UUID], date] | None = None

    def prefix_for(self, session: Session, tenant_id: uuid.UUID) -> tuple[str, str]:
        """The codes' prefix and the name of their counter, as of now."""
        if self.today is not None:
            year = self.today(session, tenant_id).year
            return f"{self.prefix}-{year}", f"{self.prefix.lower()}:{year}"
        return self.prefix, self.prefix.lower()


@dataclass(frozen=True)
class RecordKind:
    model: Any
    entity: str
    label: str
    references: dict[str, Any] = field(default_factory=dict)
    code: CodeRule | None = None
    validate: Callable[[Any, dict[str, Any]], None] | None = None
    # Other domains react to a change in the same transaction (e.g. the journey records
    # a lead's first milestone and its status history): hook points the wiring fills.
    # Handlers get ``(session, actor, row)`` / ``(session, actor, row, values_before)``; the
    # actor is the caller's (a full ``auth`` Actor in practice), so it is typed loosely here.
    created: HookPoint[Callable[[Session, Any, Any], None]] = field(init=False)
    updated: HookPoint[Callable[[Session, Any, Any, dict[str, Any]], None]] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "created", HookPoint(f"{self.entity}.created"))
        object.__setattr__(self, "updated", HookPoint(f"{self.entity}.updated"))

    def check_references(self, session: Session, actor: Acting, values: dict[str, Any]) -> None:
        crud.check_references(
            session,
            tenant_id=actor.tenant_id,
            refs={k: (m, values[k]) for k, m in self.references.items() if k in values},
        )

    def create(self, session: Session, *, actor: Acting, data: InputModel, **extra: Any) -> Any:
        values = {**data.model_dump(), **extra}
        self.check_references(session, actor, values)
        if self.validate:
            self.validate(None, values)
        if self.code is not None:
            values[self.code.field] = self.claim_code(
                session, actor=actor, given=values.get(self.code.field)
            )
        row = crud.add(session, actor=actor, row=self.model(**values), entity=self.entity)
        for hook in self.created.handlers(session):
            hook(session, actor, row)
        return row

    def get(
        self,
        session: Session,
        *,
        actor: Acting,
        row_id: uuid.UUID,
        for_update: bool = False,
        keys_stay: bool = False,
    ) -> Any:
        return crud.get_live(
            session,
            self.model,
            tenant_id=actor.tenant_id,
            row_id=row_id,
            label=self.label,
            for_update=for_update,
            keys_stay=keys_stay,
        )

    def update(
        self, session: Session, *, actor: Acting, row_id: uuid.UUID, data: UpdateModel
    ) -> Any:
        values = data.changes()
        self.check_references(session, actor, values)
        row = self.get(session, actor=actor, row_id=row_id, for_update=True)
        if self.validate:
            self.validate(row, values)
        before = {name: getattr(row, name) for name in values}
        crud.change(session, actor=actor, row=row, values=values, entity=self.entity)
        for hook in self.updated.handlers(session):
            hook(session, actor, row, before)
        return row

    def delete(self, session: Session, *, actor: Acting, row_id: uuid.UUID) -> None:
        row = self.get(session, actor=actor, row_id=row_id, for_update=True)
        crud.soft_delete(session, actor=actor, row=row, entity=self.entity)

    def listing(self, *, tenant_id: uuid.UUID) -> Select[Any]:
        return crud.scoped(self.model, tenant_id)

    def claim_code(self, session: Session, *, actor: Acting, given: str | None) -> str:
        """The given code if free (409 if not), else the next generated one."""
        assert self.code is not None
        if given is not None:
            if self._code_taken(session, actor.tenant_id, given):
                raise Conflict(
                    f"{self.code.field} {given!r} is already used in this tenant",
                    field=self.code.field,
                )
            found = batching.current(session)
            if found is not None:
                found.given_codes.add(given)
            return given
        prefix, counter = self.code.prefix_for(session, actor.tenant_id)
        found = batching.current(session)
        if found is not None:
            return self._claim_in_batch(session, actor.tenant_id, found, prefix, counter)
        while True:
            number = next_number(session, tenant_id=actor.tenant_id, name=counter)
            candidate = f"{prefix}-{number:04d}"
            if not self._code_taken(session, actor.tenant_id, candidate):
                return candidate

    def _claim_in_batch(
        self, session: Session, tenant_id: uuid.UUID, found: batching.Batch, prefix: str, name: str
    ) -> str:
        """The next code from the batch's reserved numbers, as ``claim_code`` would give them
        one by one: in order, skipping (and using up) numbers whose code is taken."""
        block = found.blocks.setdefault(
            (tenant_id, name), batching.CodeBlock(tenant_id=tenant_id, name=name)
        )
        while True:
            if not block.free:
                numbers = reserve(session, tenant_id=tenant_id, name=name, count=found.rows)
                taken = self._codes_taken(
                    session, tenant_id, [f"{prefix}-{n:04d}" for n in numbers]
                )
                block.free = list(numbers)
                found.cache[("taken", name)] = taken
            number = block.free.pop(0)
            candidate = f"{prefix}-{number:04d}"
            if candidate in found.cache[("taken", name)] or candidate in found.given_codes:
                continue
            return candidate

    def _codes_taken(self, session: Session, tenant_id: uuid.UUID, codes: list[str]) -> set[str]:
        assert self.code is not None
        column = getattr(self.model, self.code.field)
        stmt = select(column).where(self.model.tenant_id == tenant_id, column.in_(codes))
        return set(session.scalars(stmt))

    def _code_taken(self, session: Session, tenant_id: uuid.UUID, code: str) -> bool:
        """Codes stay reserved after a soft delete, so deleted rows count too."""
        assert self.code is not None
        column = getattr(self.model, self.code.field)
        stmt = select(self.model.id).where(self.model.tenant_id == tenant_id, column == code)
        return session.execute(stmt).first() is not None
