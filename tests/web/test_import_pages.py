"""The web import: upload, mapping with a preview, bad rows (nothing written, or the valid
rows only), duplicates under the tenant's policy, the size limit, the errors as CSV, and
another tenant kept out."""

from __future__ import annotations

import io
import re
import time
from typing import Any

import httpx2 as httpx
import pytest
from fastapi import FastAPI
from openpyxl import Workbook
from sqlalchemy import Engine

from salestrack.app import create_app
from salestrack.core.config import Settings
from salestrack.leads import import_runs
from tests.support import TenantWorld
from tests.web.support import WebClient, browser, logged_in, text_of

LEADS = "/api/v1/sales/leads"
# Headers as another CRM exports them: the mapping is guessed from these.
FILE = (
    "Full Name,Mobile,E-mail,Lead Date,Budget,Remarks\n"
    "Asha Rao,+91 98100 00101,asha@example.com,2026-01-05,4500000,first\n"
    "Bala Iyer,+91 98100 00102,,2026-01-06,not a number,second\n"
    "Chitra,,chitra@example.com,2026-13-40,,third\n"
    "Dev Menon,+91 98100 00104,dev@example.com,2026-01-08,,fourth\n"
)


def _upload(web: WebClient, name: str, body: bytes) -> httpx.Response:
    web.get("/imports")
    return web.post(
        "/imports/upload", files={"file": (name, body, "text/csv")}, follow_redirects=True
    )


def _import_id(page: httpx.Response) -> str:
    found = re.search(r"/imports/([0-9a-f-]{36})", str(page.url))
    assert found, page.url
    return found.group(1)


def _start(web: WebClient, import_id: str, **choices: str) -> httpx.Response:
    """Submit the mapping form as the page guessed it, with ``choices`` on top."""
    page = web.get(f"/imports/{import_id}")
    selected = re.findall(
        r'<select id="map-\d+" name="(map:[^"]*)">(.*?)</select>', page.text, re.S
    )
    form = {}
    for name, options in selected:
        chosen = re.search(r'<option value="([^"]*)" selected>', options)
        form[name] = chosen.group(1) if chosen else ""
    form.update(choices)
    return web.post(f"/imports/{import_id}/start", form, follow_redirects=True)


def _finished(web: WebClient, import_id: str) -> httpx.Response:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        page = web.get(f"/imports/{import_id}")
        if 'data-status="running"' not in page.text:
            return page
        time.sleep(0.1)
    raise AssertionError("the import did not finish")


def _names(world: TenantWorld) -> list[str]:
    items = world.admin.ok("GET", LEADS, params={"limit": 100})["items"]
    return sorted(lead["name"] for lead in items)


def test_bad_rows_are_listed_and_nothing_is_written(
    admin_web: WebClient, world: TenantWorld
) -> None:
    page = _upload(admin_web, "crm.csv", FILE.encode())
    assert page.status_code == 200
    import_id = _import_id(page)
    preview = text_of(page)
    assert "Asha Rao" in preview
    assert "Dev Menon" in preview
    assert re.search(r'name="map:full name">.*?value="name" selected', page.text, re.S)
    assert re.search(r'name="map:budget">.*?value="expected_value" selected', page.text, re.S)
    done = _start(admin_web, import_id, bad_rows="nothing", duplicates="merge")
    done = _finished(admin_web, import_id)
    text = text_of(done)
    assert "Nothing was imported" in text
    assert "2 of 4 rows have problems" in text
    assert re.search(r"3 expected_value: .*", text)  # row 3, the user's line number
    assert _names(world) == []
    csv_file = admin_web.get(f"/imports/{import_id}/problems.csv")
    assert csv_file.status_code == 200
    assert csv_file.headers["content-type"].startswith("text/csv")
    lines = csv_file.text.strip().splitlines()
    assert lines[0] == "row,problem"
    assert [line.split(",")[0] for line in lines[1:]] == ["3", "4"]


def test_valid_rows_only_imports_the_good_rows(admin_web: WebClient, world: TenantWorld) -> None:
    import_id = _import_id(_upload(admin_web, "crm.csv", FILE.encode()))
    _start(admin_web, import_id, bad_rows="valid_rows_only", duplicates="merge")
    text = text_of(_finished(admin_web, import_id))
    assert "Imported: 2 new leads; 2 rows skipped" in text
    assert _names(world) == ["Asha Rao", "Dev Menon"]
    asha = next(
        lead for lead in world.admin.ok("GET", LEADS)["items"] if lead["name"] == "Asha Rao"
    )
    assert asha["expected_value"] in ("4500000.00", "4500000")
    milestones = world.admin.ok("GET", f"{LEADS}/{asha['id']}/milestones")["items"]
    assert [m["milestone_type"] for m in milestones] == ["lead_generated"]


def test_a_duplicate_row_under_merge_is_a_reenquiry_not_a_second_lead(
    admin_web: WebClient, world: TenantWorld
) -> None:
    open_lead = world.admin.ok(
        "POST", LEADS, 201, json={"name": "Asha R", "phone": "+91 98100 00101"}
    )
    body = "name,phone\nAsha Rao,098100 00101\nNew Buyer,+91 98100 00199\n"
    import_id = _import_id(_upload(admin_web, "more.csv", body.encode()))
    _start(admin_web, import_id, bad_rows="nothing", duplicates="merge")
    page = _finished(admin_web, import_id)
    text = text_of(page)
    assert "Imported: 1 new lead, 1 re-enquiry on open leads" in text
    assert f"2 {open_lead['lead_code']}" in text
    assert _names(world) == ["Asha R", "New Buyer"]
    touches = world.admin.ok("GET", f"{LEADS}/{open_lead['id']}/touches")
    assert [t["channel"] for t in touches] == ["import"]
    engagements = world.admin.ok("GET", f"{LEADS}/{open_lead['id']}/engagements")["items"]
    assert [e["engagement_type"] for e in engagements] == ["enquiry_received"]


def test_a_duplicate_row_under_reject_is_a_row_error(
    admin_web: WebClient, world: TenantWorld
) -> None:
    world.admin.ok("POST", LEADS, 201, json={"name": "Asha R", "email": "asha@example.com"})
    body = "name,email\nNew Buyer,new@example.com\nAsha Rao,ASHA@example.com\n"
    import_id = _import_id(_upload(admin_web, "more.csv", body.encode()))
    _start(admin_web, import_id, bad_rows="nothing", duplicates="reject")
    text = text_of(_finished(admin_web, import_id))
    assert "Nothing was imported" in text
    assert "already has this phone or e-mail" in text
    assert _names(world) == ["Asha R"]


def test_create_is_offered_only_where_the_tenant_allows_it(
    admin_web: WebClient, world: TenantWorld
) -> None:
    import_id = _import_id(_upload(admin_web, "a.csv", b"name\nX\n"))
    refused = _start(admin_web, import_id, bad_rows="nothing", duplicates="create")
    assert refused.status_code == 422
    assert "Choose what to do with rows that match an open lead" in text_of(refused)
    assert _names(world) == []


def test_a_file_over_the_limit_is_refused_with_a_clear_message(
    settings: Settings, engine: Engine, world: TenantWorld
) -> None:
    small: FastAPI = create_app(
        settings.model_copy(update={"import_max_bytes": 2048}), engine=engine
    )
    web = logged_in(small, world, "manager")
    body = ("name\n" + "A buyer with a long name\n" * 100).encode()  # about 2.5 KB
    page = _upload(web, "big.csv", body)
    assert page.status_code == 413
    assert "the file is larger than 2.0 KB, the limit for an import" in text_of(page)
    huge = _upload(web, "huge.csv", body * 40)  # past the form's room too: refused unread
    assert huge.status_code == 413
    assert "larger than the import limit (2.0 KB)" in text_of(huge)
    assert _names(world) == []


def test_a_file_that_is_not_csv_or_xlsx_is_refused(admin_web: WebClient) -> None:
    page = _upload(admin_web, "leads.txt", b"name\nX\n")
    assert page.status_code == 422
    assert "not a .csv or .xlsx file" in text_of(page)


def test_reps_may_not_import_and_other_tenants_see_nothing(
    app: FastAPI, admin_web: WebClient, rep_web: WebClient, other_world: TenantWorld
) -> None:
    assert rep_web.get("/imports").status_code == 403
    import_id = _import_id(_upload(admin_web, "crm.csv", FILE.encode()))
    _start(admin_web, import_id, bad_rows="nothing", duplicates="merge")
    _finished(admin_web, import_id)
    outsider = logged_in(app, other_world, "admin")
    assert outsider.get(f"/imports/{import_id}").status_code == 404
    assert outsider.get(f"/imports/{import_id}/problems.csv").status_code == 404
    outsider.get("/imports")
    assert (
        outsider.post(f"/imports/{import_id}/start", {"map:full name": "name"}).status_code == 404
    )
    anonymous = browser(app).get(f"/imports/{import_id}")
    assert "/login" in str(anonymous.url)


def test_a_workbook_is_mapped_and_imported(admin_web: WebClient, world: TenantWorld) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Lead Name", "Owner e-mail", "Ignored"])
    sheet.append(["Asha Rao", "", "x"])
    sheet.append(["Bala Iyer", "", "y"])
    out = io.BytesIO()
    book.save(out)
    page = _upload(admin_web, "leads.xlsx", out.getvalue())
    assert page.status_code == 200
    import_id = _import_id(page)
    _start(admin_web, import_id, bad_rows="nothing", duplicates="merge")
    assert "Imported: 2 new leads" in text_of(_finished(admin_web, import_id))
    assert _names(world) == ["Asha Rao", "Bala Iyer"]


def test_a_fault_past_the_preview_refuses_the_run(admin_web: WebClient, world: TenantWorld) -> None:
    body = b"name\n" + b"".join(b"Lead %d\n" % n for n in range(60)) + b"Caf\xe9\n"
    import_id = _import_id(_upload(admin_web, "latin.csv", body))
    _start(admin_web, import_id, bad_rows="valid_rows_only", duplicates="merge")
    text = text_of(_finished(admin_web, import_id))
    assert "Nothing was imported: line 62 is not UTF-8" in text
    assert _names(world) == []


def test_a_long_import_shows_its_progress_while_it_runs(
    app: FastAPI,
    admin_web: WebClient,
    world: TenantWorld,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The run reports each batch to the import's row, and the page shows a progress bar
    (and refreshes itself) until it ends; the run is driven here in the test's thread."""
    started: list[tuple[Any, ...]] = []
    monkeypatch.setattr(import_runs, "run_in_thread", lambda *args: started.append(args))
    monkeypatch.setattr(import_runs, "PROGRESS_EVERY_SECONDS", 0.0)
    body = "name\n" + "".join(f"Buyer {n}\n" for n in range(1200))
    import_id = _import_id(_upload(admin_web, "long.csv", body.encode()))
    _start(admin_web, import_id, bad_rows="nothing", duplicates="merge")
    assert len(started) == 1
    seen: list[str] = []
    update = import_runs._Tracker._update

    def watched(self: import_runs._Tracker, values: dict[str, object]) -> None:
        update(self, values)
        page = admin_web.get(f"/imports/{import_id}")
        bar = re.search(r'<progress id="progress" max="(\d+)" value="(\d+)"', page.text)
        if bar and 'http-equiv="refresh"' in page.text:
            seen.append(f"{bar.group(2)}/{bar.group(1)}")

    monkeypatch.setattr(import_runs._Tracker, "_update", watched)
    factory, settings, actor, run_id = started[0]
    import_runs.run(factory, settings, actor, run_id)
    # a batch ends after 500 rows or about a second, so the steps vary; they only grow
    done_rows = [int(step.split("/")[0]) for step in seen]
    assert len(done_rows) >= 2, seen
    assert all(step.endswith("/1200") for step in seen), seen
    assert done_rows == sorted(set(done_rows)), seen
    assert 0 < done_rows[0] < 1200
    done = text_of(_finished(admin_web, import_id))
    assert "Imported: 1200 new leads" in done
