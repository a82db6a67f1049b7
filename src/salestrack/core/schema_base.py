"""The one Pydantic base every request and response schema derives from."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from decimal import Decimal
from typing import Annotated, Any, ClassVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    EmailStr,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    StringConstraints,
    WithJsonSchema,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, core_schema

MAX_MONEY = Decimal("9999999999999999.99")

# --- text --------------------------------------------------------------------------
# No text input holds a control character other than tab, line feed and carriage return:
# PostgreSQL refuses NUL in text and JSON, XML (an xlsx export) refuses the rest, and no
# person types them. Every text field and search parameter carries ``PRINTABLE``.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
PRINTABLE_PATTERN = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
CONTROL_MESSAGE = "must not contain control characters (tab and line breaks are fine)"


def printable(value: str) -> str:
    """``value`` when it holds no control character; ``ValueError`` otherwise."""
    if CONTROL_CHARACTERS.search(value):
        raise ValueError(CONTROL_MESSAGE)
    return value


@dataclass(frozen=True)
class _Printable:
    """Annotated metadata: refuses control characters and says so in the JSON Schema."""

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        return core_schema.no_info_after_validator_function(printable, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        value = handler(schema)
        value.setdefault("pattern", PRINTABLE_PATTERN)
        return value


PRINTABLE = _Printable()


# --- numbers -----------------------------------------------------------------------
def _not_boolean(value: Any) -> Any:
    """JSON's ``true`` and ``false`` are not numbers (Pydantic would read them as 1 and 0),
    as the document's ``type: integer`` says."""
    if isinstance(value, bool):
        raise ValueError("must be a number, not true or false")
    return value


# Every int field of a request body carries it, after its Field (so its bounds are documented).
NOT_BOOLEAN = BeforeValidator(_not_boolean)

# --- days and moments --------------------------------------------------------------
# Every date and timestamp a client sends lies in these years, so it can be shown in any
# zone and a day after it still exists (the reports' window has the same bounds).
EARLIEST_DAY = date(1900, 1, 1)
LATEST_DAY = date(2999, 12, 31)
_DAY_RANGE = f"between {EARLIEST_DAY} and {LATEST_DAY}"


def day_in_range(value: date) -> date:
    if not EARLIEST_DAY <= value <= LATEST_DAY:
        raise ValueError(f"must be {_DAY_RANGE}")
    return value


def moment_in_range(value: datetime) -> datetime:
    """``value`` in UTC when it has a zone and its day, as written, lies in the years
    above; ``ValueError`` otherwise. (A day in range shifted by any zone stays far from
    the limits of ``datetime``, so no zone can overflow it.)"""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("needs a time zone (e.g. Z or +05:30)")
    if not EARLIEST_DAY <= value.date() <= LATEST_DAY:
        raise ValueError(f"must be {_DAY_RANGE}")
    return value.astimezone(UTC)


def parse_day(text: str) -> date:
    """An ISO day typed in a link or form, in range (``ValueError`` otherwise)."""
    return day_in_range(date.fromisoformat(text))


# What the documents say a day and a moment look like: ISO 8601 text whose year lies in
# the range above (``format`` says the rest). The text checks below refuse what a lax
# parser would read as a date although no schema allows it: a number (``to=0`` would be
# 1970-01-01), or a day with a time.
YEAR_PATTERN = r"(19[0-9]{2}|2[0-9]{3})"
DAY_PATTERN = rf"^{YEAR_PATTERN}-[0-9]{{2}}-[0-9]{{2}}$"
MOMENT_PATTERN = rf"^{YEAR_PATTERN}-[0-9]{{2}}-[0-9]{{2}}[Tt ][0-9]{{2}}:[0-9]{{2}}"
_DAY_TEXT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_MOMENT_TEXT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}.*", re.DOTALL)


def _strict(shape: re.Pattern[str], kind: type, example: str) -> Any:
    def check(value: Any) -> Any:
        if isinstance(value, kind):
            return value
        if isinstance(value, str) and shape.fullmatch(value):
            return value
        raise ValueError(f"must be ISO 8601 text like {example}")

    return BeforeValidator(check)


Day = Annotated[
    date,
    _strict(_DAY_TEXT, date, "2026-01-31"),
    AfterValidator(day_in_range),
    Field(json_schema_extra={"pattern": DAY_PATTERN}),
]
# A write's date that may be left out: the service then takes today in the tenant's time
# zone (``auth.clock.tenant_today``), not the server's UTC day, which is yesterday for an
# Indian tenant between midnight and 05:30.
TODAY_IF_OMITTED = "left out or null: today in the tenant's time zone"
# A moment a client sends. With an offset (``Z``, ``+05:30``) it is kept in UTC (so a
# response reads the same as a later GET). Without one it is a local time: it stays naive
# through validation, and the service reads it in the tenant's zone with ``in_zone`` (the
# zone is the tenant's, known only once the request's tenant is). Naive moments keep a day
# clear of the calendar's edges, so every zone can show them.
_EARLIEST_LOCAL = datetime.combine(EARLIEST_DAY + timedelta(days=1), time.min)
_LATEST_LOCAL = datetime.combine(LATEST_DAY - timedelta(days=1), time.max)
MOMENT_DESCRIPTION = (
    "ISO 8601 date and time; with an offset (Z, +05:30) it is that moment, without one "
    "(2025-11-05T10:00:00) it is read in the tenant's time zone; answered in UTC"
)


def moment_or_local(value: datetime) -> datetime:
    """A zoned ``value`` in UTC (``moment_in_range``); a naive one as it is, if in range."""
    if value.tzinfo is not None and value.utcoffset() is not None:
        return moment_in_range(value)
    naive = value.replace(tzinfo=None)
    if not _EARLIEST_LOCAL <= naive <= _LATEST_LOCAL:
        raise ValueError(f"must be {_DAY_RANGE}")
    return naive


def in_zone(value: datetime, zone: tzinfo) -> datetime:
    """``value`` as a UTC moment: a naive (local) time is read in ``zone``."""
    if value.tzinfo is not None and value.utcoffset() is not None:
        return value.astimezone(UTC)
    return value.replace(tzinfo=zone).astimezone(UTC)


def zoned(values: dict[str, Any], zone: tzinfo) -> dict[str, Any]:
    """``values`` with every datetime in UTC, naive ones read in ``zone`` (a service's one
    step from a request's fields to what it stores and compares)."""
    return {
        name: in_zone(value, zone) if isinstance(value, datetime) else value
        for name, value in values.items()
    }


Moment = Annotated[
    datetime,
    _strict(_MOMENT_TEXT, datetime, "2025-11-05T10:00:00"),
    AfterValidator(moment_or_local),
    Field(description=MOMENT_DESCRIPTION, json_schema_extra={"pattern": MOMENT_PATTERN}),
]


def finite_json(value: Any, *, max_depth: int) -> None:
    """Refuse (``ValueError``) JSON nested deeper than ``max_depth``, numbers that are not
    finite (``1e400`` reads as infinity) and text with control characters, keys included.
    Walks without recursion, so a hostile depth cannot exhaust the stack."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth >= max_depth:
                raise ValueError(f"is nested more than {max_depth} levels deep")
            if isinstance(item, dict):
                for key in item:
                    printable(str(key))
                children = list(item.values())
            else:
                children = item
            stack.extend((child, depth + 1) for child in children)
        elif isinstance(item, float) and not math.isfinite(item):
            raise ValueError("numbers must be finite")
        elif isinstance(item, str):
            printable(item)


class InputModel(BaseModel):
    """Request bodies: unknown fields are refused, strings are trimmed."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class OutputModel(BaseModel):
    """Responses built straight from ORM rows."""

    model_config = ConfigDict(from_attributes=True)


def _two_places(value: Decimal) -> Decimal:
    """Answer with the amount as stored (``300`` comes back as ``300.00``; ``-0`` as
    ``0.00``)."""
    return value.quantize(Decimal("0.01")) + 0


_DECIMAL_TEXT = re.compile(r"-?([0-9]+(\.[0-9]+)?|\.[0-9]+)")


def _plain_decimal_text(value: Any) -> Any:
    """An amount sent as text is plain ASCII digits, as the schema's pattern says: Python's
    ``Decimal`` would also read ``1_000``, ``1e3``, `` 5 `` and other scripts' digits."""
    if isinstance(value, str) and not _DECIMAL_TEXT.fullmatch(value):
        raise ValueError("must be a plain decimal number, such as 1250.50")
    return _not_boolean(value)


PLAIN_DECIMAL = BeforeValidator(_plain_decimal_text)


def _decimal_json(number: dict[str, Any], text_pattern: str) -> WithJsonSchema:
    """An amount as a JSON number (two decimals at most) or as text of the same value.

    What pydantic would document (any string, a maximum rounded to ``1e16``) is wider
    than what is accepted; this says exactly what is: the number's bounds (the largest
    below the limit that a binary float still holds exactly) and the text's pattern.
    """
    return WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "multipleOf": 0.01, **number},
                {"type": "string", "pattern": text_pattern},
            ]
        },
        mode="validation",
    )


_MONEY_NUMBER_MAX = 9_999_999_999_999_998  # MAX_MONEY as the nearest float below it
Money = Annotated[
    Decimal,
    PLAIN_DECIMAL,
    Field(ge=0, le=MAX_MONEY, max_digits=18, decimal_places=2),
    AfterValidator(_two_places),
    _decimal_json({"minimum": 0, "maximum": _MONEY_NUMBER_MAX}, r"^[0-9]{1,16}(\.[0-9]{1,2})?$"),
]
PositiveMoney = Annotated[
    Decimal,
    PLAIN_DECIMAL,
    Field(gt=0, le=MAX_MONEY, max_digits=18, decimal_places=2),
    AfterValidator(_two_places),
    _decimal_json(
        {"exclusiveMinimum": 0, "maximum": _MONEY_NUMBER_MAX},
        r"^(0{0,15}[1-9][0-9]{0,15}(\.[0-9]{1,2})?|0{1,16}\.([1-9][0-9]?|0[1-9]))$",
    ),
]
# A balance: money that may be negative (a customer in credit).
SignedMoney = Annotated[
    Decimal,
    PLAIN_DECIMAL,
    Field(ge=-MAX_MONEY, le=MAX_MONEY, max_digits=18, decimal_places=2),
    _decimal_json(
        {"minimum": -_MONEY_NUMBER_MAX, "maximum": _MONEY_NUMBER_MAX},
        r"^-?[0-9]{1,16}(\.[0-9]{1,2})?$",
    ),
]
# A percentage with two decimals (expected ROI and the like).
Percent = Annotated[
    Decimal,
    PLAIN_DECIMAL,
    Field(ge=-100, le=100_000, max_digits=9, decimal_places=2),
    AfterValidator(_two_places),
    _decimal_json(
        {"minimum": -100, "maximum": 100_000},
        r"^(-([0-9]{1,2}(\.[0-9]{1,2})?|100(\.0{1,2})?)|[0-9]{1,5}(\.[0-9]{1,2})?|100000(\.0{1,2})?)$",
    ),
]
Name = Annotated[str, StringConstraints(min_length=1, max_length=200), PRINTABLE]
ShortText = Annotated[str, StringConstraints(max_length=200), PRINTABLE]
# What a list's ``q`` (and the like) may search for.
SearchText = Annotated[str, StringConstraints(max_length=200), PRINTABLE]
Code = Annotated[
    str, StringConstraints(min_length=1, max_length=50, pattern=r"^[A-Za-z0-9_.\-/]+$")
]
Notes = Annotated[str, StringConstraints(max_length=10_000), PRINTABLE]
# RFC 5321's limit; the columns hold 254 characters.
Email = Annotated[EmailStr, Field(max_length=254)]
Phone = Annotated[str, StringConstraints(max_length=40, pattern=r"^[0-9+()\-. ]*$")]


class UpdateModel(InputModel):
    """PATCH bodies: every field optional; ``NOT_NULL`` fields may be omitted but not nulled."""

    NOT_NULL: ClassVar[frozenset[str]] = frozenset()

    @model_validator(mode="after")
    def _no_nulls_for_required(self) -> UpdateModel:
        nulled = sorted(
            name
            for name in self.model_fields_set
            if name in self.NOT_NULL and getattr(self, name) is None
        )
        if nulled:
            raise ValueError(f"{', '.join(nulled)} may not be null")
        return self

    def changes(self) -> dict[str, Any]:
        return self.model_dump(exclude_unset=True)

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        """``NOT_NULL`` fields are documented without ``null`` (a null is refused)."""
        value = handler(schema)
        properties = handler.resolve_ref_schema(value).get("properties", {})
        for name in cls.NOT_NULL:
            field = cls.model_fields.get(name)
            prop = properties.get((field.alias if field else None) or name)
            if prop is None or "anyOf" not in prop:
                continue
            kept = [branch for branch in prop["anyOf"] if branch.get("type") != "null"]
            if len(kept) == 1:
                del prop["anyOf"]
                prop.update(kept[0])
            else:
                prop["anyOf"] = kept
        return value
