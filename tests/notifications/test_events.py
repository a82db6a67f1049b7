"""Each event reaches the lead's owner, and nobody else; amounts only to roles that see money."""

from __future__ import annotations

import uuid

from tests.journey.helpers import SALES, new_lead
from tests.money.conftest import LEDGER, book, new_customer, new_inventory, post
from tests.notifications.helpers import ME, kinds, notes_of, unread
from tests.support import TenantWorld, login


def _everyone_else(world: TenantWorld, owner: str) -> list[str]:
    return [role for role in ("admin", "manager", "rep", "viewer") if role != owner]


def test_an_assigned_lead_tells_its_new_owner_only(world: TenantWorld) -> None:
    lead = new_lead(world.admin, name="Meera Iyer", assigned_to=str(world.rep.user_id))

    [note] = notes_of(world.rep)
    assert note["kind"] == "lead_assigned"
    assert note["lead_id"] == lead["id"]
    assert note["link"] == f"/leads/{lead['id']}"
    assert "Meera Iyer" in note["message"]
    assert lead["lead_code"] in note["message"]
    assert note["read"] is False
    assert note["amount"] is None
    assert note["amount_hidden"] is False
    for role in _everyone_else(world, "rep"):
        assert notes_of(getattr(world, role)) == [], role

    # Handed over to the manager: the manager is told; the rep hears nothing more.
    world.admin.ok(
        "PATCH", f"{SALES}/leads/{lead['id']}", json={"assigned_to": str(world.manager.user_id)}
    )
    assert kinds(world.manager) == ["lead_assigned"]
    assert kinds(world.rep) == ["lead_assigned"]


def test_assigning_a_lead_to_yourself_tells_nobody(world: TenantWorld) -> None:
    new_lead(world.rep, name="Self Assigned", assigned_to=str(world.rep.user_id))
    lead = new_lead(world.manager, name="Taken Later")
    world.manager.ok(
        "PATCH", f"{SALES}/leads/{lead['id']}", json={"assigned_to": str(world.manager.user_id)}
    )
    for role in ("admin", "manager", "rep", "viewer"):
        assert notes_of(getattr(world, role)) == [], role


def test_a_deactivated_owner_is_told_nothing(world: TenantWorld) -> None:
    world.admin.ok("PATCH", f"{SALES}/users/{world.viewer.user_id}", json={"is_active": False})
    new_lead(world.admin, name="For Nobody", assigned_to=str(world.viewer.user_id))
    world.admin.ok("PATCH", f"{SALES}/users/{world.viewer.user_id}", json={"is_active": True})
    world.viewer.token = login(world.viewer.http, world.slug, world.viewer.email).json()[
        "access_token"
    ]  # deactivation ended the viewer's sessions
    assert notes_of(world.viewer) == []


def test_a_booking_tells_the_leads_owner_and_the_amount_only_to_money_roles(
    world: TenantWorld,
) -> None:
    units = new_inventory(world.admin)
    reps_lead = new_lead(world.admin, name="Rep Buyer", assigned_to=str(world.rep.user_id))
    managers_lead = new_lead(world.admin, name="Mgr Buyer", assigned_to=str(world.manager.user_id))
    before = {role: len(notes_of(getattr(world, role))) for role in ("admin", "manager", "rep")}

    customer = new_customer(world.admin, "Rep Buyer", lead_id=reps_lead["id"])
    booking = book(world.manager, customer["id"], units["id"], lead_id=reps_lead["id"])
    other = new_customer(world.admin, "Mgr Buyer", lead_id=managers_lead["id"])
    book(world.admin, other["id"], units["id"], lead_id=managers_lead["id"])

    rep_note = notes_of(world.rep)[0]
    assert rep_note["kind"] == "booking_created"
    assert booking["booking_code"] in rep_note["message"]
    assert rep_note["lead_id"] == reps_lead["id"]
    # A sales rep sees no money: the amount is withheld, and appears nowhere in the answer.
    assert rep_note["amount"] is None
    assert rep_note["amount_hidden"] is True
    assert "5000000" not in world.rep.get(ME).text
    manager_note = notes_of(world.manager)[0]
    assert manager_note["kind"] == "booking_created"
    assert manager_note["amount"] == "5000000.00"
    assert manager_note["amount_hidden"] is False
    assert len(notes_of(world.admin)) == before["admin"]  # the admin owns neither lead
    assert len(notes_of(world.rep)) == before["rep"] + 1
    assert len(notes_of(world.manager)) == before["manager"] + 1  # not for its own booking


def test_a_payment_tells_the_owners_of_the_customers_leads(world: TenantWorld) -> None:
    reps_lead = new_lead(world.admin, name="Anil Rao", assigned_to=str(world.rep.user_id))
    customer = new_customer(world.admin, "Anil Rao", lead_id=reps_lead["id"])
    # A second lead of the same buyer, owned by the manager, booked for this customer.
    units = new_inventory(world.admin)
    second = new_lead(world.admin, name="Anil Rao (2)", assigned_to=str(world.manager.user_id))
    book(world.admin, customer["id"], units["id"], lead_id=second["id"])
    post(world.admin, customer["id"], "invoice", "250000.00")  # not a payment: nobody told
    marks = {role: len(notes_of(getattr(world, role))) for role in ("admin", "manager", "rep")}

    entry = post(world.admin, customer["id"], "payment", "125000.50")

    [rep_note] = notes_of(world.rep)[: len(notes_of(world.rep)) - marks["rep"]]
    assert rep_note["kind"] == "payment_received"
    assert "Anil Rao" in rep_note["message"]
    assert rep_note["lead_id"] == reps_lead["id"]
    assert rep_note["amount"] is None
    assert rep_note["amount_hidden"] is True
    assert "125000" not in world.rep.get(ME).text
    [manager_note] = notes_of(world.manager)[: len(notes_of(world.manager)) - marks["manager"]]
    assert manager_note["kind"] == "payment_received"
    assert manager_note["lead_id"] == second["id"]
    assert manager_note["amount"] == "125000.50"
    assert len(notes_of(world.admin)) == marks["admin"]

    # Reversing the payment takes money back: nobody is told of a payment.
    world.admin.ok("POST", f"{LEDGER}/{entry['id']}/reverse", 201)
    assert len(notes_of(world.rep)) == marks["rep"] + 1


def test_a_payment_on_a_customer_without_owned_leads_tells_nobody(world: TenantWorld) -> None:
    customer = new_customer(world.admin, "Walk In")
    post(world.admin, customer["id"], "payment", "1000.00")
    for role in ("admin", "manager", "rep", "viewer"):
        assert notes_of(getattr(world, role)) == [], role


def test_unread_count_mark_read_and_mark_all_read(world: TenantWorld) -> None:
    for name in ("One", "Two", "Three"):
        new_lead(world.admin, name=name, assigned_to=str(world.rep.user_id))
    assert unread(world.rep) == 3
    newest = notes_of(world.rep)[0]

    marked = world.rep.ok("POST", f"{ME}/{newest['id']}/read")
    assert marked["read"] is True
    assert marked["read_at"] is not None
    again = world.rep.ok("POST", f"{ME}/{newest['id']}/read")
    assert again["read_at"] == marked["read_at"]  # reading it again keeps the first time
    assert unread(world.rep) == 2
    assert [n["id"] for n in notes_of(world.rep, unread=True)] == [
        n["id"] for n in notes_of(world.rep)[1:]
    ]

    assert world.rep.ok("POST", f"{ME}/read-all") == {"marked": 2}
    assert unread(world.rep) == 0
    assert notes_of(world.rep, unread=True) == []
    assert len(notes_of(world.rep)) == 3


def test_the_list_pages_newest_first(world: TenantWorld) -> None:
    names = [f"Lead {i}" for i in range(5)]
    for name in names:
        new_lead(world.admin, name=name, assigned_to=str(world.rep.user_id))
    seen = notes_of(world.rep, limit=2)
    assert [n["message"].split(": ", 1)[1].split(" (")[0] for n in seen] == names[::-1]
    first = world.rep.ok("GET", ME, params={"limit": 2})
    assert len(first["items"]) == 2
    assert first["next_cursor"]
    assert world.rep.get(ME, params={"limit": 0}).status_code == 422
    assert world.rep.get(ME, params={"cursor": "not-a-cursor"}).status_code == 422


def test_another_users_or_tenants_notification_is_404(
    world: TenantWorld, other_world: TenantWorld
) -> None:
    new_lead(world.admin, name="Private", assigned_to=str(world.rep.user_id))
    [note] = notes_of(world.rep)
    for reader in (world.admin, world.manager, other_world.rep, other_world.admin):
        response = reader.post(f"{ME}/{note['id']}/read")
        assert response.status_code == 404, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        assert note["id"] not in reader.get(ME).text
    missing = world.rep.post(f"{ME}/{uuid.uuid4()}/read")
    assert missing.status_code == 404
    assert world.rep.post(f"{ME}/read-all").json() == {"marked": 1}  # the rep's own, only
    assert world.admin.post(f"{ME}/read-all").json() == {"marked": 0}
    assert unread(world.rep) == 0


def test_notifications_need_a_login(world: TenantWorld) -> None:
    assert world.rep.http.get(ME, headers={"X-Tenant-ID": world.slug}).status_code == 401
