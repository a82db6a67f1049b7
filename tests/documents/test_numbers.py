"""Tax-document numbers: per series and Indian financial year, gap-free, given back on
rollback (both databases)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.orm import Session, sessionmaker

from salestrack.core.tenancy import tenant_transaction
from salestrack.documents.numbers import Series, financial_year, next_document_number
from tests.support import TenantWorld


@pytest.mark.parametrize(
    ("day", "year"),
    [
        (date(2026, 4, 1), "2026-27"),
        (date(2027, 3, 31), "2026-27"),
        (date(2027, 4, 1), "2027-28"),
        (date(2026, 1, 15), "2025-26"),
        (date(1999, 12, 31), "1999-00"),
    ],
)
def test_financial_year_runs_april_to_march(day: date, year: str) -> None:
    assert financial_year(day) == year


def _take(factory: sessionmaker[Session], world: TenantWorld, series: Series, on: date) -> str:
    with tenant_transaction(factory, world.tenant_id) as session:
        return next_document_number(session, tenant_id=world.tenant_id, series=series, on=on)


def test_each_series_and_year_counts_on_its_own(
    world: TenantWorld, session_factory: sessionmaker[Session]
) -> None:
    march, april = date(2027, 3, 31), date(2027, 4, 1)
    taken = [
        _take(session_factory, world, Series.demand, march),
        _take(session_factory, world, Series.demand, march),
        _take(session_factory, world, Series.receipt, march),
        _take(session_factory, world, Series.demand, april),
        _take(session_factory, world, Series.demand, march),
    ]
    assert taken == [
        "INV/2026-27/000001",
        "INV/2026-27/000002",
        "RCT/2026-27/000001",
        "INV/2027-28/000001",
        "INV/2026-27/000003",
    ]


def test_a_rolled_back_number_is_given_to_the_next_document(
    world: TenantWorld, session_factory: sessionmaker[Session]
) -> None:
    on = date(2026, 11, 5)
    assert _take(session_factory, world, Series.quotation, on) == "QUO/2026-27/000001"
    taken: list[str] = []

    def issue_and_fail() -> None:
        with tenant_transaction(session_factory, world.tenant_id) as session:
            taken.append(
                next_document_number(
                    session, tenant_id=world.tenant_id, series=Series.quotation, on=on
                )
            )
            raise RuntimeError("the document could not be issued")

    with pytest.raises(RuntimeError):
        issue_and_fail()
    assert taken == ["QUO/2026-27/000002"]
    assert _take(session_factory, world, Series.quotation, on) == "QUO/2026-27/000002"


def test_tenants_number_apart(
    world: TenantWorld, other_world: TenantWorld, session_factory: sessionmaker[Session]
) -> None:
    on = date(2026, 11, 5)
    assert _take(session_factory, world, Series.credit_note, on) == "CN/2026-27/000001"
    assert _take(session_factory, other_world, Series.credit_note, on) == "CN/2026-27/000001"
    assert _take(session_factory, world, Series.debit_note, on) == "DN/2026-27/000001"
