"""Reports & Analytics pages: each tab shows the API's numbers, charts are inline SVG
under the page's CSP, tables download as CSV and Excel, dates filter, roles are kept."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal
from html import unescape

import pytest

from salestrack.reports.definitions import KPI_DEFINITIONS
from salestrack.web.reports.views import HEADLINE, RATIOS
from tests.support import TenantWorld
from tests.web.report_data import FMT, api_report, expected_kpi_text, kpi_values, sales_month
from tests.web.support import WebClient, text_of

TABS = ("dashboard", "funnel", "sources", "campaigns", "bookings")


def test_a_first_day_tenant_sees_every_tab_empty_but_working(admin_web: WebClient) -> None:
    for tab in TABS:
        page = admin_web.get("/reports", params={"tab": tab})
        assert page.status_code == 200, tab
        assert "<script" not in page.text.split("</head>")[1], tab
    texts = {tab: text_of(admin_web.get("/reports", params={"tab": tab})) for tab in TABS}
    assert "No leads or bookings in this period yet." in texts["dashboard"]
    assert "Total leads 0" in texts["dashboard"]
    assert "No leads were created in this period" in texts["funnel"]
    assert "No sources yet." in texts["sources"]
    assert "No campaigns yet." in texts["campaigns"]
    assert "No bookings in this period." in texts["bookings"]


def test_dashboard_cards_equal_the_api(admin_web: WebClient, world: TenantWorld) -> None:
    sales_month(world.admin)
    page = admin_web.get("/reports")
    api = api_report(world.admin, "dashboard")
    shown = kpi_values(page.text)
    for key, _label, kind in (*HEADLINE, *RATIOS):
        value = api["kpis"][key]["value"]
        assert shown[key] == ("" if value is None else str(value)), key
        card = re.search(rf'data-testid="kpi-{key}".*?</div>', page.text, re.S)
        assert card is not None
        assert expected_kpi_text(kind, value) in card.group(0), key
    assert shown["new_leads"] == str(api["kpis"]["new_leads"]["value"])
    assert shown["qualified_leads"] == str(api["kpis"]["qualified_leads"]["value"])
    text = text_of(page)
    assert "Total leads 4 New 2 Qualified 2" in text  # booked counts as having qualified
    assert "Conversion rate 25%" in text
    assert "Outstanding balance ₹1,00,000" in text
    assert "Up from 0" in text  # against an empty previous period


def test_funnel_table_equals_the_api_sorts_and_draws_a_chart(
    admin_web: WebClient, world: TenantWorld
) -> None:
    sales_month(world.admin)
    api = api_report(world.admin, "funnel")
    page = admin_web.get("/reports", params={"tab": "funnel"})
    months = re.findall(r'data-testid="funnel-month" data-month="([0-9-]+)"', page.text)
    assert months == [m["month"] for m in api["months"]]
    assert len(months) == 12
    total = re.search(r'data-testid="funnel-total">(.*?)</tr>', page.text, re.S)
    assert total is not None
    cells = dict(re.findall(r'data-key="([a-z_]+)">([^<]*)<', total.group(1)))
    for stage in ("new", "contacted", "qualified", "negotiation", "converted", "lost"):
        assert cells[stage] == FMT.number(api["totals"][stage]), stage
    assert cells["conversion_rate"] == FMT.percent(Decimal(api["totals"]["conversion_rate"]))
    # Sorted by leads, most first: this month (the only one with leads) comes first.
    by_new = admin_web.get("/reports", params={"tab": "funnel", "sort": "new", "dir": "desc"})
    first = re.search(r'data-testid="funnel-month" data-month="([0-9-]+)"', by_new.text)
    assert first is not None
    assert first.group(1) == FMT.today().strftime("%Y-%m")
    assert 'aria-sort="descending"' in by_new.text
    # The chart: inline SVG, no script, its styles carrying the page's CSP nonce.
    policy = page.headers["content-security-policy"]
    nonce = re.search(r"'nonce-([^']+)'", policy)
    assert nonce is not None
    assert "script-src 'self'" in policy
    chart = page.text.index('<svg role="img"')  # the chart, not an icon of the page's header
    svg = page.text[chart : page.text.index("</svg>", chart)]
    assert "<script" not in svg
    assert " style=" not in svg  # style attributes would be blocked by the CSP
    assert f'<style nonce="{nonce.group(1)}"' in svg
    assert 'role="img" aria-label="Lead funnel, all months. New: 4; Contacted: 2' in svg


def test_sources_campaigns_and_bookings_equal_the_api(
    admin_web: WebClient, world: TenantWorld
) -> None:
    made = sales_month(world.admin)
    sources = api_report(world.admin, "source-performance")
    page = admin_web.get("/reports", params={"tab": "sources"})
    assert page.text.count('data-testid="source-card"') == len(sources["sources"]) == 2
    for row in sources["sources"]:
        card = re.search(rf'data-source-id="{row["source_id"]}">(.*?)</li>', page.text, re.S)
        assert card is not None
        cells = dict(re.findall(r'data-key="([a-z_]+)">([^<]*)<', card.group(1)))
        assert cells["total_leads"] == FMT.number(row["total_leads"])
        assert cells["converted"] == FMT.number(row["converted"])
        assert cells["conversion_rate"] == expected_kpi_text("percent", row["conversion_rate"])
        assert cells["cost_per_lead"] == expected_kpi_text("money", row["cost_per_lead"])
    assert "<svg" in page.text

    campaigns = api_report(world.admin, "campaign-performance")
    page = admin_web.get("/reports", params={"tab": "campaigns"})
    row = next(r for r in campaigns["campaigns"] if r["campaign_id"] == made["campaign"]["id"])
    found = re.search(rf'data-campaign-id="{row["campaign_id"]}">(.*?)</tr>', page.text, re.S)
    assert found is not None
    cells = dict(re.findall(r'data-key="([a-z_]+)">(.*?)</td>', found.group(1), re.S))
    assert cells["revenue"] == "₹1,50,000" == expected_kpi_text("money", row["revenue"])
    assert cells["roi"] == "200%" == expected_kpi_text("percent", row["roi"])
    assert cells["expected_roi"] == "150%"
    assert "50 points above" in cells["roi_gap"]
    assert cells["cost_per_lead"] == expected_kpi_text("money", row["cost_per_lead"])

    report = api_report(world.admin, "bookings")
    page = admin_web.get("/reports", params={"tab": "bookings"})
    for status in report["statuses"]:
        card = re.search(rf'data-status="{status["status"]}">(.*?)</li>', page.text, re.S)
        assert card is not None
        cells = dict(re.findall(r'data-key="([a-z_]+)">([^<]*)<', card.group(1)))
        assert cells["count"] == FMT.number(status["count"])
        assert cells["total_amount"] == expected_kpi_text("money", status["total_amount"])
    assert "Bookings by status" in page.text
    assert "<svg" in page.text


@pytest.mark.parametrize(
    ("tab", "api_path"),
    [
        ("dashboard", "dashboard"),
        ("funnel", "funnel"),
        ("sources", "source-performance"),
        ("campaigns", "campaign-performance"),
        ("bookings", "bookings"),
    ],
)
def test_downloads_have_the_apis_csv_rows(
    admin_web: WebClient, world: TenantWorld, tab: str, api_path: str
) -> None:
    from openpyxl import load_workbook

    sales_month(world.admin)
    params = {"from": "2025-01-01", "to": FMT.today().isoformat()}
    mine = admin_web.get(f"/reports/{tab}.csv", params=params)
    assert mine.status_code == 200
    assert mine.headers["content-type"].startswith("text/csv")
    theirs = world.admin.get(
        f"/api/v1/sales/reports/{api_path}", params={**params, "format": "csv"}
    )
    rows = list(csv.reader(io.StringIO(mine.text)))
    assert rows == list(csv.reader(io.StringIO(theirs.text)))
    excel = admin_web.get(f"/reports/{tab}.xlsx", params=params)
    assert excel.status_code == 200
    assert "attachment" in excel.headers["content-disposition"]
    sheet = load_workbook(io.BytesIO(excel.content)).active
    assert sheet is not None
    cells = [["" if v is None else v for v in r] for r in sheet.iter_rows(values_only=True)]
    assert cells[0] == rows[0]
    for got, want in zip(cells[1:], rows[1:], strict=True):
        assert len(got) == len(want)
        for g, w in zip(got, want, strict=True):
            if isinstance(g, int | float):  # a number in the sheet, the same number in the CSV
                assert Decimal(str(g)) == Decimal(w), (g, w)
            else:
                assert g == w


def test_date_range_filters_and_bad_dates_are_shown_beside_the_field(
    admin_web: WebClient, world: TenantWorld
) -> None:
    sales_month(world.admin)
    old = admin_web.get(
        "/reports", params={"tab": "dashboard", "from": "2020-01-01", "to": "2020-01-31"}
    )
    assert kpi_values(old.text)["total_leads"] == "0"
    api = api_report(world.admin, "dashboard", **{"from": "2020-01-01", "to": "2020-01-31"})
    assert api["kpis"]["total_leads"]["value"] == 0
    assert "Period 1 Jan 2020 to 31 Jan 2020." in text_of(old)
    bad = admin_web.get("/reports", params={"tab": "funnel", "from": "soon", "to": "2020-01-01"})
    assert bad.status_code == 200
    assert 'id="from-error"' in bad.text
    assert 'value="soon"' in bad.text
    backwards = admin_web.get(
        "/reports", params={"tab": "bookings", "from": "2025-02-01", "to": "2025-01-01"}
    )
    assert 'id="to-error"' in backwards.text
    assert admin_web.get("/reports/funnel.csv", params={"from": "soon"}).status_code == 422
    assert admin_web.get("/reports/nothing.csv").status_code == 404
    assert admin_web.get("/reports/funnel.pdf").status_code == 404


def test_reps_get_no_reports_viewers_do(
    rep_web: WebClient, viewer_web: WebClient, world: TenantWorld
) -> None:
    assert rep_web.get("/reports").status_code == 403
    assert rep_web.get("/reports/funnel.csv").status_code == 403
    assert 'href="/reports"' not in rep_web.get("/leads").text
    assert viewer_web.get("/reports", params={"tab": "campaigns"}).status_code == 200
    assert viewer_web.get("/reports/bookings.xlsx").status_code == 200


def test_exported_text_never_runs_as_a_formula(admin_web: WebClient, world: TenantWorld) -> None:
    """A campaign named like a formula is exported as text a spreadsheet will not run
    (OWASP CSV injection): an apostrophe in front in the CSVs (API and page), a text cell
    in the workbook; numbers stay numbers."""
    from openpyxl import load_workbook

    hostile = ["=cmd|' /C calc'!A0", "@SUM(1+1)", "+1+1", "-2+3"]
    for name in hostile:
        world.admin.ok(
            "POST",
            "/api/v1/sales/campaigns",
            201,
            json={"campaign_name": name, "campaign_type": "digital", "budget": "1000.00"},
        )
    api_csv = world.admin.get(
        "/api/v1/sales/reports/campaign-performance", params={"format": "csv"}
    ).text
    page_csv = admin_web.get("/reports/campaigns.csv").text
    for text in (api_csv, page_csv):
        cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
        for name in hostile:
            assert "'" + name in cells
            assert name not in cells
        assert "1000.00" in cells  # a number is still a plain number
    sheet = load_workbook(io.BytesIO(admin_web.get("/reports/campaigns.xlsx").content)).active
    assert sheet is not None
    named = [cell for row in sheet.iter_rows() for cell in row if cell.value in hostile]
    assert sorted(cell.value for cell in named) == sorted(hostile)
    assert {cell.data_type for cell in named} == {"s"}


def test_each_dashboard_card_says_what_it_counts(admin_web: WebClient) -> None:
    page = admin_web.get("/reports")
    cards = re.findall(r'data-testid="kpi-([a-z_]+)" data-value="[^"]*" title="([^"]+)"', page.text)
    assert {key for key, _ in cards} == {key for key, _label, _kind in (*HEADLINE, *RATIOS)}
    for key, title in cards:
        assert unescape(title) == KPI_DEFINITIONS[key], key
    footnotes = re.findall(r'data-testid="kpi-definition">([^<]+)<', page.text)
    assert unescape(footnotes[0]) == KPI_DEFINITIONS[HEADLINE[0][0]]
    assert len(footnotes) == len(HEADLINE) + len(RATIOS)
