"""The receivables page: the API's receivables report with ageing buckets, AR health and
the customers to chase, sortable, downloadable; the dashboard's Outstanding card leads
there, and each customer's ledger shows its health band."""

from __future__ import annotations

import csv
import io
import re

from tests.reports import scenario as s
from tests.reports.test_ar_health import owing_customers
from tests.support import TenantWorld
from tests.web.support import WebClient


def _rows(html: str) -> list[tuple[str, str]]:
    """(customer id, band) of each row, in page order."""
    return re.findall(r'data-testid="debtor" data-customer="([^"]+)" data-band="([^"]+)"', html)


def test_the_page_equals_the_api_and_sorts(admin_web: WebClient, world: TenantWorld) -> None:
    ids = owing_customers(world.admin)
    api = s.report(world.manager, "receivables")
    page = admin_web.get("/reports", params={"tab": "receivables"})
    assert page.status_code == 200
    assert [r[0] for r in _rows(page.text)] == [c["customer_id"] for c in api["customers"]]
    assert f'data-key="outstanding" data-value="{api["outstanding"]}"' in page.text
    for bucket, amount in api["buckets"].items():
        assert f'data-key="{bucket}" data-value="{amount}"' in page.text
    assert 'data-testid="ar-health" data-status="escalate"' in page.text
    for band in ("good", "monitor", "high_risk", "escalate"):
        value = api["health"][band]
        assert f'data-testid="band-count" data-band="{band}" data-value="{value}"' in page.text
    assert f'href="/customers/{ids["Farah"]}#ledger"' in page.text

    by_health = admin_web.get("/reports", params={"tab": "receivables", "sort": "health"})
    assert _rows(by_health.text)[0] == (ids["Farah"], "escalate")
    by_name = admin_web.get("/reports", params={"tab": "receivables", "sort": "name", "dir": "asc"})
    names = ["Anil", "Bhavna", "Chetan", "Divya", "Eshan", "Farah"]
    assert [r[0] for r in _rows(by_name.text)] == [ids[n] for n in names]


def test_downloads_match_the_api(admin_web: WebClient, world: TenantWorld) -> None:
    from openpyxl import load_workbook

    owing_customers(world.admin)
    api = world.manager.get("/api/v1/sales/reports/receivables", params={"format": "csv"})
    page_csv = admin_web.get("/reports/receivables.csv")
    assert page_csv.status_code == 200
    rows = list(csv.reader(io.StringIO(page_csv.text)))
    assert rows == list(csv.reader(io.StringIO(api.text)))
    assert rows[0][-1] == "health"
    assert (rows[-1][0], rows[-1][-1]) == ("total", "escalate")
    excel = admin_web.get("/reports/receivables.xlsx")
    sheet = load_workbook(io.BytesIO(excel.content)).active
    assert sheet is not None
    assert [c.value for c in sheet[1]] == rows[0]
    assert sheet.max_row == len(rows)


def test_outstanding_card_links_to_receivables(admin_web: WebClient, world: TenantWorld) -> None:
    owing_customers(world.admin)
    page = admin_web.get("/reports")
    assert 'href="/reports?tab=receivables" data-testid="receivables-link"' in page.text
    assert 'data-testid="kpi-ar-health">AR health: <span class="band band-escalate"' in page.text


def test_each_customer_shows_its_band(admin_web: WebClient, world: TenantWorld) -> None:
    ids = owing_customers(world.admin)
    for name, band in (("Anil", "good"), ("Eshan", "high_risk"), ("Farah", "escalate")):
        page = admin_web.get(f"/customers/{ids[name]}")
        assert page.status_code == 200
        shown = re.search(
            r'data-testid="customer-health"><span [^>]*data-band="([a-z_]+)"', page.text
        )
        assert shown is not None, name
        assert shown.group(1) == band, name
