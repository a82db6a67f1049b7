"""Booking and inventory pages: the list by status, booking with units left, the state
machine's next steps only, cancel with refund and the payout; empty, errors, roles."""

from __future__ import annotations

import re

from tests.journey.helpers import SALES, lead_status
from tests.money.conftest import BOOKINGS, book, buyer, new_inventory, post
from tests.support import TenantWorld
from tests.web.support import WebClient, text_of


def _buttons(page_text: str) -> list[str]:
    return re.findall(r'name="status" value="([a-z_]+)"', page_text)


def test_a_first_day_tenant_sees_empty_bookings_inventory_and_booking_form(
    admin_web: WebClient,
) -> None:
    listing = admin_web.get("/bookings")
    assert listing.status_code == 200
    assert "No bookings yet." in listing.text
    assert "0 All" in text_of(listing)
    assert "No inventory yet." in admin_web.get("/inventory").text
    form = admin_web.get("/bookings/new")
    assert "There is no inventory to book yet." in form.text
    assert "There are no customers yet." in form.text


def test_inventory_is_added_edited_and_refused_beside_the_field(
    admin_web: WebClient, world: TenantWorld
) -> None:
    admin_web.get("/inventory")
    added = admin_web.post(
        "/inventory", {"project": "Whitefield Towers", "unit_type": "3BHK", "total_units": "4"}
    )
    assert added.status_code == 200
    assert "Inventory created." in added.text
    again = admin_web.post(
        "/inventory", {"project": "Whitefield Towers", "unit_type": "3BHK", "total_units": "9"}
    )
    assert again.status_code == 422
    assert 'id="unit_type-error"' in again.text
    assert "already has an inventory row for 3BHK" in again.text
    assert 'value="9"' in again.text  # what was typed is kept
    bad = admin_web.post("/inventory", {"project": "X", "unit_type": "1BHK", "total_units": "-1"})
    assert bad.status_code == 422
    assert 'id="total_units-error"' in bad.text

    row = world.admin.ok("GET", f"{SALES}/inventory")["items"][0]
    _lead, customer = buyer(world.admin)
    book(world.admin, customer, row["id"], unit_count=3)
    admin_web.get(f"/inventory/{row['id']}/edit")
    fewer = admin_web.post(
        f"/inventory/{row['id']}/edit",
        {"project": "Whitefield Towers", "unit_type": "3BHK", "total_units": "2"},
    )
    assert fewer.status_code == 422
    assert "Bookings hold 3 units" in fewer.text
    more = admin_web.post(
        f"/inventory/{row['id']}/edit",
        {"project": "Whitefield Towers", "unit_type": "3BHK", "total_units": "10"},
    )
    assert "Inventory updated." in more.text
    text = text_of(more)
    assert "Whitefield Towers 3BHK 10 3 7" in text


def test_booking_shows_units_left_and_refuses_too_many_beside_the_field(
    admin_web: WebClient, world: TenantWorld
) -> None:
    stock = new_inventory(world.admin, total=2)
    lead_id, customer = buyer(world.admin)
    form = admin_web.get("/bookings/new")
    assert "Whitefield Towers · 3BHK — 2 of 2 left" in form.text
    typed = {
        "customer_id": customer,
        "inventory_id": stock["id"],
        "unit_count": "3",
        "booking_amount": "45,00,000",
        "notes": "corner unit",
    }
    refused = admin_web.post("/bookings/new", typed)
    assert refused.status_code == 422
    assert 'id="unit_count-error"' in refused.text
    assert "Only 2 3BHK units left in Whitefield Towers" in refused.text
    assert 'value="45,00,000"' in refused.text
    assert "corner unit" in refused.text
    missing = admin_web.post("/bookings/new", {**typed, "booking_amount": ""})
    assert 'id="booking_amount-error"' in missing.text

    made = admin_web.post("/bookings/new", {**typed, "unit_count": "1", "status": "confirmed"})
    assert made.status_code == 200
    assert "Booking created." in made.text
    page = text_of(made)
    assert "₹45,00,000" in page
    assert "1 (1 left in this inventory)" in page
    assert lead_status(world.admin, lead_id) == "converted"
    assert "Converted" in page
    listed = world.admin.ok("GET", BOOKINGS)["items"]
    assert [b["status"] for b in listed] == ["confirmed"]
    assert "Whitefield Towers · 3BHK — 1 of 2 left" in admin_web.get("/bookings/new").text


def test_list_counts_by_status_and_filters(admin_web: WebClient, world: TenantWorld) -> None:
    stock = new_inventory(world.admin, total=10)
    other = new_inventory(world.admin, total=5, project="Green Valley", unit_type="2BHK")
    _l1, ravi = buyer(world.admin, "Ravi Kumar")
    _l2, asha = buyer(world.admin, "Asha Rao")
    book(world.admin, ravi, stock["id"])
    book(world.admin, ravi, stock["id"], status="confirmed")
    book(world.admin, asha, other["id"], status="on_hold", booking_date="2025-12-05")
    page = admin_web.get("/bookings")
    counts = dict(re.findall(r'data-status="([a-z_]+)">\s*<span class="count">(\d+)', page.text))
    assert counts == {
        "all": "3",
        "pending": "1",
        "confirmed": "1",
        "on_hold": "1",
        "completed": "0",
        "cancelled": "0",
    }
    held = admin_web.get("/bookings", params={"status": "on_hold"})
    assert text_of(held).count("BKG-") == 1
    assert "Asha Rao" in held.text
    by_customer = admin_web.get("/bookings", params={"customer_id": ravi})
    assert text_of(by_customer).count("BKG-") == 2
    by_project = admin_web.get("/bookings", params={"project": "Green Valley"})
    assert text_of(by_project).count("BKG-") == 1
    dated = admin_web.get(
        "/bookings", params={"booking_date_from": "2025-12-01", "booking_date_to": "2025-12-31"}
    )
    assert text_of(dated).count("BKG-") == 1
    backwards = admin_web.get(
        "/bookings", params={"booking_date_from": "2025-12-31", "booking_date_to": "2025-12-01"}
    )
    assert "The end is before the start; ignored." in backwards.text
    nonsense = admin_web.get("/bookings", params={"status": "sold", "customer_id": "x"})
    assert nonsense.status_code == 200
    assert nonsense.text.count("Not a valid choice; ignored.") == 2
    assert (
        "No booking matches these filters."
        in admin_web.get("/bookings", params={"status": "cancelled"}).text
    )


def test_only_the_next_states_are_offered_and_a_forced_move_is_refused(
    admin_web: WebClient, world: TenantWorld
) -> None:
    stock = new_inventory(world.admin)
    lead_id, customer = buyer(world.admin)
    booking = book(world.admin, customer, stock["id"])
    url = f"/bookings/{booking['id']}"
    assert _buttons(admin_web.get(url).text) == ["confirmed", "on_hold"]
    held = admin_web.post(f"{url}/status", {"status": "on_hold"})
    assert "Booking on hold." in held.text
    assert _buttons(held.text) == ["pending", "confirmed"]
    forced = admin_web.post(f"{url}/status", {"status": "completed"})
    assert forced.status_code == 409
    assert "cannot become completed" in forced.text
    assert admin_web.post(f"{url}/status", {"status": "cancelled"}).status_code == 409
    confirmed = admin_web.post(f"{url}/status", {"status": "confirmed"})
    assert "Booking confirmed." in confirmed.text
    assert _buttons(confirmed.text) == ["completed"]
    assert lead_status(world.admin, lead_id) == "converted"
    done = admin_web.post(f"{url}/status", {"status": "completed"})
    assert _buttons(done.text) == []
    assert "Cancel this booking" not in done.text
    assert world.admin.ok("GET", f"{BOOKINGS}/{booking['id']}")["status"] == "completed"


def test_cancel_with_refund_no_more_than_paid_then_pay_it_out(
    admin_web: WebClient, world: TenantWorld
) -> None:
    stock = new_inventory(world.admin)
    lead_id, customer = buyer(world.admin)
    booking = book(world.admin, customer, stock["id"], status="confirmed")
    post(
        world.admin,
        customer,
        "payment",
        "500000.00",
        reference_document_type="booking",
        reference_document_id=booking["id"],
    )
    url = f"/bookings/{booking['id']}"
    page = admin_web.get(url)
    assert "At most what was paid: ₹5,00,000" in page.text
    too_much = admin_web.post(
        f"{url}/cancel", {"reason": "Changed plans", "refund_amount": "6,00,000"}
    )
    assert too_much.status_code == 422
    assert 'id="cancel-refund_amount-error"' in too_much.text
    assert "Changed plans" in too_much.text
    no_reason = admin_web.post(f"{url}/cancel", {"reason": "", "refund_amount": "1"})
    assert 'id="cancel-reason-error"' in no_reason.text
    cancelled = admin_web.post(
        f"{url}/cancel", {"reason": "Changed plans", "refund_amount": "4,00,000"}
    )
    assert "Booking cancelled." in cancelled.text
    assert lead_status(world.admin, lead_id) == "lost"
    text = text_of(cancelled)
    assert "Refund due ₹4,00,000" in text
    assert _buttons(cancelled.text) == []
    over = admin_web.post(f"{url}/refund", {"amount": "5,00,000"})
    assert over.status_code == 422
    assert 'id="refund-amount-error"' in over.text
    paid = admin_web.post(f"{url}/refund", {"amount": "4,00,000"})
    assert "Booking refunded." in paid.text
    assert "Pay out the refund" not in paid.text
    ledger = world.admin.ok("GET", f"{SALES}/ledger/{customer}")
    assert ledger["summary"]["outstanding"] == "0.00"
    assert ledger["summary"]["total_refunded"] == "400000.00"


def test_reps_get_no_money_pages_and_forced_posts_are_refused(
    rep_web: WebClient, viewer_web: WebClient, world: TenantWorld
) -> None:
    stock = new_inventory(world.admin)
    _lead, customer = buyer(world.admin)
    booking = book(world.admin, customer, stock["id"])
    assert "/bookings" not in rep_web.get("/leads").text
    for url in ("/bookings", "/inventory", "/bookings/new", f"/bookings/{booking['id']}"):
        assert rep_web.get(url).status_code == 403, url
    assert (
        rep_web.post(f"/bookings/{booking['id']}/status", {"status": "confirmed"}).status_code
        == 403
    )
    rep_web.get("/leads")
    forced = rep_web.post(
        "/bookings/new",
        {"customer_id": customer, "inventory_id": stock["id"], "booking_amount": "1"},
    )
    assert forced.status_code == 403
    # A viewer reads but is offered no action, and a forced one is refused.
    page = viewer_web.get(f"/bookings/{booking['id']}")
    assert page.status_code == 200
    assert _buttons(page.text) == []
    assert "Cancel this booking" not in page.text
    assert "New booking" not in viewer_web.get("/bookings").text
    assert "Add inventory" not in viewer_web.get("/inventory").text
    refused = viewer_web.post(f"/bookings/{booking['id']}/status", {"status": "confirmed"})
    assert refused.status_code == 403
    assert world.admin.ok("GET", f"{BOOKINGS}/{booking['id']}")["status"] == "pending"


def test_another_tenants_booking_is_not_found(
    admin_web: WebClient, other_world: TenantWorld
) -> None:
    stock = new_inventory(other_world.admin)
    _lead, customer = buyer(other_world.admin)
    theirs = book(other_world.admin, customer, stock["id"])
    assert admin_web.get(f"/bookings/{theirs['id']}").status_code == 404
    admin_web.get("/bookings")
    assert admin_web.post(f"/bookings/{theirs['id']}/cancel", {"reason": "x"}).status_code == 404
    assert admin_web.get(f"/inventory/{stock['id']}/edit").status_code == 404
    assert admin_web.get("/bookings/not-an-id").status_code == 404
