"""Registering endpoints: admins only, secrets shown once, private targets refused (at
registration and again at delivery), and no tenant ever sees or receives another's."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from salestrack.core.config import Settings
from salestrack.core.worker import Worker
from salestrack.webhooks import delivery, targets
from salestrack.webhooks import worker as webhook_tasks
from tests.journey.helpers import new_lead
from tests.support import TenantWorld
from tests.webhooks.conftest import ENDPOINTS, deliveries, drain, register, settled
from tests.webhooks.receiver import running

REFUSED_URLS = [
    "https://127.0.0.1/hooks",
    "https://localhost:8443/hooks",
    "https://10.1.2.3/hooks",
    "https://192.168.0.10/hooks",
    "https://169.254.169.254/latest/meta-data",
    "https://100.64.0.1/hooks",
    "https://[::1]/hooks",
    "https://[::ffff:127.0.0.1]/hooks",
    "https://[fe80::1]/hooks",
    "https://0.0.0.0/hooks",
    "https://224.0.0.1/hooks",  # multicast
    "https://[ff02::1]/hooks",
    "https://[::7f00:1]/hooks",  # IPv4-compatible 127.0.0.1
    "https://[::ffff:0:a00:1]/hooks",  # IPv4-translated 10.0.0.1
    "https://[64:ff9b::a9fe:a9fe]/hooks",  # NAT64 of 169.254.169.254
    "https://[2002:7f00:1::]/hooks",  # 6to4 of 127.0.0.1
    "https://2130706433/hooks",  # 127.0.0.1 in the resolver's legacy forms
    "https://0x7f.1/hooks",
    "https://017700000001/hooks",
    "https://127.1/hooks",
    "https://0251.0376.0251.0376/hooks",  # 169.254.169.254
    "http://hooks.example.com/in",
    "ftp://hooks.example.com/in",
    "https://user:pw@hooks.example.com/in",
    "https:///no-host",
    "https://hooks.example.com/in#part",
    "https://hooks.example.com/a b",
    "https://hooks.example.com:70000/in",
    "hooks.example.com/in",
]


@pytest.mark.parametrize("url", REFUSED_URLS)
def test_a_private_or_malformed_target_is_refused_without_the_setting(
    world: TenantWorld, url: str
) -> None:
    response = world.admin.post(ENDPOINTS, json={"url": url, "events": ["lead.created"]})
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "url" in response.json()["detail"]
    assert world.admin.ok("GET", ENDPOINTS) == []


def test_a_public_https_endpoint_is_registered_and_its_secret_shown_once(
    world: TenantWorld,
) -> None:
    api = world.admin
    body = {"url": "https://hooks.example.com/in", "events": ["lead.created", "ledger.posted"]}
    created = api.ok("POST", ENDPOINTS, 201, json=body)
    assert created["secret"].startswith("whsec_")
    assert "secret" not in api.ok("GET", f"{ENDPOINTS}/{created['id']}")
    assert all("secret" not in e for e in api.ok("GET", ENDPOINTS))
    audit = api.ok(
        "GET",
        "/api/v1/sales/audit",
        params={"entity": "webhook_endpoint", "entity_id": created["id"]},
    )
    assert created["secret"] not in str(audit)
    assert audit[0]["changes"]["secret"] == "(changed)"
    changed = api.ok("PATCH", f"{ENDPOINTS}/{created['id']}", json={"events": ["lead.assigned"]})
    assert changed["events"] == ["lead.assigned"]
    api.ok("PATCH", f"{ENDPOINTS}/{created['id']}", 422, json={"url": "https://10.0.0.1/"})
    api.ok("DELETE", f"{ENDPOINTS}/{created['id']}", 204)
    api.ok("GET", f"{ENDPOINTS}/{created['id']}", 404)


@pytest.mark.parametrize(
    "body",
    [
        {"url": "https://hooks.example.com/in", "events": []},
        {"url": "https://hooks.example.com/in", "events": ["lead.exploded"]},
        {"url": "https://hooks.example.com/in"},
        {"url": "https://hooks.example.com/in\x00", "events": ["lead.created"]},
        {"url": "https://hooks.example.com/in", "events": ["lead.created"], "secret": "mine"},
    ],
)
def test_bad_endpoint_bodies_are_422(world: TenantWorld, body: dict[str, Any]) -> None:
    world.admin.ok("POST", ENDPOINTS, 422, json=body)


def test_only_admins_manage_endpoints(world: TenantWorld) -> None:
    body = {"url": "https://hooks.example.com/in", "events": ["lead.created"]}
    for client in (world.manager, world.rep, world.viewer):
        assert client.get(ENDPOINTS).status_code == 403
        assert client.post(ENDPOINTS, json=body).status_code == 403


def test_tenant_a_never_receives_or_sees_tenant_b_events(
    hook_http: Any, session_factory: sessionmaker[Session], worker: Worker
) -> None:
    from tests.support import build_tenant

    a, b = build_tenant(hook_http, session_factory), build_tenant(hook_http, session_factory)
    worker.only = frozenset({a.tenant_id, b.tenant_id})
    with running() as to_a, running() as to_b:
        a_endpoint, a_secret = register(a.admin, to_a.url)
        b_endpoint, b_secret = register(b.admin, to_b.url)
        new_lead(b.admin, name="Only B")
        new_lead(a.admin, name="Only A")
        drain(worker, settled(b.admin, b_endpoint, 2))  # lead.created + its milestone
        drain(worker, settled(a.admin, a_endpoint, 2))
        got_a, got_b = to_a.verified(a_secret), to_b.verified(b_secret)
    assert {p["data"].get("name") for p in got_a if p["type"] == "lead.created"} == {"Only A"}
    assert {p["data"].get("name") for p in got_b if p["type"] == "lead.created"} == {"Only B"}
    assert not set(to_a.ids()) & set(to_b.ids())
    [b_delivery, *_] = deliveries(b.admin, b_endpoint)
    a.admin.ok("GET", f"{ENDPOINTS}/{b_endpoint}", 404)
    a.admin.ok("GET", f"{ENDPOINTS}/{b_endpoint}/deliveries", 404)
    a.admin.ok("POST", f"{ENDPOINTS}/{b_endpoint}/deliveries/{b_delivery['id']}/replay", 404)
    a.admin.ok("POST", f"{ENDPOINTS}/{a_endpoint}/deliveries/{b_delivery['id']}/replay", 404)
    a.admin.ok("DELETE", f"{ENDPOINTS}/{b_endpoint}", 404)
    assert [e["id"] for e in a.admin.ok("GET", ENDPOINTS)] == [a_endpoint]


@pytest.fixture
def strict_worker(
    hook_settings: Settings,
    engine: Engine,
    session_factory: sessionmaker[Session],
    hook_world: TenantWorld,
) -> Iterator[Worker]:
    """A worker run without SALESTRACK_WEBHOOK_ALLOW_PRIVATE."""
    strict = hook_settings.model_copy(update={"webhook_allow_private": False})
    with delivery.client(5.0) as http:
        tasks = webhook_tasks.tasks(strict, http)
        yield Worker(engine, session_factory, tasks, only=[hook_world.tenant_id])


def test_a_private_target_is_refused_at_delivery_without_the_setting(
    hook_world: TenantWorld, strict_worker: Worker
) -> None:
    api = hook_world.admin
    with running() as receiver:
        endpoint_id, _secret = register(api, receiver.url, ["lead.created"])
        new_lead(api)
        drain(strict_worker, settled(api, endpoint_id, 1))
    assert receiver.received == []
    [log] = deliveries(api, endpoint_id)
    assert log["status"] == "failed"
    assert log["attempts"] == 1  # refused for good: not retried
    # http:// to 127.0.0.1: refused for its scheme and its address alike
    assert log["last_error"].startswith("refused: ")


def test_every_address_of_a_name_is_checked_and_the_checked_one_is_used(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A name with a public and a private address is refused (DNS rebinding); a public one
    is connected to at the address that was checked, under its own name."""
    answers = {
        "mixed.example.com": ["93.184.215.14", "10.0.0.7"],
        "public.example.com": ["93.184.215.14"],
    }

    def fake_getaddrinfo(host: str, port: int, *args: Any, **kwargs: Any) -> list[Any]:
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, port)) for ip in answers[host]]

    monkeypatch.setattr(socket, "getaddrinfo", fake_getaddrinfo)
    with pytest.raises(targets.TargetRefused, match=r"10\.0\.0\.7"):
        targets.resolve("https://mixed.example.com/in", allow_private=False)
    target = targets.resolve("https://public.example.com:8443/in?x=1", allow_private=False)
    assert str(target.address) == "93.184.215.14"
    assert delivery._pinned_url(target) == "https://93.184.215.14:8443/in?x=1"
    assert target.host == "public.example.com"


def test_a_name_resolving_to_an_ipv6_form_of_a_private_address_is_refused_at_delivery(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """IPv6 forms that carry an inner IPv4 address (NAT64, 6to4, IPv4-compatible) and
    multicast are refused when a name resolves to them; public IPv6 still goes through."""
    answers = {
        "nat64.example.com": "64:ff9b::a00:7",
        "sixtofour.example.com": "2002:a00:7::1",
        "compat.example.com": "::7f00:1",
        "multicast.example.com": "ff0e::1",
        "public6.example.com": "2606:4700:4700::1111",
        "public6to4.example.com": "2002:5db8:d70e::1",
    }

    def fake_getaddrinfo(host: str, port: int, *args: Any, **kwargs: Any) -> list[Any]:
        return [(socket.AF_INET6, socket.SOCK_STREAM, 6, "", (answers[host], port, 0, 0))]

    monkeypatch.setattr(socket, "getaddrinfo", fake_getaddrinfo)
    for host in ("nat64", "sixtofour", "compat", "multicast"):
        with pytest.raises(targets.TargetRefused, match="address"):
            targets.resolve(f"https://{host}.example.com/in", allow_private=False)
    for host in ("public6", "public6to4"):
        target = targets.resolve(f"https://{host}.example.com/in", allow_private=False)
        assert str(target.address) == answers[f"{host}.example.com"]
