"""Secrets never enter the audit log: it says a password was set or changed, not to what."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import text

from salestrack.audit.models import AuditEntry
from salestrack.auth import service as auth
from salestrack.core import migrate
from salestrack.core.db import UTCDateTime, make_engine, utcnow
from tests.databases import BACKENDS, TEST_APP_ROLE, empty_database
from tests.support import TenantWorld

AUDIT = "/api/v1/sales/audit"


def test_password_set_and_changed_are_logged_without_the_hash(world: TenantWorld) -> None:
    api = world.admin
    body = {"email": "new.rep@example.com", "password": "first-password-123", "role": "sales_rep"}
    user = api.ok("POST", "/api/v1/sales/users", 201, json=body)
    api.ok("PATCH", f"/api/v1/sales/users/{user['id']}", json={"password": "second-pass-4567"})
    log = api.ok("GET", AUDIT, params={"entity": "user", "entity_id": user["id"]})
    entries = log["items"] if isinstance(log, dict) else log
    text_of_log = json.dumps(entries)
    assert "argon2" not in text_of_log
    by_action = {entry["action"]: entry["changes"] for entry in entries}
    assert by_action["create"]["password_hash"] == "(changed)"
    assert by_action["update"]["password_hash"] == "(changed)"
    assert by_action["create"]["email"] == "new.rep@example.com"  # the rest is still logged


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_upgrade_scrubs_hashes_logged_before_it(backend: str, tmp_path: Path) -> None:
    with empty_database(backend, tmp_path) as url:
        migrate.upgrade(url, "0007", app_role=TEST_APP_ROLE)
        engine = make_engine(url)
        try:
            tenant_id = auth.tenant_id_for("old-log")
            # The tenant as revision 0007 knows it (the model may have grown since).
            tenants = sa.table(
                "tenants",
                sa.column("tenant_id", sa.Uuid()),
                sa.column("slug", sa.String()),
                sa.column("name", sa.String()),
                sa.column("locale", sa.String()),
                sa.column("currency", sa.String()),
                sa.column("timezone", sa.String()),
                sa.column("created_at", UTCDateTime()),
            )
            with engine.begin() as connection:
                connection.execute(
                    tenants.insert().values(
                        tenant_id=tenant_id,
                        slug="old-log",
                        name="Old Log",
                        locale="en_IN",
                        currency="INR",
                        timezone="Asia/Kolkata",
                        created_at=utcnow(),
                    )
                )
            legacy = {"email": "a@b.example.com", "password_hash": "$argon2id$v=19$m=65536$x"}
            changed = {"password_hash": {"from": "$argon2id$old", "to": "$argon2id$new"}}
            with engine.begin() as connection:
                for action, changes in (("create", legacy), ("update", changed)):
                    connection.execute(
                        AuditEntry.__table__.insert().values(
                            tenant_id=tenant_id,
                            id=uuid.uuid4(),
                            entity="user",
                            entity_id=uuid.uuid4(),
                            action=action,
                            at=utcnow(),
                            changes=changes,
                        )
                    )
            migrate.upgrade(url, app_role=TEST_APP_ROLE)
            with engine.connect() as connection:
                rows = connection.execute(text("SELECT changes FROM audit_log")).scalars().all()
        finally:
            engine.dispose()
    logged = [row if isinstance(row, dict) else json.loads(row) for row in rows]
    assert "argon2" not in json.dumps(logged)
    assert sorted(entry["password_hash"] for entry in logged) == ["(changed)", "(changed)"]
    assert {"email": "a@b.example.com", "password_hash": "(changed)"} in logged
