"""Keyset (cursor) pagination: stable under inserts, constant cost at any depth."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel
from sqlalchemy import Select, and_, bindparam, or_
from sqlalchemy.orm import Session

from salestrack.core.errors import Unprocessable
from salestrack.core.reads import Shapes
from salestrack.core.schema_base import EARLIEST_DAY, LATEST_DAY

DEFAULT_LIMIT = 50
MAX_LIMIT = 500

ItemT = TypeVar("ItemT")


class Page(BaseModel, Generic[ItemT]):
    items: list[ItemT]
    next_cursor: str | None


LimitParam = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="page size (max 500)")]

# --- cursors -----------------------------------------------------------------------
# A cursor is the sort key of a page's last row, one token per key, joined by dots. Each
# token is a plain number or hex, so a regular expression says exactly which cursors
# exist, and every text it matches is a position in the order: a moment, day or time of
# day beyond the years any row holds is taken as the nearest end of that range, which
# pages the same. The OpenAPI document therefore tells the whole rule (its pattern), and
# no cursor that fits the pattern is refused.
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
_FIRST = datetime.combine(EARLIEST_DAY, time.min, tzinfo=UTC)
_LAST = datetime.combine(LATEST_DAY, time.max, tzinfo=UTC)
_DAY_MICROSECONDS = 86_400_000_000
TOKENS: dict[type[Any], str] = {
    datetime: "-?[0-9]{1,17}",  # microseconds since 1970-01-01 UTC
    date: "[0-9]{1,7}",  # the day's ordinal (day 1 is 0001-01-01)
    time: "[0-9]{1,11}",  # microseconds since midnight
    int: "-?[0-9]{1,18}",  # beyond a 32-bit column's range: its nearest end
    uuid.UUID: "[0-9a-f]{32}",
}


def cursor_pattern(kinds: Sequence[type[Any]]) -> str:
    """The regular expression of the cursors of an order by values of ``kinds``."""
    return "^" + r"\.".join(TOKENS[kind] for kind in kinds) + "$"


def _token(value: Any) -> str:
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)  # stored in UTC
        return str((aware - _EPOCH) // _MICROSECOND)
    if isinstance(value, date):
        return str(value.toordinal())
    if isinstance(value, time):
        moment = (value.hour * 3600 + value.minute * 60 + value.second) * 1_000_000
        return str(moment + value.microsecond)
    if isinstance(value, uuid.UUID):
        return value.hex
    return str(int(value))


def _clamped(number: int, low: int, high: int) -> int:
    return max(low, min(high, number))


def _value(kind: type[Any], token: str) -> Any:
    number = int(token, 16) if kind is uuid.UUID else int(token)
    if kind is datetime:
        low, high = ((edge - _EPOCH) // _MICROSECOND for edge in (_FIRST, _LAST))
        return _EPOCH + _clamped(number, low, high) * _MICROSECOND
    if kind is date:
        low, high = EARLIEST_DAY.toordinal(), LATEST_DAY.toordinal()
        return date.fromordinal(_clamped(number, low, high))
    if kind is time:
        micro = _clamped(number, 0, _DAY_MICROSECONDS - 1)
        seconds, micro = divmod(micro, 1_000_000)
        return time(seconds // 3600, seconds // 60 % 60, seconds % 60, micro)
    if kind is uuid.UUID:
        return uuid.UUID(int=number)
    return _clamped(number, -(2**31), 2**31 - 1)  # positions are INTEGER columns


def encode_cursor(values: Sequence[Any]) -> str:
    """The cursor after a row whose sort key is ``values``."""
    return ".".join(_token(value) for value in values)


def decode_cursor(cursor: str, kinds: Sequence[type[Any]]) -> list[Any]:
    """The sort key a cursor names; 422 when it does not fit the pattern."""
    if not re.fullmatch(cursor_pattern(kinds), cursor):
        raise refused_cursor()
    return [_value(kind, token) for kind, token in zip(kinds, cursor.split("."), strict=True)]


def cursor_query(kinds: Sequence[type[Any]]) -> Any:
    """The ``cursor`` query parameter (``Annotated[str | None, cursor_query(...)]``) of a
    list ordered by values of ``kinds``."""
    return Query(
        max_length=200,
        pattern=cursor_pattern(kinds),
        description="the previous page's next_cursor (omit for the first page)",
    )


def refused_cursor() -> Unprocessable:
    return Unprocessable("cursor is not one this API issued", field="cursor")


# The cursor of the lists ordered newest first by ``(created_at, id)``.
CREATED_ORDER: tuple[type[Any], ...] = (datetime, uuid.UUID)
CursorParam = Annotated[str | None, cursor_query(CREATED_ORDER)]


def paginate(
    session: Session,
    stmt: Select[Any],
    model: Any,
    *,
    limit: int,
    cursor: str | None,
    plain: bool = False,
) -> tuple[list[Any], str | None]:
    """Newest first by ``(created_at, id)``; returns one page and the next cursor.

    ``plain`` reads the rows as column mappings instead of ORM entities: the same values
    at about two thirds of the CPU, for an answer that only serializes them (API lists).
    """
    if cursor:
        at, row_id = decode_cursor(cursor, CREATED_ORDER)
        stmt = stmt.where(
            or_(model.created_at < at, and_(model.created_at == at, model.id < row_id))
        )
    stmt = stmt.order_by(model.created_at.desc(), model.id.desc()).limit(limit + 1)
    rows: list[Any]
    if plain:
        rows = list(session.execute(stmt.with_only_columns(*model.__table__.columns)).mappings())
    else:
        rows = list(session.scalars(stmt))
    return _cut(rows, limit, plain=plain)


def _cut(rows: list[Any], limit: int, *, plain: bool) -> tuple[list[Any], str | None]:
    """The page (``limit + 1`` rows were read) and the cursor after it, if more follow."""
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    last = rows[-1]
    return rows, encode_cursor(
        (last["created_at"], last["id"]) if plain else (last.created_at, last.id)
    )


def newest_first(stmt: Select[Any], model: Any, *, after_cursor: bool) -> Select[Any]:
    """``stmt`` (selecting the columns of ``model``) as a page newest first, on parameters:
    ``page_size`` and, ``after_cursor``, the cursor's ``after_at`` and ``after_id``. For a
    ``core.reads.Shapes`` family whose shape ends with ``after_cursor``."""
    if after_cursor:
        at: Any = bindparam("after_at")
        row_id: Any = bindparam("after_id")
        stmt = stmt.where(
            or_(model.created_at < at, and_(model.created_at == at, model.id < row_id))
        )
    return stmt.order_by(model.created_at.desc(), model.id.desc()).limit(bindparam("page_size"))


def prepared_page(
    session: Session,
    family: Shapes,
    shape: tuple[Any, ...],
    params: dict[str, Any],
    *,
    limit: int,
    cursor: str | None,
) -> tuple[list[dict[str, Any]], str | None]:
    """One page of a prepared read built with ``newest_first`` (``shape`` without the
    cursor's part), as column mappings, and the next cursor."""
    values = {**params, "page_size": limit + 1}
    if cursor:
        values["after_at"], values["after_id"] = decode_cursor(cursor, CREATED_ORDER)
    rows = family.of((*shape, bool(cursor))).rows(session, values)
    return _cut(rows, limit, plain=True)
