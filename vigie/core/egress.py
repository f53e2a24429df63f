"""The egress policy: which addresses the server may reach on behalf of a user.

Anything a user can type (a feed's address, a Mastodon instance, an alert channel's webhook, a page
to capture as evidence) must never make the server reach its own network: loopback, private ranges,
link-local (cloud metadata at 169.254.169.254), multicast or reserved addresses. The check runs on
the addresses the name resolves to, so a public name pointing at 127.0.0.1 is refused too.

``VIGIE_EGRESS_ALLOW`` (comma-separated host names or CIDR ranges) lets an operator allow an internal
proxy or a test server; the tests and the demo's sandboxes use it for 127.0.0.1.

The refusal never says what answered, or whether anything did: "adresse non autorisée" is all a
user learns, so the check cannot be used as a port scanner.
"""

from __future__ import annotations

import ipaddress
import os
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

__all__ = ["EgressPolicy", "EgressRefused", "check_url", "current_policy", "resolve_allowed"]

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class EgressRefused(ValueError):
    """The destination is not allowed. The message is safe to show to the user."""

    def __init__(self, reason: str = "adresse non autorisée") -> None:
        super().__init__(reason)


def _forbidden(address: Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return _forbidden(address.ipv4_mapped)
    return not address.is_global or address.is_multicast or address.is_reserved


@dataclass(frozen=True)
class EgressPolicy:
    """Allowed exceptions to the rule "public addresses only"."""

    hosts: frozenset[str] = frozenset()
    networks: tuple[Network, ...] = ()

    @classmethod
    def parse(cls, value: str) -> EgressPolicy:
        hosts: set[str] = set()
        networks: list[Network] = []
        for raw in value.split(","):
            entry = raw.strip().lower()
            if not entry:
                continue
            try:
                networks.append(ipaddress.ip_network(entry, strict=False))
            except ValueError:
                hosts.add(entry.rstrip("."))
        return cls(frozenset(hosts), tuple(networks))

    def host_allowed(self, host: str) -> bool:
        return host.lower().rstrip(".") in self.hosts

    def address_allowed(self, address: Address) -> bool:
        if any(address in network for network in self.networks):
            return True
        return not _forbidden(address)

    def check_addresses(self, host: str, addresses: Iterable[Address]) -> list[Address]:
        """Return ``addresses`` when every one is allowed; one forbidden address refuses them all
        (a name that resolves to a public and a private address must not be a way in)."""
        found = list(addresses)
        if not found:
            raise EgressRefused("adresse introuvable")
        if self.host_allowed(host):
            return found
        if not all(self.address_allowed(address) for address in found):
            raise EgressRefused()
        return found


def current_policy() -> EgressPolicy:
    """The policy of ``VIGIE_EGRESS_ALLOW``, read each time so tests and operators can change it."""
    return EgressPolicy.parse(os.environ.get("VIGIE_EGRESS_ALLOW", ""))


def resolve_allowed(host: str, port: int, policy: EgressPolicy | None = None) -> list[Address]:
    """Resolve ``host`` and return its addresses, or raise ``EgressRefused``."""
    policy = policy or current_policy()
    host = host.strip("[]")
    try:
        literal: Address | None = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None:
        return policy.check_addresses(host, [literal])
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise EgressRefused("adresse introuvable") from exc
    addresses: list[Address] = []
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if address not in addresses:
            addresses.append(address)
    return policy.check_addresses(host, addresses)


def check_url(url: str, policy: EgressPolicy | None = None) -> list[Address]:
    """Refuse a URL whose scheme is not http(s) or whose host resolves to a forbidden address."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise EgressRefused("adresse invalide") from exc
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise EgressRefused("adresse invalide")
    return resolve_allowed(parts.hostname, port or (443 if parts.scheme == "https" else 80), policy)
