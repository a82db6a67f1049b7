"""The tenant's document settings over the API: letterhead, GST state and rates, logo."""

from __future__ import annotations

import io

from PIL import Image

from tests.documents.support import GSTIN, LETTERHEAD, SETTINGS, png, set_letterhead
from tests.support import TenantWorld


def test_settings_start_empty_and_are_saved_whole(world: TenantWorld) -> None:
    fresh = world.admin.ok("GET", SETTINGS)
    assert fresh["legal_name"] == ""
    assert fresh["tax_rates"] == []
    assert not fresh["has_logo"]
    saved = set_letterhead(world.admin, gstin=GSTIN.lower())
    assert saved["gstin"] == GSTIN
    assert (saved["state_code"], saved["state_name"]) == ("29", "Karnataka")  # from the GSTIN
    rates = {r["charge_type"]: r["rate"] for r in saved["tax_rates"]}
    assert rates["base_price"] == "5.00"
    assert rates["club_membership"] == "18.00"
    assert world.manager.ok("GET", SETTINGS) == saved
    # A PUT is the whole: what is left out is cleared.
    cleared = world.admin.ok("PUT", SETTINGS, json={"legal_name": "Sea View"})
    assert cleared["gstin"] is None
    assert cleared["tax_rates"] == []


def test_bad_identifiers_are_refused_and_nothing_is_saved(world: TenantWorld) -> None:
    set_letterhead(world.admin)
    cases = [
        ({"gstin": GSTIN[:-1] + "X"}, "gstin"),  # wrong check character
        ({"state_code": "27"}, "registered in state 29"),  # GSTIN of Karnataka
        ({"pan": "AAPFU0939G"}, "PAN"),  # not the GSTIN's
        ({"state_code": "25"}, "state_code"),  # merged into 26 in 2020
        ({"tax_rates": [{"charge_type": "other", "rate": "101"}]}, "rate"),
        ({"tax_rates": [{"charge_type": "other", "rate": "5"}] * 2}, "once"),
        ({"bank_ifsc": "HDFC123"}, "bank_ifsc"),
    ]
    for change, said in cases:
        response = world.admin.request("PUT", SETTINGS, json={**LETTERHEAD, **change})
        assert response.status_code == 422, (change, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        assert said in response.text
    assert world.admin.ok("GET", SETTINGS)["gstin"] == GSTIN


def test_roles_and_tenants(world: TenantWorld, other_world: TenantWorld) -> None:
    assert world.rep.get(SETTINGS).status_code == 403  # a sales rep sees no money
    assert world.manager.request("PUT", SETTINGS, json=LETTERHEAD).status_code == 403
    assert world.viewer.request("PUT", SETTINGS, json=LETTERHEAD).status_code == 403
    assert world.viewer.get(SETTINGS).status_code == 200
    set_letterhead(world.admin)
    assert other_world.admin.ok("GET", SETTINGS)["legal_name"] == ""


def test_logo_is_checked_stored_and_removed(world: TenantWorld, other_world: TenantWorld) -> None:
    logo = png()
    saved = world.admin.ok("PUT", f"{SETTINGS}/logo", files={"logo": ("l.png", logo, "image/png")})
    assert saved["has_logo"]
    assert saved["logo_type"] == "image/png"
    got = world.manager.get(f"{SETTINGS}/logo")
    assert got.status_code == 200
    assert got.content == logo
    assert got.headers["content-type"] == "image/png"
    assert other_world.admin.get(f"{SETTINGS}/logo").status_code == 404

    jpeg = io.BytesIO()
    Image.new("RGB", (10, 10)).save(jpeg, "JPEG")
    bad = [
        (b"GIF89a not really", "not a readable"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 40, "not a readable"),
        (b"", "empty"),
        (png(4100, 10), "4000"),
        (b"\xff" * (512 * 1024 + 1), "at most"),
    ]
    for content, said in bad:
        response = world.admin.request(
            "PUT", f"{SETTINGS}/logo", files={"logo": ("x", content, "image/png")}
        )
        assert response.status_code == 422, (said, response.text)
        assert said in response.json()["detail"]
    gif = io.BytesIO()
    Image.new("RGB", (10, 10)).save(gif, "GIF")
    response = world.admin.request(
        "PUT", f"{SETTINGS}/logo", files={"logo": ("x.gif", gif.getvalue())}
    )
    assert response.status_code == 422
    assert "PNG or JPEG" in response.json()["detail"]
    assert world.manager.get(f"{SETTINGS}/logo").content == logo  # the refused left it as was

    replaced = world.admin.ok(
        "PUT", f"{SETTINGS}/logo", files={"logo": ("l.jpg", jpeg.getvalue(), "image/jpeg")}
    )
    assert replaced["logo_type"] == "image/jpeg"
    assert (
        world.manager.request("PUT", f"{SETTINGS}/logo", files={"logo": ("l", logo)}).status_code
        == 403
    )
    world.admin.ok("DELETE", f"{SETTINGS}/logo", 204)
    assert world.admin.get(f"{SETTINGS}/logo").status_code == 404
    assert not world.admin.ok("GET", SETTINGS)["has_logo"]
