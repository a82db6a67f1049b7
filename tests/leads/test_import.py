"""The lead import engine: rows through the lead service, checked first, written in batches
of steady cost, all rows or none (or the valid ones when asked), and a failure part-way
reported with what was written and where to resume."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from sqlalchemy import event
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from salestrack.auth.context import system_actor
from salestrack.leads import service
from salestrack.leads.import_files import BadImportFile, ImportLimits
from salestrack.leads.importer import (
    BatchWritten,
    ImportEvent,
    ImportInterrupted,
    ImportOptions,
    ImportReport,
    Progress,
    run_import,
)
from tests.support import TenantWorld

HEADER = "name,company,status,lead_date,expected_value,source,campaign,assigned_to\n"
LIMITS = ImportLimits(max_bytes=10_000_000, max_rows=10_000, max_expanded_bytes=50_000_000)


def _setup(world: TenantWorld) -> None:
    world.admin.ok(
        "POST",
        "/api/v1/sales/campaigns",
        201,
        json={
            "campaign_code": "Q4-EMAIL",
            "campaign_name": "Q4 Email Blast",
            "campaign_type": "email",
        },
    )
    world.admin.ok(
        "POST",
        "/api/v1/sales/lead-sources",
        201,
        json={"source_type": "website", "subsource_name": "Google Ads", "channel": "Paid Search"},
    )


def _events(
    factory: sessionmaker[Session], world: TenantWorld, path: Path, **options: Any
) -> list[ImportEvent]:
    with path.open("rb") as stream:
        return list(
            run_import(
                factory,
                actor=system_actor(world.tenant_id, world.slug),
                stream=stream,
                filename=path.name,
                options=ImportOptions(limits=LIMITS, **options),
            )
        )


def _run(
    factory: sessionmaker[Session], world: TenantWorld, path: Path, **options: Any
) -> ImportReport:
    report = _events(factory, world, path, **options)[-1]
    assert isinstance(report, ImportReport)
    return report


def _names(world: TenantWorld) -> list[str]:
    items = world.admin.ok("GET", "/api/v1/sales/leads", params={"limit": 100})["items"]
    return sorted(lead["name"] for lead in items)


def test_csv_rows_become_leads_with_their_references(
    world: TenantWorld, session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    _setup(world)
    path = tmp_path / "leads.csv"
    path.write_bytes(
        b"\xef\xbb\xbf"  # a BOM, as Excel's "CSV UTF-8" writes it
        + (
            HEADER
            + "Asha Rao,Infosys,qualified,2025-03-14,4500000,google ads,Q4-EMAIL,"
            + f"{world.rep.email}\n"
            + "Bala Iyer,,,,,,,\n"
            + ",,,,,,,\n"
        ).encode()
    )
    report = _run(session_factory, world, path)
    assert (report.rows, report.created, report.problems) == (2, 2, [])
    leads = world.admin.ok("GET", "/api/v1/sales/leads")["items"]
    by_name = {lead["name"]: lead for lead in leads}
    assert set(by_name) == {"Asha Rao", "Bala Iyer"}
    asha = by_name["Asha Rao"]
    assert (asha["status"], asha["lead_date"], asha["expected_value"]) == (
        "qualified",
        "2025-03-14",
        "4500000.00",
    )
    assert asha["assigned_to"] == str(world.rep.user_id)
    assert asha["source_id"] is not None
    assert asha["campaign_id"] is not None
    assert by_name["Bala Iyer"]["status"] == "new"


def test_one_bad_row_imports_nothing_and_names_every_problem(
    world: TenantWorld, session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    _setup(world)
    path = tmp_path / "leads.csv"
    path.write_text(
        HEADER
        + "Good Lead,,,,,,,\n"
        + "Bad Status,,won,,,,,\n"
        + "Bad Source,,,,,Carrier Pigeon,,\n"
        + "Bad Money,,,,-5,,,\n",
        encoding="utf-8",
    )
    report = _run(session_factory, world, path)
    problems = [str(p) for p in report.problems]
    assert [p.split(":")[0] for p in problems] == ["row 3", "row 4", "row 5"]
    assert "status" in problems[0]
    assert "source: no match for 'Carrier Pigeon'" in problems[1]
    assert report.created == 0
    assert _names(world) == []

    only_valid = _run(session_factory, world, path, valid_rows_only=True)
    assert (only_valid.created, len(only_valid.problems)) == (1, 3)
    assert _names(world) == ["Good Lead"]


def test_lead_codes_are_checked_before_anything_is_written(
    world: TenantWorld, session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    world.admin.ok("POST", "/api/v1/sales/leads", 201, json={"name": "Old", "lead_code": "L-1"})
    path = tmp_path / "codes.csv"
    path.write_text("name,lead_code\nA,L-2\nB,L-2\nC,L-1\n", encoding="utf-8")
    report = _run(session_factory, world, path)
    assert [str(p) for p in report.problems] == [
        "row 3: lead_code 'L-2' appears twice in the file",
        "row 4: lead_code 'L-1' is already used in this tenant",
    ]
    assert _names(world) == ["Old"]


def test_xlsx_cells_read_as_typed_and_unknown_columns_refuse_the_file(
    world: TenantWorld, session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    from datetime import datetime

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Name", "Company", "Expected_Value", "Lead_Date", "Phone"])
    sheet.append(["Chitra Menon", "Bosch", 7500000.0, datetime(2025, 3, 14), 9876543210])
    workbook.save(tmp_path / "leads.xlsx")
    assert _run(session_factory, world, tmp_path / "leads.xlsx").created == 1
    lead = world.admin.ok("GET", "/api/v1/sales/leads")["items"][0]
    assert (lead["name"], lead["expected_value"], lead["lead_date"], lead["phone"]) == (
        "Chitra Menon",
        "7500000.00",
        "2025-03-14",
        "9876543210",
    )

    (tmp_path / "odd.csv").write_text("name,favourite_colour\nX,blue\n", encoding="utf-8")
    with pytest.raises(BadImportFile, match="unknown columns: favourite_colour"):
        _run(session_factory, world, tmp_path / "odd.csv")


def _many(path: Path, count: int) -> Path:
    path.write_text(
        "name,company,lead_date\n"
        + "".join(f"Lead {n},Company {n % 7},2025-03-14\n" for n in range(count)),
        encoding="utf-8",
    )
    return path


def test_batches_are_short_transactions_of_steady_cost(
    world: TenantWorld, session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    """Each batch is its own transaction of at most ``batch_rows`` rows, and runs the same
    number of statements as the one before: no query grows with the rows already written."""
    events = _events(
        session_factory, world, _many(tmp_path / "many.csv", 300), batch_rows=50, batch_seconds=60
    )
    batches = [e for e in events if isinstance(e, BatchWritten)]
    assert [(b.first_row, b.last_row, b.created) for b in batches] == [
        (2 + 50 * n, 51 + 50 * n, 50) for n in range(6)
    ]
    later = {b.statements for b in batches[1:]}
    assert len(later) == 1, [b.statements for b in batches]
    report = events[-1]
    assert isinstance(report, ImportReport)
    assert (report.created, report.batches, report.last_row_written) == (300, 6, 301)
    dashboard = world.admin.ok(
        "GET", "/api/v1/sales/reports/dashboard", params={"from": "2025-03-01", "to": "2025-03-31"}
    )
    assert dashboard["kpis"]["total_leads"]["value"] == 300


def test_a_failure_part_way_says_what_was_written_and_the_rest_can_follow(
    world: TenantWorld,
    session_factory: sessionmaker[Session],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = _many(tmp_path / "many.csv", 120)
    real = service.create_lead
    calls = {"n": 0}

    def failing(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 75:
            raise OperationalError("INSERT", {}, Exception("server closed the connection"))
        return real(*args, **kwargs)

    monkeypatch.setattr(service, "create_lead", failing)
    with pytest.raises(ImportInterrupted) as stopped:
        _run(session_factory, world, path, batch_rows=50, batch_seconds=60)
    assert stopped.value.resume_row == 52
    assert stopped.value.report.created == 50
    assert "50 leads were imported (rows up to 51)" in stopped.value.detail
    assert "run it again from row 52" in stopped.value.detail
    assert len(world.admin.ok("GET", "/api/v1/sales/leads", params={"limit": 100})["items"]) == 50

    monkeypatch.setattr(service, "create_lead", real)
    rest = _run(session_factory, world, path, from_row=stopped.value.resume_row)
    assert rest.created == 70
    dashboard = world.admin.ok(
        "GET", "/api/v1/sales/reports/dashboard", params={"from": "2025-03-01", "to": "2025-03-31"}
    )
    assert dashboard["kpis"]["total_leads"]["value"] == 120


def test_rows_of_an_open_leads_buyer_are_re_enquiries_under_merge(
    world: TenantWorld, session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    existing = world.admin.ok(
        "POST", "/api/v1/sales/leads", 201, json={"name": "Asha R", "email": "asha@example.com"}
    )
    path = tmp_path / "again.csv"
    path.write_text(
        "name,email,phone\n"
        "Asha Rao,ASHA@example.com,\n"  # the open lead's buyer
        "Bala,bala@example.com,+91 98100 00301\n"
        "Bala Iyer,,098100 00301\n",  # the buyer of the row before, by phone
        encoding="utf-8",
    )
    report = _run(session_factory, world, path, duplicates="merge")
    assert report.created == 1
    bala = next(
        lead
        for lead in world.admin.ok("GET", "/api/v1/sales/leads")["items"]
        if lead["name"] == "Bala"
    )
    assert [(r.row, r.lead_code) for r in report.reenquiries] == [
        (2, existing["lead_code"]),
        (4, bala["lead_code"]),
    ]
    assert _names(world) == ["Asha R", "Bala"]


def test_under_reject_duplicates_are_row_problems_found_before_writing(
    world: TenantWorld, session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    world.admin.ok("PUT", "/api/v1/sales/capture-settings", json={"duplicate_policy": "reject"})
    existing = world.admin.ok(
        "POST", "/api/v1/sales/leads", 201, json={"name": "Asha R", "phone": "+91 98100 00401"}
    )
    path = tmp_path / "again.csv"
    path.write_text(
        "name,email,phone\n"
        "Asha Rao,,+91 98100 00401\n"
        "Bala,bala@example.com,\n"
        "Bala Iyer,Bala@Example.com,\n"
        "Chitra,,\n",
        encoding="utf-8",
    )
    report = _run(session_factory, world, path)  # the tenant's policy
    assert report.duplicates == "reject"
    assert [str(p) for p in report.problems] == [
        f"row 2: lead {existing['lead_code']} already has this phone or e-mail "
        "(duplicates are refused)",
        "row 4: same phone or e-mail as row 3 (duplicates are refused)",
    ]
    assert _names(world) == ["Asha R"]
    report = _run(session_factory, world, path, valid_rows_only=True)
    assert report.created == 2
    assert _names(world) == ["Asha R", "Bala", "Chitra"]


def _mixed(path: Path, world: TenantWorld, count: int, start: int) -> Path:
    """``count`` new buyers with every column the import reads: phones and e-mails (the
    duplicate rule looks them up), source, campaign, and an owner for every other row."""
    lines = [
        f"Buyer {n},Company {n % 7},new,2025-03-14,{1000 + n},google ads,Q4-EMAIL,"
        f"{world.rep.email if n % 2 else ''},+91 98111 {n:05d},buyer{n}@example.com\n"
        for n in range(start, start + count)
    ]
    path.write_text(HEADER.rstrip("\n") + ",phone,email\n" + "".join(lines), encoding="utf-8")
    return path


def test_a_batch_runs_the_same_statements_whatever_its_size(
    world: TenantWorld, session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    """A batch of 40 rows runs no more statements than a batch of 5: the leads, their
    milestones, history, audit entries and summaries are written and read for the whole
    batch at once (counted as the database driver sees them)."""
    _setup(world)
    engine = session_factory.kw["bind"]
    me = threading.get_ident()
    counted = {"n": 0}

    def count(*_args: Any) -> None:
        if threading.get_ident() == me:
            counted["n"] += 1

    def one_batch(path: Path, rows: int) -> int:
        """Statements between the end of the check and the batch's report."""
        with path.open("rb") as stream:
            events = run_import(
                session_factory,
                actor=system_actor(world.tenant_id, world.slug),
                stream=stream,
                filename=path.name,
                options=ImportOptions(limits=LIMITS, batch_rows=rows, batch_seconds=600),
            )
            start = None
            for item in events:
                if isinstance(item, Progress) and item.phase == "check":
                    start = counted["n"]
                elif isinstance(item, BatchWritten):
                    assert start is not None
                    assert item.created == rows
                    return counted["n"] - start
        raise AssertionError("no batch was written")

    event.listen(engine, "before_cursor_execute", count)
    try:
        one_batch(_mixed(tmp_path / "warm.csv", world, 5, 0), 5)  # first codes, first rows
        small = one_batch(_mixed(tmp_path / "small.csv", world, 5, 100), 5)
        large = one_batch(_mixed(tmp_path / "large.csv", world, 40, 200), 40)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert large == small, (small, large)
    leads = world.admin.ok("GET", "/api/v1/sales/leads", params={"limit": 100})["items"]
    assert len(leads) == 50
    owned = [lead for lead in leads if lead["assigned_to"] == str(world.rep.user_id)]
    assert len(owned) == 2 + 2 + 20
    dashboard = world.admin.ok(
        "GET", "/api/v1/sales/reports/dashboard", params={"from": "2025-03-01", "to": "2025-03-31"}
    )
    assert dashboard["kpis"]["total_leads"]["value"] == 50


def test_a_batch_cut_short_by_time_leaves_its_other_rows_to_the_next(
    world: TenantWorld, session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    """A batch past ``batch_seconds`` commits what it wrote; the rows it took but did not
    write open the next batch, in order, none lost or written twice."""
    events = _events(
        session_factory, world, _many(tmp_path / "many.csv", 7), batch_rows=5, batch_seconds=0
    )
    batches = [(e.first_row, e.last_row, e.created) for e in events if isinstance(e, BatchWritten)]
    assert batches == [(n, n, 1) for n in range(2, 9)]
    assert _names(world) == sorted(f"Lead {n}" for n in range(7))
