"""Customer pages: the list, one customer with their lead, and the slot for later sections."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from jinja2 import ChoiceLoader, DictLoader

from salestrack.web.documents.listing import documents_section
from salestrack.web.kit import render
from salestrack.web.leads import customers
from salestrack.web.money.ledger import ledger_section
from tests.journey.helpers import new_lead
from tests.support import ApiClient, TenantWorld
from tests.web.support import WebClient, text_of


def _customer(api: ApiClient, **fields: Any) -> dict[str, Any]:
    body = {"name": "Priya Sharma", **fields}
    result: dict[str, Any] = api.ok("POST", "/api/v1/sales/customers", 201, json=body)
    return result


def test_a_first_day_tenant_has_no_customers(rep_web: WebClient) -> None:
    page = rep_web.get("/customers")
    assert page.status_code == 200
    assert "No customers yet." in page.text


def test_list_search_and_detail_with_the_linked_lead(
    rep_web: WebClient, world: TenantWorld
) -> None:
    lead = new_lead(world.admin, name="Priya Sharma", expected_value="5000000")
    priya = _customer(world.admin, email="priya@example.com", lead_id=lead["id"])
    _customer(world.admin, name="Ravi Kumar", status="inactive")
    listing = rep_web.get("/customers")
    assert text_of(listing).count("CUST-") == 2
    assert f'<a href="/leads/{lead["id"]}">{lead["lead_code"]}</a>' in listing.text
    found = rep_web.get("/customers", params={"q": "priya@"})
    assert "Priya Sharma" in found.text
    assert "Ravi Kumar" not in found.text
    inactive = rep_web.get("/customers", params={"status": "inactive"})
    assert "Ravi Kumar" in inactive.text
    assert "Priya Sharma" not in inactive.text
    detail = rep_web.get(f"/customers/{priya['id']}")
    assert detail.status_code == 200
    text = text_of(detail)
    assert priya["customer_code"] in text
    assert f"{lead['lead_code']} · Priya Sharma" in text
    assert "₹50,00,000" in text


def test_the_page_and_the_api_search_customers_alike(
    rep_web: WebClient, world: TenantWorld
) -> None:
    _customer(world.admin, phone="+91 98450 12345")
    _customer(world.admin, name="Ravi Kumar", email="ravi@example.com")
    for text, names in (("98450", ["Priya Sharma"]), ("ravi@", ["Ravi Kumar"]), ("zzz", [])):
        api = world.admin.ok("GET", "/api/v1/sales/customers", params={"q": text})["items"]
        page = text_of(rep_web.get("/customers", params={"q": text}))
        assert [c["name"] for c in api] == names
        assert [n for n in ("Priya Sharma", "Ravi Kumar") if n in page] == names


def test_the_customer_page_lists_the_sections_install_web_names(app: FastAPI) -> None:
    assert app.state.customer_sections == (ledger_section, documents_section)


def test_a_customer_whose_lead_was_deleted(rep_web: WebClient, world: TenantWorld) -> None:
    lead = new_lead(world.admin)
    customer = _customer(world.admin, lead_id=lead["id"])
    world.admin.ok("DELETE", f"/api/v1/sales/leads/{lead['id']}", 204)
    page = rep_web.get(f"/customers/{customer['id']}")
    assert "has been deleted" in page.text


def test_another_tenants_customer_is_not_found(
    rep_web: WebClient, other_world: TenantWorld
) -> None:
    theirs = _customer(other_world.admin, name="Their Customer")
    page = rep_web.get(f"/customers/{theirs['id']}")
    assert page.status_code == 404
    assert "Their Customer" not in rep_web.get("/customers").text
    assert rep_web.get("/customers/not-an-id").status_code == 404


def test_other_domains_add_sections_to_the_customer_page(
    app: FastAPI, rep_web: WebClient, world: TenantWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    customer = _customer(world.admin)
    loader = ChoiceLoader(
        [
            DictLoader(
                {
                    "test_ledger.html": "<h2>Ledger</h2>"
                    "<p data-testid='ledger'>Balance {{ section.context.balance | money }}</p>"
                }
            ),
            render.templates.env.loader,  # type: ignore[list-item]
        ]
    )
    monkeypatch.setattr(render.templates.env, "loader", loader)

    def ledger(_session: Any, user: Any, row: Any) -> customers.CustomerSection | None:
        if row.id is None:
            return None
        return customers.CustomerSection("Ledger", "test_ledger.html", {"balance": 4500000})

    listed = app.state.customer_sections
    customers.install_customer_sections(app, [ledger, lambda *_: None])
    try:
        page = rep_web.get(f"/customers/{customer['id']}")
    finally:
        customers.install_customer_sections(app, listed)
    assert "<p data-testid='ledger'>Balance ₹45,00,000</p>" in page.text
    assert page.text.count('class="card customer-section"') == 1
