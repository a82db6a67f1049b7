"""The admin's document settings page: the same checks as the API, errors beside fields."""

from __future__ import annotations

from fastapi import FastAPI

from tests.documents.support import GSTIN, SETTINGS, png
from tests.support import TenantWorld
from tests.web.support import WebClient, logged_in

FORM = {
    "legal_name": "Sea View Developers Pvt Ltd",
    "address": "12 MG Road\nBengaluru 560001",
    "gstin": GSTIN,
    "bank_name": "HDFC Bank",
    "bank_account_number": "50200012345678",
    "bank_ifsc": "hdfc0000123",
    "quotation_validity_days": "10",
    "rate_base_price": "5",
    "sac_base_price": "995411",
    "rate_club_membership": "18",
}


def test_admin_saves_the_letterhead_and_rates(admin_web: WebClient, world: TenantWorld) -> None:
    page = admin_web.get("/settings/documents")
    assert page.status_code == 200
    assert 'name="rate_club_membership"' in page.text
    saved = admin_web.post("/settings/documents", FORM)
    assert saved.status_code == 200
    assert "Settings saved." in saved.text
    stored = world.admin.ok("GET", SETTINGS)
    assert stored["legal_name"] == "Sea View Developers Pvt Ltd"
    assert (stored["state_code"], stored["bank_ifsc"]) == ("29", "HDFC0000123")
    assert stored["quotation_validity_days"] == 10
    assert {r["charge_type"]: r["rate"] for r in stored["tax_rates"]} == {
        "base_price": "5.00",
        "club_membership": "18.00",
    }
    assert 'value="18"' in saved.text  # the form shows what is stored


def test_refusals_come_back_beside_their_fields(admin_web: WebClient, world: TenantWorld) -> None:
    admin_web.get("/settings/documents")
    bad_gstin = admin_web.post("/settings/documents", {**FORM, "gstin": GSTIN[:-1] + "X"})
    assert bad_gstin.status_code == 422
    assert 'id="gstin-error"' in bad_gstin.text
    assert "check digit" in bad_gstin.text
    bad_rate = admin_web.post("/settings/documents", {**FORM, "rate_club_membership": "180"})
    assert bad_rate.status_code == 422
    assert 'id="rate_club_membership-error"' in bad_rate.text
    assert 'value="180"' in bad_rate.text  # what was typed is kept
    assert world.admin.ok("GET", SETTINGS)["legal_name"] == ""  # nothing was saved


def test_logo_upload_and_removal(admin_web: WebClient, world: TenantWorld) -> None:
    admin_web.get("/settings/documents")
    refused = admin_web.http.post(
        "/settings/documents/logo",
        data={"csrf_token": admin_web.csrf},
        files={"logo": ("logo.png", b"not an image", "image/png")},
    )
    assert refused.status_code == 422
    assert 'id="logo-error"' in refused.text
    logo = png()
    saved = admin_web.http.post(
        "/settings/documents/logo",
        data={"csrf_token": admin_web.csrf},
        files={"logo": ("logo.png", logo, "image/png")},
    )
    assert saved.status_code == 200
    assert 'data-testid="logo-preview"' in saved.text
    assert admin_web.get("/settings/documents/logo").content == logo
    no_token = admin_web.http.post(
        "/settings/documents/logo", files={"logo": ("logo.png", logo, "image/png")}
    )
    assert no_token.status_code == 403
    admin_web.get("/settings/documents")
    assert "Logo removed." in admin_web.post("/settings/documents/logo/delete").text
    assert not world.admin.ok("GET", SETTINGS)["has_logo"]


def test_only_admins_reach_the_page(app: FastAPI, world: TenantWorld) -> None:
    for role in ("manager", "rep", "viewer"):
        web = logged_in(app, world, role)
        assert web.get("/settings/documents").status_code == 403, role
        assert web.post("/settings/documents", FORM).status_code == 403, role
