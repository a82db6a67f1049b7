"""Every create, update and delete leaves who, when, what and the changed fields."""

from __future__ import annotations

from tests.support import TenantWorld


def test_lead_history_in_the_audit_log(world: TenantWorld, other_world: TenantWorld) -> None:
    rep, admin = world.rep, world.admin
    lead = rep.ok("POST", "/api/v1/sales/leads", 201, json={"name": "Audit Me", "company": "Acme"})
    rep.ok(
        "PATCH", f"/api/v1/sales/leads/{lead['id']}", json={"company": "Bosch", "name": "Audit Me"}
    )
    admin.ok("DELETE", f"/api/v1/sales/leads/{lead['id']}", 204)

    entries = admin.ok(
        "GET", "/api/v1/sales/audit", params={"entity": "lead", "entity_id": lead["id"]}
    )
    assert [e["action"] for e in entries] == ["create", "update", "delete"]
    created, updated, deleted = entries
    assert created["actor_id"] == str(rep.user_id)
    assert created["changes"]["name"] == "Audit Me"
    assert updated["changes"] == {"company": {"from": "Acme", "to": "Bosch"}}
    assert deleted["actor_id"] == str(admin.user_id)
    assert "deleted_at" in deleted["changes"]
    assert (
        other_world.admin.ok(
            "GET", "/api/v1/sales/audit", params={"entity": "lead", "entity_id": lead["id"]}
        )
        == []
    )


def test_other_kinds_are_audited_by_their_singular_name(world: TenantWorld) -> None:
    admin = world.admin
    source = admin.ok(
        "POST",
        "/api/v1/sales/lead-sources",
        201,
        json={"source_type": "website", "channel": "Direct"},
    )
    entries = admin.ok("GET", "/api/v1/sales/audit", params={"entity": "lead_source"})
    assert [(e["entity_id"], e["action"]) for e in entries] == [(source["id"], "create")]
    assert admin.get("/api/v1/sales/audit", params={"entity": "Lead; DROP"}).status_code == 422


def test_a_change_that_changes_nothing_is_not_logged(world: TenantWorld) -> None:
    admin = world.admin
    lead = admin.ok("POST", "/api/v1/sales/leads", 201, json={"name": "Same"})
    admin.ok("PATCH", f"/api/v1/sales/leads/{lead['id']}", json={"name": "Same"})
    entries = admin.ok(
        "GET", "/api/v1/sales/audit", params={"entity": "lead", "entity_id": lead["id"]}
    )
    assert [e["action"] for e in entries] == ["create"]
