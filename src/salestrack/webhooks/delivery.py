"""Sending one delivery over HTTP: signed, to a checked address, with timeouts, no redirects.

The client ignores proxy settings from the environment (a proxy would connect to the target
for us, past the address check) and connects to the address ``targets.resolve`` checked,
naming the real host in ``Host`` and, for https, in TLS (SNI and certificate check).
"""

from __future__ import annotations

import ipaddress
import time
from dataclasses import dataclass

import httpx2 as httpx

from salestrack.webhooks import signing, targets

USER_AGENT = "salestrack-webhooks/1"


@dataclass(frozen=True)
class Outcome:
    """How an attempt ended: ``error`` None for a 2xx answer; ``permanent`` when trying
    again cannot help (the target is refused)."""

    error: str | None
    response_code: int | None = None
    permanent: bool = False


def client(timeout_seconds: float) -> httpx.Client:
    """One client per worker: pooled connections, bounded waits, redirects not followed."""
    timeout = httpx.Timeout(timeout_seconds, connect=min(timeout_seconds, 5.0))
    return httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False)


def send(
    http: httpx.Client,
    *,
    url: str,
    secret: str,
    message_id: str,
    body: str,
    allow_private: bool,
) -> Outcome:
    """POST ``body`` to ``url``, signed for this attempt."""
    try:
        target = targets.resolve(url, allow_private=allow_private)
    except targets.TargetRefused as exc:
        return Outcome(error=f"refused: {exc}", permanent=True)
    headers = {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "host": target.url.netloc.rpartition("@")[2],
        **signing.headers(secret, message_id=message_id, timestamp=int(time.time()), body=body),
    }
    extensions = {"sni_hostname": target.host} if target.url.scheme == "https" else {}
    try:
        with http.stream(
            "POST",
            _pinned_url(target),
            content=body.encode(),
            headers=headers,
            extensions=extensions,
        ) as response:
            code = response.status_code
    except httpx.TimeoutException:
        return Outcome(error="timed out")
    except httpx.HTTPError as exc:
        return Outcome(error=f"{type(exc).__name__}: {exc}"[:500])
    if 200 <= code < 300:
        return Outcome(error=None, response_code=code)
    if 300 <= code < 400:
        return Outcome(error=f"HTTP {code} (redirects are not followed)", response_code=code)
    return Outcome(error=f"HTTP {code}", response_code=code)


def _pinned_url(target: targets.Target) -> str:
    address = target.address
    host = f"[{address}]" if isinstance(address, ipaddress.IPv6Address) else str(address)
    parts = target.url
    path = parts.path or "/"
    query = f"?{parts.query}" if parts.query else ""
    return f"{parts.scheme}://{host}:{target.port}{path}{query}"
