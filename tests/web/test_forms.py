"""Posted strings to service input: blanks, amounts and odd input never become a 500."""

from __future__ import annotations

import pytest

from salestrack.leads.schemas import LeadCreate, LeadUpdate
from salestrack.web.kit.filters import LocaleFormat
from salestrack.web.kit.forms import FORM, Blank, field_of, validate_form

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


def test_service_messages_land_on_their_field() -> None:
    fields = {"source_id": None, "lead_code": None, "end_date": None}
    assert field_of("source_id: no lead_source 1 in this tenant", fields) == "source_id"
    assert field_of("lead_code 'X' is already used in this tenant", fields) == "lead_code"
    assert field_of("end_date may not be before start_date", fields) == "end_date"
    assert field_of("something else went wrong", fields) == FORM
