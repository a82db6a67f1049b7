"""Which URLs a webhook may be sent to: public https addresses, checked when an endpoint is
registered and again, after resolving the host, at every delivery.

Loopback, private, link-local (cloud metadata at 169.254.169.254), carrier-grade NAT,
multicast, reserved and unspecified addresses are refused: anything not globally routable,
so an endpoint cannot make the worker probe the network it runs in. The delivery connects
to the address that was checked (not to a second lookup's answer), so a name that resolves
to a public address when checked and to a private one a moment later (DNS rebinding) still
cannot reach the inside. ``SALESTRACK_WEBHOOK_ALLOW_PRIVATE=true`` lifts the address rule
and admits plain ``http://`` for an operator whose receivers are on their own network (and
for tests delivering to a receiver on this machine).
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

from salestrack.core.errors import Unprocessable

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class TargetRefused(Exception):
    """The URL may not be delivered to; the message says why."""


@dataclass(frozen=True)
class Target:
    """A URL with the address to connect to."""

    url: SplitResult
    host: str
    address: IPAddress
    port: int


def parse(url: str, *, allow_private: bool) -> SplitResult:
    """The URL's parts if its form is acceptable (https, a host, no credentials)."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a port out of range
    except ValueError as exc:
        raise TargetRefused(f"not a valid URL: {exc}") from exc
    allowed = ("https", "http") if allow_private else ("https",)
    if parts.scheme not in allowed:
        raise TargetRefused("the URL must start with https://")
    if not parts.hostname:
        raise TargetRefused("the URL has no host")
    if parts.username is not None or parts.password is not None:
        raise TargetRefused("the URL may not carry a user name or password")
    if parts.fragment:
        raise TargetRefused("the URL may not have a #fragment")
    return parts


GLOBAL_UNICAST_V6 = ipaddress.IPv6Network("2000::/3")


def _public(address: IPAddress) -> bool:
    """Globally routable unicast. ``is_global`` alone lets multicast through, and IPv6
    forms that carry an IPv4 address a gateway may hand on (IPv4-compatible ``::a.b.c.d``,
    translated ``::ffff:0:a.b.c.d``, NAT64 ``64:ff9b::/96``, 6to4 ``2002::/16``): an IPv6
    address must be global unicast (2000::/3) and a 6to4 one's IPv4 address public too."""
    if address.is_multicast or not address.is_global:
        return False
    if isinstance(address, ipaddress.IPv4Address):
        return True
    if address not in GLOBAL_UNICAST_V6:
        return False
    return address.sixtofour is None or _public(address.sixtofour)


def check_address(address: IPAddress, *, allow_private: bool) -> None:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if not allow_private and not _public(address):
        raise TargetRefused(
            f"{address} is a loopback, private, link-local, multicast or reserved address"
            " (an operator may allow these with SALESTRACK_WEBHOOK_ALLOW_PRIVATE)"
        )


def literal_address(host: str) -> IPAddress | None:
    """The address ``host`` spells, in any form the resolver reads as one: besides the
    usual ones the legacy IPv4 forms (``2130706433``, ``0x7f.1``, ``0177.0.0.1``,
    ``127.1``), which a lookup turns into an address without asking DNS."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if not host or not host.isascii() or not host.replace(".", "").isalnum():
        return None
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except OSError:
        return None


def check_registration(url: str, *, allow_private: bool) -> None:
    """422 for a URL that may never be delivered to. A host name is looked up at delivery
    (a name that does not resolve yet, or resolves elsewhere later, is checked then)."""
    try:
        parts = parse(url, allow_private=allow_private)
        address = literal_address(parts.hostname or "")
        if address is not None:
            check_address(address, allow_private=allow_private)
        elif (parts.hostname or "").rstrip(".").lower().endswith("localhost"):
            check_address(ipaddress.ip_address("127.0.0.1"), allow_private=allow_private)
    except TargetRefused as exc:
        raise Unprocessable(f"url: {exc}", field="url") from exc


def resolve(url: str, *, allow_private: bool) -> Target:
    """Resolve the URL's host and check every address it has; the first one is used."""
    parts = parse(url, allow_private=allow_private)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    literal = literal_address(host)
    if literal is not None:
        addresses: list[IPAddress] = [literal]
    else:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError as exc:
            raise TargetRefused(f"cannot resolve {host}: {exc}") from exc
        addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
        if not addresses:
            raise TargetRefused(f"{host} has no address")
    for address in addresses:
        check_address(address, allow_private=allow_private)
    return Target(url=parts, host=host, address=addresses[0], port=port)
