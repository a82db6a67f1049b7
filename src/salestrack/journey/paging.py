"""Keyset pagination in ascending (chronological) order over several non-null columns.

The foundation's ``paginate`` lists newest-created first; journey lists read oldest
first by event date, so they page on their own sort key, with the same cursor idea.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, or_
from sqlalchemy.orm import InstrumentedAttribute, Session
from sqlalchemy.types import TypeDecorator

from salestrack.core import pagination

Key = InstrumentedAttribute[Any]


def _python_type(key: Key) -> type[Any]:
    column_type = key.type
    if isinstance(column_type, TypeDecorator):
        column_type = column_type.impl_instance
    kind: type[Any] = column_type.python_type
    return kind


def kinds(keys: Sequence[Key]) -> tuple[type[Any], ...]:
    """The value types of an order's columns: what its cursors are made of."""
    return tuple(_python_type(key) for key in keys)


def cursor_query(keys: Sequence[Key]) -> Any:
    """The ``cursor`` query parameter of a list in ``keys`` order (its exact pattern)."""
    return pagination.cursor_query(kinds(keys))


def encode(values: Sequence[Any]) -> str:
    return pagination.encode_cursor(values)


def decode(cursor: str, keys: Sequence[Key]) -> list[Any]:
    return pagination.decode_cursor(cursor, kinds(keys))


def _after(keys: Sequence[Key], values: Sequence[Any]) -> ColumnElement[bool]:
    """``(k1, k2, ...) > (v1, v2, ...)`` spelled out so each value binds with its type."""
    clauses = []
    for i, key in enumerate(keys):
        equal = [keys[j] == values[j] for j in range(i)]
        clauses.append(and_(*equal, key > values[i]))
    return or_(*clauses)


def ascending_page(
    session: Session,
    stmt: Select[Any],
    keys: Sequence[Key],
    *,
    limit: int,
    cursor: str | None,
) -> tuple[list[Any], str | None]:
    """Rows of ``stmt`` in ascending ``keys`` order after ``cursor``; the last key is unique."""
    if cursor:
        stmt = stmt.where(_after(keys, decode(cursor, keys)))
    stmt = stmt.order_by(*keys).limit(limit + 1)
    rows = list(session.execute(stmt).all())
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    first = rows[-1][0]
    return rows, encode([getattr(first, key.key) for key in keys])
