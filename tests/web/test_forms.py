"""Posted strings to service input: blanks, amounts and odd input never become a 500."""

from __future__ import annotations

import contextlib
from typing import cast

import pytest
from sqlalchemy.orm import Session

from salestrack.core.errors import Conflict, NotFound, ProblemError, Unprocessable
from salestrack.leads.schemas import LeadCreate, LeadUpdate
from salestrack.web.kit.filters import LocaleFormat
from salestrack.web.kit.forms import FORM, Blank, FormResult, attempt, validate_form

INDIA = LocaleFormat()
CREATE = {"name": Blank.REQUIRED, "email": None, "expected_value": None, "status": Blank.OMIT}


def test_blanks_mean_what_the_form_says() -> None:
    result = validate_form(
        LeadCreate,
        {"name": "  Asha  ", "email": "", "expected_value": " 45,00,000 "},
        blanks=CREATE,
        fmt=INDIA,
        amounts=frozenset({"expected_value"}),
    )
    assert result.ok
    assert result.model is not None
    assert result.model.name == "Asha"
    assert result.model.email is None
    assert str(result.model.expected_value) == "4500000.00"
    assert result.model.status == "new"  # omitted: the schema's default


@pytest.mark.parametrize("amount", ["NaN", "Infinity", "1e40", "-1", "12.345", "1,2,3,4x"])
def test_odd_amounts_are_field_errors(amount: str) -> None:
    result = validate_form(
        LeadCreate,
        {"name": "Asha", "expected_value": amount},
        blanks=CREATE,
        fmt=INDIA,
        amounts=frozenset({"expected_value"}),
    )
    assert not result.ok
    assert set(result.errors) == {"expected_value"}
    assert result.values["expected_value"] == amount


def test_fields_not_on_the_form_are_ignored_and_nulls_refused() -> None:
    result = validate_form(
        LeadUpdate,
        {"name": "Asha", "tenant_id": "x", "status": "bogus"},
        blanks={"name": Blank.REQUIRED, "status": Blank.REQUIRED},
        fmt=INDIA,
    )
    assert set(result.errors) == {"status"}
    nulled = validate_form(LeadUpdate, {}, blanks={"lead_date": None}, fmt=INDIA)
    assert nulled.errors == {FORM: "Lead_date may not be null"}


class _NoSavepoint:
    """Enough of a session for ``attempt``: its savepoint does nothing."""

    def begin_nested(self) -> contextlib.AbstractContextManager[None]:
        return contextlib.nullcontext()


def _refused(error: ProblemError, fields: set[str], **aliases: str) -> dict[str, str]:
    def refuse() -> None:
        raise error

    result: FormResult[LeadCreate] = FormResult({})
    session = cast(Session, _NoSavepoint())
    assert attempt(session, refuse, result, fields, aliases=aliases) is None
    return result.errors


def test_service_errors_land_on_the_field_they_name() -> None:
    fields = {"source_id", "lead_code", "end_date", "booking_id"}
    refused = Unprocessable("source_id: no lead_source 1 in this tenant", field="source_id")
    assert _refused(refused, fields) == {"source_id": "Source_id: no lead_source 1 in this tenant"}
    taken = Conflict("lead_code 'X' is already used in this tenant", field="lead_code")
    assert set(_refused(taken, fields)) == {"lead_code"}
    # The text is never read: a message that starts like a field but names none stays on top.
    assert set(_refused(Unprocessable("end_date may not be before start_date"), fields)) == {FORM}
    assert set(_refused(Conflict("only 2 units left", field="unit_count"), fields)) == {FORM}
    reference = Unprocessable("no booking 1", field="reference_document_id")
    assert set(_refused(reference, fields, reference_document_id="booking_id")) == {"booking_id"}


def test_not_found_is_not_a_form_error() -> None:
    with pytest.raises(NotFound):
        _refused(NotFound("lead 1 not found", field="lead_id"), {"lead_id"})
