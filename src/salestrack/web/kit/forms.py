"""From a posted HTML form to a service's input model, with errors beside each field.

A form posts strings. Here blanks become "not given" (or a null, or an error), amounts are
read the tenant's way, and Pydantic's and the services' complaints are attached to the
field they are about, so the page can show them next to it and keep what was typed.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from salestrack.core.errors import Conflict, Unprocessable
from salestrack.web.kit.filters import LocaleFormat

ModelT = TypeVar("ModelT", bound=BaseModel)
DoneT = TypeVar("DoneT")
FORM = "__form__"  # errors about the whole form rather than one field


class Blank:
    """What an empty field means: leave it out, send a value (None, ""), or refuse."""

    OMIT: Any = object()
    REQUIRED: Any = object()


@dataclass
class FormResult(Generic[ModelT]):
    values: dict[str, str]
    model: ModelT | None = None
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.model is not None and not self.errors


def _message(error: Mapping[str, Any]) -> str:
    text = str(error.get("msg", "is not valid"))
    for prefix in ("Value error, ", "Assertion failed, "):
        text = text.removeprefix(prefix)
    return text[:1].upper() + text[1:]


def validate_form(
    schema: type[ModelT],
    raw: Mapping[str, str],
    *,
    blanks: Mapping[str, Any],
    fmt: LocaleFormat,
    amounts: frozenset[str] = frozenset(),
) -> FormResult[ModelT]:
    """Check ``raw`` against ``schema``; only the fields named in ``blanks`` are read."""
    values = {name: raw.get(name, "").strip() for name in blanks}
    data: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name, blank in blanks.items():
        text = values[name]
        if text == "":
            if blank is Blank.REQUIRED:
                errors[name] = "This field is required."
            elif blank is not Blank.OMIT:
                data[name] = blank
            continue
        if name in amounts:
            try:
                data[name] = fmt.parse_amount(text)
            except ValueError:
                errors[name] = "Enter an amount, for example 45,00,000 or 1250.50."
            continue
        data[name] = text
    try:
        model = schema.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            loc = error.get("loc") or ()
            name = str(loc[0]) if loc and str(loc[0]) in blanks else FORM
            errors.setdefault(name, _message(error))
        return FormResult(values, None, errors)
    return FormResult(values, None if errors else model, errors)


@contextmanager
def _savepoint(session: Session) -> Iterator[None]:
    with session.begin_nested():
        yield


def attempt(
    session: Session,
    action: Callable[[], Any],
    result: FormResult[Any],
    fields: Collection[str],
    *,
    aliases: Mapping[str, str] | None = None,
) -> Any:
    """Run a service call in a savepoint; a refusal becomes a field error, undone in full.

    The error lands beside the field it names (``exc.field``, renamed by ``aliases`` where
    the form calls it otherwise) when the form has that field, else at the top of the form.
    Only input refusals (422, 409) land on the form; not found and forbidden still raise.
    """
    try:
        with _savepoint(session):
            return action()
    except (Unprocessable, Conflict) as exc:
        name = (aliases or {}).get(exc.field or "", exc.field)
        where = name if name is not None and name in fields else FORM
        result.errors[where] = exc.detail[:1].upper() + exc.detail[1:]
        return None


def submit(
    session: Session,
    result: FormResult[ModelT],
    action: Callable[[ModelT], DoneT],
    fields: Collection[str],
    *,
    aliases: Mapping[str, str] | None = None,
) -> DoneT | None:
    """``action(model)`` through ``attempt`` when the form validated; None when it did not
    (its errors are already on ``result``) or when the service refused it (now on ``result``)."""
    model = result.model
    if model is None:
        return None
    done: DoneT | None = attempt(session, lambda: action(model), result, fields, aliases=aliases)
    return done


def submit_form(
    session: Session,
    schema: type[ModelT],
    raw: Mapping[str, str],
    action: Callable[[ModelT], DoneT],
    *,
    blanks: Mapping[str, Any],
    fmt: LocaleFormat,
    amounts: frozenset[str] = frozenset(),
) -> tuple[FormResult[ModelT], DoneT | None]:
    """A posted form read against ``schema`` and, when valid, saved by ``action(model)``.

    Returns the form (what was typed, the errors) and what ``action`` returned, None when
    the form or the service refused it. A service refusal naming one of the form's fields
    (``blanks``) lands beside it.
    """
    result = validate_form(schema, raw, blanks=blanks, fmt=fmt, amounts=amounts)
    return result, submit(session, result, action, blanks)
