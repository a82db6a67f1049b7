"""Report periods are real calendar ranges: absurd dates are a 422, never a 500."""

from __future__ import annotations

from datetime import date

import pytest

from salestrack.reports.common import previous
from tests.support import ApiClient


@pytest.mark.parametrize("params", [{"from": "4969-12-30"}, {"to": "0001-01-01"}])
def test_dates_outside_the_supported_range_are_422(api: ApiClient, params: dict[str, str]) -> None:
    response = api.get("/api/v1/sales/reports/dashboard", params=params)
    assert response.status_code == 422
    assert response.json()["detail"]


def test_the_previous_period_is_as_long_and_just_before() -> None:
    assert previous(date(2025, 11, 1), date(2025, 11, 30)) == (
        date(2025, 10, 2),
        date(2025, 10, 31),
    )
