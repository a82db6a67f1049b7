"""A client generated from ``/openapi.json`` by a third-party generator works.

openapi-python-client (pinned in the test extras) turns the document into a typed
package in a temporary directory, as an API consumer would; nothing is committed. The
smoke test then uses only that package: create a lead, record a milestone on it, read
the lead's timeline and the dashboard. It fails when the document and the server
disagree in a way a generated client notices (a wrong type, an undocumented answer).
"""

from __future__ import annotations

import datetime
import importlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.support import TenantWorld

PACKAGE = "salestrack_client"


class InProcessTransport(httpx.BaseTransport):
    """Hands the generated client's requests to the app in process (no server needed)."""

    def __init__(self, http: TestClient) -> None:
        self.http = http

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        answer = self.http.request(
            request.method,
            str(request.url),
            headers=dict(request.headers),
            content=request.read(),
        )
        return httpx.Response(answer.status_code, headers=answer.headers, content=answer.content)


@pytest.fixture(scope="module")
def client_package(app: FastAPI, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The package generated from the app's document, importable for this module."""
    where = tmp_path_factory.mktemp("generated")
    document = where / "openapi.json"
    document.write_text(json.dumps(app.openapi()))
    bin_dir = Path(sys.executable).parent
    subprocess.run(
        [
            *(bin_dir / "openapi-python-client", "generate", "--path", document),
            *("--meta", "none", "--output-path", where / PACKAGE),
        ],
        check=True,
        capture_output=True,
        env={**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"},
        cwd=where,
    )
    sys.path.insert(0, str(where))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(where))
        for name in [n for n in sys.modules if n == PACKAGE or n.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


def _module(name: str) -> ModuleType:
    return importlib.import_module(f"{PACKAGE}.{name}")


def test_a_generated_client_records_a_lead_and_reads_its_journey(
    client_package: Any, http: TestClient, world: TenantWorld
) -> None:
    client = client_package.AuthenticatedClient(
        base_url="http://testserver",
        token=world.admin.token,
        headers={"X-Tenant-ID": world.slug},
        httpx_args={"transport": InProcessTransport(http)},
        raise_on_unexpected_status=True,
    )
    models = _module("models")
    create_lead = _module("api.leads.create_api_v1_sales_leads_post")
    lead = create_lead.sync(client=client, body=models.LeadCreate(name="Generated Client Lead"))
    assert isinstance(lead, models.LeadPublic), lead
    assert lead.status == models.LeadStatus.NEW

    record = _module("api.journey.create_milestone_api_v1_sales_milestones_lead_post")
    visit = models.MilestoneCreate(
        lead_id=lead.id,
        milestone_type=models.MilestoneType.SITE_VISIT,
        milestone_date=datetime.date.today(),
    )
    milestone = record.sync(client=client, body=visit)
    assert isinstance(milestone, models.MilestonePublic), milestone

    timeline_of = _module(
        "api.journey_reports.milestone_timeline_api_v1_sales_reports_milestone_timeline_lead_id_get"
    )
    timeline = timeline_of.sync(client=client, lead_id=lead.id)
    assert isinstance(timeline, models.TimelinePublic), timeline
    assert timeline.status == "qualified"  # the site visit moved the lead on
    assert "site_visit" in [event.event_type for event in timeline.events]

    dashboard_of = _module("api.reports.dashboard_report_api_v1_sales_reports_dashboard_get")
    dashboard = dashboard_of.sync(client=client, from_=datetime.date.today())
    assert isinstance(dashboard, models.DashboardReport), dashboard
    assert dashboard.kpis.total_leads.value == 1  # a fresh tenant: this lead alone
