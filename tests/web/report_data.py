"""A small sales month for the report pages, built through the API, and readers that pull
each report's figures off a page so tests can compare them with the API's answer."""

from __future__ import annotations

import re
from typing import Any

from salestrack.web.kit.filters import LocaleFormat
from salestrack.web.reports.views import show
from tests.journey.helpers import SALES
from tests.money.conftest import book, new_customer, new_inventory, post
from tests.support import ApiClient

REPORTS = f"{SALES}/reports"
FMT = LocaleFormat()  # the test tenants' locale: en_IN, INR


def sales_month(api: ApiClient) -> dict[str, Any]:
    """A campaign with a budget, a source on it, four leads: one qualified, one booked
    (₹1,50,000, ₹50,000 paid), one lost, one new."""
    campaign = api.ok(
        "POST",
        f"{SALES}/campaigns",
        201,
        json={
            "campaign_name": "Diwali Referral Drive",
            "campaign_type": "referral",
            "budget": "50000",
            "expected_roi": "150",
        },
    )
    source = api.ok(
        "POST",
        f"{SALES}/lead-sources",
        201,
        json={
            "source_type": "referral",
            "subsource_name": "Partners",
            "channel": "Referral",
            "campaign_id": campaign["id"],
        },
    )
    website = api.ok(
        "POST", f"{SALES}/lead-sources", 201, json={"source_type": "website", "channel": "Direct"}
    )
    tagged = {"source_id": source["id"], "campaign_id": campaign["id"]}
    leads = [
        api.ok("POST", f"{SALES}/leads", 201, json={"name": name, **tagged})
        for name in ("Acme Corp", "Priya Sharma", "Ravi Kumar")
    ]
    api.ok("POST", f"{SALES}/leads", 201, json={"name": "Walk-in", "source_id": website["id"]})
    api.ok("PATCH", f"{SALES}/leads/{leads[0]['id']}", 200, json={"status": "qualified"})
    api.ok("PATCH", f"{SALES}/leads/{leads[2]['id']}", 200, json={"status": "lost"})
    customer = new_customer(api, "Priya Sharma", lead_id=leads[1]["id"])
    stock = new_inventory(api, total=5)
    today = FMT.today().isoformat()
    booking = book(
        api,
        customer["id"],
        stock["id"],
        status="confirmed",
        booking_amount="150000.00",
        booking_date=today,
    )
    post(
        api,
        customer["id"],
        "payment",
        "50000.00",
        transaction_date=today,
        reference_document_type="booking",
        reference_document_id=booking["id"],
    )
    return {"campaign": campaign, "source": source, "customer": customer, "booking": booking}


def api_report(api: ApiClient, path: str, **params: str) -> dict[str, Any]:
    result: dict[str, Any] = api.ok("GET", f"{REPORTS}/{path}", params=params)
    return result


def kpi_values(html: str) -> dict[str, str]:
    """KPI key -> raw value as the page carries it (``data-value``)."""
    return dict(re.findall(r'data-testid="kpi-([a-z_]+)"[^>]*data-value="([^"]*)"', html))


def expected_kpi_text(kind: str, value: Any) -> str:
    return show(FMT, kind, value)
