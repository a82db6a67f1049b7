"""Every ``salestrack`` command that writes, run as a user runs it: its own process.

What is checked is what a user notices afterwards through the API: imported leads carry
their first milestone and status history and count in the reports exactly like leads
created through the API; demo and seeded data report what a rebuild computes; a user made
on the command line can log in; a taken slug ends in a message, not a traceback.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from salestrack.app import create_app
from salestrack.core.config import Settings
from tests.cli.answers import report_answers
from tests.cli.process import Cli, environment
from tests.databases import app_role_url, empty_database
from tests.support import (
    PASSWORD,
    ApiClient,
    build_tenant,
    local_today,
    login,
    zone_off_the_utc_day,
)

SALES = "/api/v1/sales"
CAMPAIGN = {
    "campaign_code": "Q4-EMAIL",
    "campaign_name": "Q4 Email Blast",
    "campaign_type": "email",
    "budget": "90000",
}
SOURCE = {"source_type": "website", "subsource_name": "Google Ads", "channel": "Paid Search"}
# The same three leads, once as CSV rows and once as API bodies (with the ids resolved).
LEADS = [
    {"name": "Asha Rao", "status": "qualified", "lead_date": "2025-03-14", "sourced": True},
    {"name": "Bala Iyer", "status": "new", "lead_date": "2025-03-20", "sourced": True},
    {"name": "Chitra Nair", "status": "lost", "lead_date": "2025-04-02", "sourced": False},
]
WINDOW = {"from_": "2025-01-01", "to": "2025-06-30"}


def _unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def _logged_in(http: TestClient, slug: str, email: str, password: str = PASSWORD) -> ApiClient:
    """The admin ``email`` of tenant ``slug``, logged in through the API."""
    response = login(http, slug, email, password)
    assert response.status_code == 200, response.text
    api = ApiClient(http, slug, response.json()["access_token"], uuid.UUID(int=0), email)
    users = api.ok("GET", f"{SALES}/users")
    (user_id,) = [user["id"] for user in users if user["email"] == email]
    return ApiClient(http, slug, api.token, uuid.UUID(user_id), email)


def _admin_from_the_command_line(cli: Cli, http: TestClient, slug: str) -> ApiClient:
    """`create-user` for the tenant, then that user's login through the API."""
    email = f"owner@{slug}.example.com"
    out = cli.ok(
        "create-user", "--tenant", slug, "--email", email, "--password", PASSWORD, "--role", "admin"
    )
    assert f"created admin {email} in {slug}" in out
    return _logged_in(http, slug, email)


def _references(api: ApiClient) -> tuple[str, str]:
    """The tenant's campaign and lead source (the rows refer to them by code and name)."""
    campaign = api.ok("POST", f"{SALES}/campaigns", 201, json=CAMPAIGN)
    source = api.ok("POST", f"{SALES}/lead-sources", 201, json=SOURCE)
    return campaign["id"], source["id"]


def _csv(path: Path) -> Path:
    lines = ["name,status,lead_date,source,campaign"]
    for lead in LEADS:
        refs = "google ads,Q4-EMAIL" if lead["sourced"] else ","
        lines.append(f"{lead['name']},{lead['status']},{lead['lead_date']},{refs}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@dataclass(frozen=True)
class TwinTenants:
    """The same leads, imported with `import-leads` in one tenant and POSTed in the other."""

    imported: ApiClient
    posted: ApiClient


@pytest.fixture(scope="module")
def twins(
    cli: Cli,
    http: TestClient,
    session_factory: sessionmaker[Session],
    tmp_path_factory: pytest.TempPathFactory,
) -> TwinTenants:
    slug = _unique("cli")
    assert f"created tenant {slug}" in cli.ok("create-tenant", slug, "--name", "Acme Realty")
    imported = _admin_from_the_command_line(cli, http, slug)
    _references(imported)
    path = _csv(tmp_path_factory.mktemp("import") / "leads.csv")
    assert f"imported {len(LEADS)} leads into {slug}" in cli.ok(
        "import-leads", "--tenant", slug, str(path)
    )
    posted = build_tenant(http, session_factory).admin
    campaign_id, source_id = _references(posted)
    for lead in LEADS:
        body: dict[str, Any] = {k: v for k, v in lead.items() if k != "sourced"}
        if lead["sourced"]:
            body |= {"campaign_id": campaign_id, "source_id": source_id}
        posted.ok("POST", f"{SALES}/leads", 201, json=body)
    return TwinTenants(imported=imported, posted=posted)


def test_imported_leads_have_their_first_milestone_and_status_history(
    twins: TwinTenants,
) -> None:
    api = twins.imported
    leads = api.ok("GET", f"{SALES}/leads", params={"limit": 50})["items"]
    assert sorted(lead["name"] for lead in leads) == sorted(lead["name"] for lead in LEADS)
    for lead in leads:
        milestones = api.ok("GET", f"{SALES}/leads/{lead['id']}/milestones")["items"]
        generated = [m for m in milestones if m["milestone_type"] == "lead_generated"]
        assert [m["milestone_date"] for m in generated] == [lead["lead_date"]], lead["name"]
        history = api.ok("GET", f"{SALES}/leads/{lead['id']}/status-history")["items"]
        assert [h["to_status"] for h in history][-1:] == [lead["status"]], lead["name"]


def test_reports_count_imported_leads_as_if_created_through_the_api(
    twins: TwinTenants,
) -> None:
    for window in (WINDOW, {}):  # the window holding the leads, and each report's default
        posted = report_answers(twins.posted, **window)
        imported = report_answers(twins.imported, **window)
        if window:  # not vacuous: the API-made tenant counts its leads
            assert posted["dashboard"]["kpis"]["total_leads"]["value"] == len(LEADS)
        for name, answer in posted.items():
            assert imported[name] == answer, (name, window)


def _reports_survive_a_rebuild(cli: Cli, api: ApiClient) -> dict[str, Any]:
    """The tenant's reports (all time), asserted equal before and after `rebuild-reports`."""
    everything = {"from_": f"{date.today().year - 10}-01-01"}  # the funnel takes 20 years at most
    before = report_answers(api, **everything), report_answers(api)
    assert f"rebuilt the report summaries of {api.tenant}" in cli.ok(
        "rebuild-reports", "--tenant", api.tenant
    )
    assert (report_answers(api, **everything), report_answers(api)) == before
    return before[0]


def test_demo_reports_what_a_rebuild_computes(cli: Cli, http: TestClient) -> None:
    served_at = {"SALESTRACK_PUBLIC_URL": "http://127.0.0.1:8123/"}
    demo = Cli({**cli.env, "SALESTRACK_DEMO_LEADS": "30", **served_at}, cli.directory)
    said = demo.ok("demo")
    assert "tenant: demo" in said
    assert "browser: http://127.0.0.1:8123/login" in said  # the port it is served on
    api = _logged_in(http, "demo", "admin@demo.example.com", "sea-view-tower-17")
    answers = _reports_survive_a_rebuild(cli, api)
    assert answers["dashboard"]["kpis"]["total_leads"]["value"] == 30
    for lead in api.ok("GET", f"{SALES}/leads", params={"limit": 30})["items"]:
        milestones = api.ok("GET", f"{SALES}/leads/{lead['id']}/milestones")["items"]
        assert "lead_generated" in {m["milestone_type"] for m in milestones}, lead["name"]


def test_seeded_data_reports_what_a_rebuild_computes(cli: Cli, http: TestClient) -> None:
    slug = _unique("seed")
    assert "50 leads" in cli.ok("seed", "--tenant", slug, "--leads", "50", "--quiet")
    api = _admin_from_the_command_line(cli, http, slug)
    answers = _reports_survive_a_rebuild(cli, api)
    assert answers["dashboard"]["kpis"]["total_leads"]["value"] == 50


def test_a_second_tenant_with_the_same_slug_is_refused_with_a_message(cli: Cli) -> None:
    slug = _unique("twice")
    cli.ok("create-tenant", slug, "--name", "Once")
    assert "already exists" in cli.refused("create-tenant", slug, "--name", "Twice")


def test_a_tenant_in_another_time_zone_dates_undated_imported_leads_by_its_own_day(
    cli: Cli, http: TestClient, tmp_path: Path
) -> None:
    slug = _unique("zone")
    for zone in ("Mars/Olympus", "Asia", "localtime", "x" * 300):
        refused = cli.refused("create-tenant", slug, "--name", "Far", "--timezone", zone)
        assert f"unknown time zone {zone!r}" in refused  # a message, not a traceback
    zone = zone_off_the_utc_day()
    cli.ok("create-tenant", slug, "--name", "Far", "--timezone", zone)
    api = _admin_from_the_command_line(cli, http, slug)
    path = tmp_path / "undated.csv"
    path.write_text("name,status\nAsha Rao,new\n", encoding="utf-8")
    cli.ok("import-leads", "--tenant", slug, str(path))
    (lead,) = api.ok("GET", f"{SALES}/leads")["items"]
    assert lead["lead_date"] == local_today(zone).isoformat()


def test_migrate_prepares_an_empty_database_the_app_then_opens(
    settings: Settings, backend: str, tmp_path: Path
) -> None:
    with empty_database(backend, tmp_path) as url:
        fresh = settings.model_copy(
            update={"database_url": app_role_url(url), "migration_database_url": url}
        )
        cli = Cli(environment(fresh), tmp_path)
        assert "database at revision" in cli.ok("migrate")
        app = create_app(fresh)
        try:
            assert TestClient(app).get("/readyz").json()["status"] == "ready"
        finally:
            app.state.engine.dispose()
