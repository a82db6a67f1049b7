"""Hostile import files: control characters are row problems, an oversize cell or line
refuses the file, one buyer's phone written three ways in one batch is one buyer, and a
bad row in the middle of a multi-batch file under "all or nothing" writes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from salestrack.leads.import_files import BadImportFile
from tests.leads.test_import import _names, _run
from tests.support import TenantWorld


def test_control_characters_are_row_problems_and_nothing_is_written(
    world: TenantWorld, session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    path = tmp_path / "leads.csv"
    path.write_text(
        "name,company,notes\n"
        "Asha Rao,Infosys,fine\n"
        "Esc\x1bape,,\n"
        "Bala,Bell\x07 Corp,\n"
        "Del,,del\x7f\n"
        "Tab\tis fine,,line\u2028sep \u202eRTL\n",
        encoding="utf-8",
    )
    report = _run(session_factory, world, path)
    assert [p.row for p in report.problems] == [3, 4, 5]
    assert all("control characters" in p.message for p in report.problems)
    assert report.created == 0
    assert _names(world) == []
    only_valid = _run(session_factory, world, path, valid_rows_only=True)
    assert only_valid.created == 2
    assert _names(world) == ["Asha Rao", "Tab\tis fine"]


@pytest.mark.parametrize("size", [200 * 1024, 1024 * 1024, 1024 * 1024 + 10])
def test_an_oversize_cell_refuses_the_file_unwritten(
    world: TenantWorld, session_factory: sessionmaker[Session], tmp_path: Path, size: int
) -> None:
    path = tmp_path / "big.csv"
    path.write_text(f"name,notes\nFirst,ok\nSecond,{'x' * size}\nThird,ok\n", encoding="utf-8")
    with pytest.raises(BadImportFile) as refused:
        _run(session_factory, world, path, valid_rows_only=True)
    assert refused.value.status == 422
    assert "line 3" in refused.value.detail
    assert _names(world) == []


@pytest.mark.parametrize("duplicates", ["reject", "merge"])
def test_one_phone_written_three_ways_in_one_batch_is_one_buyer(
    world: TenantWorld, session_factory: sessionmaker[Session], tmp_path: Path, duplicates: str
) -> None:
    path = tmp_path / "dupes.csv"
    path.write_text(
        "name,phone,email\n"
        "Asha Rao,+91 98450 12345,\n"
        "Asha R,098450-12345,\n"
        "A. Rao,(984) 501-2345,\n"
        "Ravi,,ravi@example.com\n"
        "Ravi K,,RAVI@Example.COM\n",
        encoding="utf-8",
    )
    report = _run(session_factory, world, path, duplicates=duplicates)
    if duplicates == "reject":
        assert [p.row for p in report.problems] == [3, 4, 6]
        assert report.created == 0
        assert _names(world) == []
    else:
        assert report.problems == []
        assert report.created == 2
        assert [r.row for r in report.reenquiries] == [3, 4, 6]
        assert _names(world) == ["Asha Rao", "Ravi"]


def test_a_bad_row_in_the_middle_of_many_batches_writes_nothing(
    world: TenantWorld, session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    rows = [f"Lead {n:02d},{n * 1000}" for n in range(1, 21)]
    rows[9] = "Lead 10,-5"  # row 11 of the file
    path = tmp_path / "many.csv"
    path.write_text("name,expected_value\n" + "\n".join(rows) + "\n", encoding="utf-8")
    report = _run(session_factory, world, path, batch_rows=3)
    assert [p.row for p in report.problems] == [11]
    assert (report.created, report.batches, report.last_row_written) == (0, 0, None)
    assert _names(world) == []
