"""Lead pages on the lead services: list, pipeline counts, filters, paging, forms."""

from __future__ import annotations

from typing import Any

from tests.support import ApiClient, TenantWorld
from tests.web.support import WebClient, text_of


def _lead(api: ApiClient, **fields: Any) -> dict[str, Any]:
    body = {"name": "Asha Rao", **fields}
    result: dict[str, Any] = api.ok("POST", "/api/v1/sales/leads", 201, json=body)
    return result


def test_a_first_day_tenant_sees_an_empty_list_and_zero_counts(admin_web: WebClient) -> None:
    page = admin_web.get("/leads")
    assert page.status_code == 200
    assert "No leads yet." in page.text
    assert 'data-status="all"' in page.text
    assert page.text.count('<span class="count">0</span>') == 7  # All plus six statuses


def test_create_a_lead_with_the_form(admin_web: WebClient, world: TenantWorld) -> None:
    form = admin_web.get("/leads/new")
    assert 'name="lead_date"' in form.text
    response = admin_web.post(
        "/leads/new",
        {
            "name": "Priya Sharma",
            "company": "Infosys",
            "email": "priya@example.com",
            "phone": "+91 98450 12345",
            "status": "contacted",
            "expected_value": "4,50,00,000",
            "lead_date": "2026-02-14",
            "assigned_to": str(world.rep.user_id),
        },
    )
    assert response.status_code == 200
    assert response.url.path.startswith("/leads/")
    assert "Lead created." in response.text
    assert "₹4,50,00,000" in response.text
    assert "14 Feb 2026" in response.text
    lead_id = response.url.path.rsplit("/", 1)[1]
    stored = world.admin.ok("GET", f"/api/v1/sales/leads/{lead_id}")
    assert stored["expected_value"] == "45000000.00"
    assert stored["status"] == "contacted"
    assert stored["assigned_to"] == str(world.rep.user_id)
    assert stored["lead_code"].startswith("LEAD-")


def test_errors_show_beside_the_field_and_the_form_keeps_what_was_typed(
    admin_web: WebClient, world: TenantWorld
) -> None:
    response = admin_web.post(
        "/leads/new",
        {
            "name": "",
            "company": "Wipro Campus",
            "email": "not-an-email",
            "expected_value": "lots",
            "lead_date": "2026-02-14",
        },
    )
    assert response.status_code == 422
    html = response.text
    assert 'id="name-error"' in html
    assert "This field is required." in html
    assert 'id="email-error"' in html
    assert "valid email address" in html
    assert 'id="expected_value-error"' in html
    assert 'value="Wipro Campus"' in html
    assert 'value="not-an-email"' in html
    assert 'value="lots"' in html
    assert 'aria-invalid="true"' in html
    assert world.admin.ok("GET", "/api/v1/sales/leads")["items"] == []


def test_a_taken_code_is_reported_on_the_code_field_and_nothing_is_saved(
    admin_web: WebClient, world: TenantWorld
) -> None:
    _lead(world.admin, lead_code="VIP-1")
    response = admin_web.post(
        "/leads/new", {"name": "Second", "lead_code": "VIP-1", "lead_date": "2026-01-01"}
    )
    assert response.status_code == 422
    assert 'id="lead_code-error"' in response.text
    assert "already used" in response.text
    assert len(world.admin.ok("GET", "/api/v1/sales/leads")["items"]) == 1


def test_edit_a_lead(admin_web: WebClient, world: TenantWorld) -> None:
    lead = _lead(world.admin, email="asha@example.com", expected_value="5000000")
    form = admin_web.get(f"/leads/{lead['id']}/edit")
    assert 'value="50,00,000"' in form.text  # the amount as the tenant writes it
    assert 'value="asha@example.com"' in form.text
    response = admin_web.post(
        f"/leads/{lead['id']}/edit",
        {
            "name": "Asha R. Rao",
            "company": "",
            "email": "",
            "status": "qualified",
            "expected_value": "75,00,000",
            "lead_date": lead["lead_date"],
            "notes": "Wants a 3BHK",
        },
    )
    assert response.status_code == 200
    assert "Lead updated." in response.text
    stored = world.admin.ok("GET", f"/api/v1/sales/leads/{lead['id']}")
    assert stored["name"] == "Asha R. Rao"
    assert stored["email"] is None
    assert stored["status"] == "qualified"
    assert stored["expected_value"] == "7500000.00"
    assert stored["notes"] == "Wants a 3BHK"


def test_an_invalid_edit_changes_nothing(admin_web: WebClient, world: TenantWorld) -> None:
    lead = _lead(world.admin)
    response = admin_web.post(
        f"/leads/{lead['id']}/edit",
        {"name": "", "status": "qualified", "lead_date": lead["lead_date"]},
    )
    assert response.status_code == 422
    assert "This field is required." in response.text
    stored = world.admin.ok("GET", f"/api/v1/sales/leads/{lead['id']}")
    assert (stored["name"], stored["status"]) == ("Asha Rao", "new")


def test_filters_and_pipeline_counts(admin_web: WebClient, world: TenantWorld) -> None:
    api = world.admin
    campaign = api.ok(
        "POST",
        "/api/v1/sales/campaigns",
        201,
        json={"campaign_name": "Launch", "campaign_type": "digital"},
    )
    source = api.ok(
        "POST",
        "/api/v1/sales/lead-sources",
        201,
        json={"source_type": "website", "subsource_name": "Google Ads", "channel": "Paid Search"},
    )
    _lead(
        api, name="Ravi Kumar", status="qualified", source_id=source["id"], lead_date="2026-01-10"
    )
    _lead(
        api, name="Ravi Shankar", status="new", campaign_id=campaign["id"], lead_date="2026-02-10"
    )
    _lead(
        api,
        name="Meena Iyer",
        status="qualified",
        assigned_to=str(world.rep.user_id),
        lead_date="2026-03-10",
    )

    searched = admin_web.get("/leads?q=ravi")
    assert "Ravi Kumar" in searched.text
    assert "Ravi Shankar" in searched.text
    assert "Meena Iyer" not in searched.text
    counts = text_of(searched)
    assert "2 All" in counts
    assert "1 New" in counts
    assert "1 Qualified" in counts

    qualified = admin_web.get("/leads?status=qualified")
    assert "Ravi Kumar" in qualified.text
    assert "Meena Iyer" in qualified.text
    assert "Ravi Shankar" not in qualified.text
    assert "3 All" in text_of(qualified)  # counts ignore the status filter itself

    by_source = admin_web.get(f"/leads?source_id={source['id']}")
    assert "Ravi Kumar" in by_source.text
    assert "Meena Iyer" not in by_source.text
    by_campaign = admin_web.get(f"/leads?campaign_id={campaign['id']}")
    assert "Ravi Shankar" in by_campaign.text
    assert "Ravi Kumar" not in by_campaign.text
    by_rep = admin_web.get(f"/leads?assigned_to={world.rep.user_id}")
    assert "Meena Iyer" in by_rep.text
    assert "Ravi" not in by_rep.text
    february = admin_web.get("/leads?lead_date_from=2026-02-01&lead_date_to=2026-02-28")
    assert "Ravi Shankar" in february.text
    assert "Ravi Kumar" not in february.text
    assert "Meena Iyer" not in february.text
    nothing = admin_web.get("/leads?q=nobody-like-this")
    assert "No lead matches these filters." in nothing.text


def test_bad_filter_values_are_reported_not_fatal(admin_web: WebClient, world: TenantWorld) -> None:
    _lead(world.admin)
    page = admin_web.get("/leads?status=sleeping&lead_date_from=2026-13-45&cursor=garbage")
    assert page.status_code == 200
    assert "Not a valid choice; ignored." in page.text
    assert "out of date" in page.text
    assert "Asha Rao" in page.text


def test_the_list_is_paged_with_a_cursor(admin_web: WebClient, world: TenantWorld) -> None:
    for number in range(27):
        _lead(world.admin, name=f"Lead Number {number:02d}")
    first = admin_web.get("/leads")
    assert first.text.count('data-label="Code"') == 25
    assert "Lead Number 26" in first.text
    assert "Lead Number 01" not in first.text
    assert 'rel="next"' in first.text
    next_href = first.text.split('rel="next"')[0].rsplit('href="', 1)[1].split('"')[0]
    second = admin_web.get("/leads" + next_href.replace("&amp;", "&"))
    assert second.text.count('data-label="Code"') == 2
    assert "Lead Number 01" in second.text
    assert "Lead Number 00" in second.text
    assert 'rel="next"' not in second.text
    assert "First page" in second.text


def test_delete_a_lead(admin_web: WebClient, world: TenantWorld) -> None:
    lead = _lead(world.admin)
    response = admin_web.post(f"/leads/{lead['id']}/delete")
    assert response.url.path == "/leads"
    assert "Lead deleted." in response.text
    assert "Asha Rao" not in response.text
    world.admin.ok("GET", f"/api/v1/sales/leads/{lead['id']}", 404)
    assert admin_web.get(f"/leads/{lead['id']}").status_code == 404
