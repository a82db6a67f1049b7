"""The login throttle holds under concurrency, across app processes, and counts the real client.

Two real app servers (``salestrack serve``, one process each) share the test's database, as
two production app servers do. Bursts of simultaneous logins are split between them; a
401 is an attempt whose password was checked, a 429 one refused before any check.
(Issue 17, items 1 and 9.)
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx2 as httpx
import pytest
from pydantic import ValidationError
from sqlalchemy.orm import Session, sessionmaker

from salestrack.auth import throttle
from salestrack.core.config import Settings
from salestrack.core.tenancy import tenant_transaction
from tests.ops.real_server import serving
from tests.support import PASSWORD, TenantWorld

LIMIT = 5  # failures per account (the default)
PER_ADDRESS = 8
TOKEN = "/api/v1/auth/token"
BURST = 30


@pytest.fixture(scope="module")
def servers(settings: Settings) -> Iterator[tuple[str, str]]:
    """Two app processes: the first trusts no proxy (the default), the second trusts
    127.0.0.1 (a proxy on this machine) to name the client in X-Forwarded-For."""
    # A realistic hash cost, so checks overlap the way they do in production.
    common = {
        "argon2_time_cost": "2",
        "argon2_memory_kib": "16384",
        "login_max_failures_per_address": str(PER_ADDRESS),
    }
    with serving(settings, common, {**common, "trusted_proxies": "127.0.0.1"}) as (plain, proxied):
        yield plain, proxied


def _login(base: str, tenant: str, email: str, password: str, **headers: str) -> httpx.Response:
    return httpx.post(
        f"{base}{TOKEN}",
        headers={"X-Tenant-ID": tenant, **headers},
        data={"username": email, "password": password},
        timeout=60,
    )


def _burst(servers: tuple[str, str], tenant: str, email: str, passwords: list[str]) -> Counter[int]:
    """Send every login at once, alternating between the two processes; the statuses."""
    with ThreadPoolExecutor(max_workers=len(passwords)) as pool:
        answers = pool.map(
            lambda i: _login(servers[i % 2], tenant, email, passwords[i]).status_code,
            range(len(passwords)),
        )
        return Counter(answers)


def test_a_burst_across_two_processes_checks_at_most_the_limit(
    servers: tuple[str, str], world: TenantWorld
) -> None:
    email = world.rep.email
    statuses = _burst(servers, world.slug, email, [f"wrong-guess-{i}" for i in range(BURST)])
    assert set(statuses) <= {401, 429}, statuses  # never a 5xx
    assert statuses[401] == LIMIT, statuses  # the limit was checked, not one more
    assert statuses[401] + statuses[429] == BURST
    # Locked: the right password is refused, by either process, even in a burst of its own.
    again = _burst(servers, world.slug, email, [PASSWORD] * 10)
    assert again == Counter({429: 10}), again
    locked = _login(servers[1], world.slug, email, PASSWORD)
    assert locked.status_code == 429
    assert 0 < int(locked.headers["Retry-After"]) <= 900


def test_successes_among_failures_never_give_a_server_error(
    servers: tuple[str, str], world: TenantWorld
) -> None:
    """A success clears its account's count while failures are counted: no 500."""
    passwords = [f"wrong-{i}" if i % 3 == 0 else PASSWORD for i in range(BURST)]
    statuses = _burst(servers, world.slug, world.manager.email, passwords)
    assert set(statuses) <= {200, 401, 429}, statuses
    assert statuses[200] >= 1, statuses


def test_x_forwarded_for_is_ignored_unless_from_a_trusted_proxy(
    servers: tuple[str, str], world: TenantWorld
) -> None:
    plain, proxied = servers
    # Without a trusted proxy, a client naming a new address each time is still one address.
    for i in range(PER_ADDRESS):
        assert _wrong(plain, world, i, forwarded=f"198.51.100.{i}").status_code == 401
    assert _wrong(plain, world, 99, forwarded="198.51.100.99").status_code == 429
    # Behind a trusted proxy, the address the proxy names is the one counted ...
    for i in range(PER_ADDRESS + 2):
        assert _wrong(proxied, world, 100 + i, forwarded=f"203.0.113.{i}").status_code == 401
    # ... so one client behind it is blocked on its own, after the limit.
    for i in range(PER_ADDRESS):
        assert _wrong(proxied, world, 200 + i, forwarded="192.0.2.7").status_code == 401
    assert _wrong(proxied, world, 299, forwarded="192.0.2.7").status_code == 429
    assert _wrong(proxied, world, 300, forwarded="192.0.2.8").status_code == 401


def _wrong(base: str, world: TenantWorld, n: int, *, forwarded: str) -> httpx.Response:
    """A failed login for an account nobody has (so no account bucket fills)."""
    email = f"nobody-{n}@{world.slug}.example.com"
    return _login(base, world.slug, email, "not the password", **{"X-Forwarded-For": forwarded})


def test_trusted_proxies_are_addresses_or_networks_only() -> None:
    settings = Settings(trusted_proxies=" 10.0.0.5 , 10.1.0.0/16,")
    assert settings.trusted_proxies == "10.0.0.5,10.1.0.0/16"
    assert Settings().trusted_proxies == ""  # by default no client may name another
    for wrong in ("*", "proxy.example.com", "10.0.0.300"):
        with pytest.raises(ValidationError):
            Settings(trusted_proxies=wrong)


def test_a_bucket_grants_the_limit_per_window_and_takes_back_released_attempts(
    world: TenantWorld, session_factory: sessionmaker[Session]
) -> None:
    def reserve(window: int = 900) -> throttle.Reservation:
        with tenant_transaction(session_factory, world.tenant_id) as session:
            return throttle.reserve(
                session, tenant_id=world.tenant_id, bucket="b", limit=2, window_seconds=window
            )

    assert [reserve().granted for _ in range(4)] == [True, True, False, False]
    refused = reserve()
    assert not refused.granted
    assert 890 <= refused.retry_after <= 900
    assert reserve(window=0).granted  # the window ran out: counting starts again at 1
    with tenant_transaction(session_factory, world.tenant_id) as session:
        throttle.release(session, tenant_id=world.tenant_id, bucket="b")  # back to 0
    assert [reserve().granted for _ in range(3)] == [True, True, False]
