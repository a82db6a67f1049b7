"""Importing leads from CSV and Excel: everything through the service, all rows or none."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import Workbook
from salestrack.core.tenancy import tenant_transaction
from sqlalchemy.orm import Session, sessionmaker

from salestrack.auth.context import system_actor
from salestrack.leads.importer import import_leads, read_rows
from tests.support import TenantWorld

HEADER = "name,company,status,lead_date,expected_value,source,campaign,assigned_to\n"


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


def _run(factory: sessionmaker[Session], world: TenantWorld, path: Path) -> list[str]:
    with tenant_transaction(factory, world.tenant_id) as session:
        report = import_leads(
            session, actor=system_actor(world.tenant_id, world.slug), rows=read_rows(path)
        )
        if report.problems:
            session.rollback()
        return report.problems


def test_csv_rows_become_leads_with_their_references(
    world: TenantWorld, session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    _setup(world)
    path = tmp_path / "leads.csv"
    path.write_text(
        HEADER
        + f"Asha Rao,Infosys,qualified,2025-03-14,4500000,google ads,Q4-EMAIL,{world.rep.email}\n"
        + "Bala Iyer,,,,,,,\n",
        encoding="utf-8",
    )
    assert _run(session_factory, world, path) == []
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
    problems = _run(session_factory, world, path)
    assert [p.split(":")[0] for p in problems] == ["row 3", "row 4", "row 5"]
    assert "status" in problems[0]
    assert "source: no match for 'Carrier Pigeon'" in problems[1]
    assert world.admin.ok("GET", "/api/v1/sales/leads")["items"] == []


def test_xlsx_and_unknown_columns(
    world: TenantWorld, session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Name", "Company", "Expected_Value"])
    sheet.append(["Chitra Menon", "Bosch", 7500000])
    workbook.save(tmp_path / "leads.xlsx")
    assert _run(session_factory, world, tmp_path / "leads.xlsx") == []
    lead = world.admin.ok("GET", "/api/v1/sales/leads")["items"][0]
    assert (lead["name"], lead["expected_value"]) == ("Chitra Menon", "7500000.00")

    (tmp_path / "odd.csv").write_text("name,favourite_colour\nX,blue\n", encoding="utf-8")
    assert _run(session_factory, world, tmp_path / "odd.csv") == [
        "unknown columns: favourite_colour"
    ]


def test_the_command_reports_and_refuses(
    world: TenantWorld, tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from salestrack.core.config import get_settings

    from salestrack.cli import main

    monkeypatch.setenv("SALESTRACK_DATABASE_URL", database_url)
    monkeypatch.setenv("SALESTRACK_ARGON2_TIME_COST", "1")
    monkeypatch.setenv("SALESTRACK_ARGON2_MEMORY_KIB", "1024")
    monkeypatch.setenv("SALESTRACK_ARGON2_PARALLELISM", "1")
    get_settings.cache_clear()
    try:
        (tmp_path / "bad.csv").write_text("name,status\nX,won\n", encoding="utf-8")
        refused = CliRunner().invoke(
            main, ["import-leads", "--tenant", world.slug, str(tmp_path / "bad.csv")]
        )
        assert refused.exit_code != 0
        assert "nothing imported: 1 problem(s) in 1 rows" in refused.output
        (tmp_path / "ok.csv").write_text("name\nDivya Das\n", encoding="utf-8")
        done = CliRunner().invoke(
            main, ["import-leads", "--tenant", world.slug, str(tmp_path / "ok.csv")]
        )
        assert done.exit_code == 0, done.output
        assert f"imported 1 leads into {world.slug}" in done.output
    finally:
        get_settings.cache_clear()
    assert [lead["name"] for lead in world.admin.ok("GET", "/api/v1/sales/leads")["items"]] == [
        "Divya Das"
    ]
