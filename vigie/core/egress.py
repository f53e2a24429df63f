"""The egress policy: which addresses the server may reach on behalf of a user.

Anything a user can type (a feed's address, a Mastodon instance, an alert channel's webhook, a page
to capture as evidence) must never make the server reach its own network: loopback, private ranges,
link-local (cloud metadata at 169.254.169.254), multicast or reserved addresses. The check runs on
the addresses the name resolves to, so a public name pointing at 127.0.0.1 is refused too.

``VIGIE_EGRESS_ALLOW`` (comma-separated host names or CIDR ranges) lets an operator allow an internal
proxy or a test server; the tests and the demo's sandboxes use it for 127.0.0.1.

The refusal never says what answered, or whether anything did: "adresse non autorisée" ("address
not allowed" in English) is all a user learns, so the check cannot be used as a port scanner. A
refusal keeps its French message id in ``reason`` (compare that, never the text) and reads in the
language active where it is shown or stored.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import ssl
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpcore
import httpx

__all__ = [
    "INVALID",
    "NOT_ALLOWED",
    "NOT_FOUND",
    "TLS_REQUIRED",
    "EgressPolicy",
    "EgressRefused",
    "GuardedBackend",
    "GuardedTransport",
    "ResponseTooLarge",
    "check_url",
    "current_policy",
    "egress_client",
    "resolve_allowed",
]

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def gettext_noop(message: str) -> str:
    """Marks a message for the catalogue; connectors load this module without Django."""
    return message


# The refusals' French message ids: the only words a user learns, the same whatever answered.
NOT_ALLOWED = gettext_noop("adresse non autorisée")
NOT_FOUND = gettext_noop("adresse introuvable")
INVALID = gettext_noop("adresse invalide")
TLS_REQUIRED = gettext_noop("adresse non autorisée : https:// exigé pour envoyer des identifiants")
TOO_LARGE = gettext_noop("réponse trop volumineuse (plus de %(size)s Mo)")


def _translated(message: str) -> str:
    """``message`` in the active language; itself where Django is not loaded or not set up (the
    connectors, and so this module, load without Django)."""
    try:
        from django.conf import settings
        from django.utils.translation import gettext
    except ImportError:
        return message
    if not settings.configured:
        return message
    return gettext(message)


class EgressRefused(ValueError):
    """The destination is not allowed. The message is safe to show to the user.

    ``reason`` is one of the French message ids above, stable for comparisons; ``str()`` reads it
    in the active language (the user's in a request, the organisation's in its jobs)."""

    def __init__(self, reason: str = NOT_ALLOWED) -> None:
        super().__init__(reason)
        self.reason = reason

    def __str__(self) -> str:
        return _translated(self.reason)


def _forbidden(address: Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return _forbidden(address.ipv4_mapped)
        # 6to4 (2002::/16) carries an IPv4 address that a relay reaches for us: 2002:a9fe:a9fe::
        # is the metadata service's; deprecated site-local fec0::/10 may still route inside.
        if address.sixtofour is not None and _forbidden(address.sixtofour):
            return True
        if address.is_site_local:
            return True
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
            raise EgressRefused(NOT_FOUND)
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
        raise EgressRefused(NOT_FOUND) from exc
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
        raise EgressRefused(INVALID) from exc
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise EgressRefused(INVALID)
    return resolve_allowed(parts.hostname, port or (443 if parts.scheme == "https" else 80), policy)


# --- the one HTTP client for everything that leaves the server ------------------------------------

# A platform's API page or a feed is a few hundred kilobytes; anything past this is refused while
# it downloads, before it fills the memory of a worker.
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
MAX_REDIRECTS = 5


class ResponseTooLarge(httpx.TransportError):
    """The answer grew past the client's cap while it was being read."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"réponse trop volumineuse (plus de {limit // (1024 * 1024) or 1} Mo)")
        self.limit = limit

    def __str__(self) -> str:
        return _translated(TOO_LARGE) % {"size": self.limit // (1024 * 1024) or 1}


class GuardedBackend(httpcore.NetworkBackend):
    """Opens TCP connections only to addresses the policy allows.

    The name is resolved here, every address checked, and the socket opened to the checked address
    itself: nothing can answer a different address between the check and the connection (DNS
    rebinding). TLS still verifies the certificate against the name: httpcore passes the origin's
    host name to ``start_tls`` as the SNI and verified host name, whatever address was dialled.
    """

    def __init__(self, policy: EgressPolicy | None = None) -> None:
        self._inner = httpcore.SyncBackend()
        self._policy = policy

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        addresses = resolve_allowed(host, port, self._policy or current_policy())
        failure: Exception | None = None
        for address in addresses:
            try:
                return self._inner.connect_tcp(str(address), port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        assert failure is not None  # resolve_allowed never returns an empty list
        raise failure

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        raise EgressRefused()

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class _CappedStream(httpx.SyncByteStream):
    def __init__(self, inner: httpx.SyncByteStream, limit: int) -> None:
        self._inner = inner
        self._limit = limit

    def __iter__(self) -> Iterator[bytes]:
        received = 0
        for chunk in self._inner:
            received += len(chunk)
            if received > self._limit:
                self._inner.close()
                raise ResponseTooLarge(self._limit)
            yield chunk

    def close(self) -> None:
        self._inner.close()


class GuardedTransport(httpx.HTTPTransport):
    """``httpx.HTTPTransport`` over ``GuardedBackend``, with a streamed size cap and, for a client
    that sends a credential, no plain ``http://`` unless ``VIGIE_EGRESS_ALLOW`` names the host."""

    def __init__(
        self,
        *,
        max_bytes: int = DEFAULT_MAX_BYTES,
        require_tls: bool = False,
        policy: EgressPolicy | None = None,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        context = ssl_context or httpx.create_ssl_context(trust_env=False)
        super().__init__(verify=context, trust_env=False)
        self._policy = policy
        self._max_bytes = max_bytes
        self._require_tls = require_tls
        # Environment proxies are not used: a proxy would resolve the name where no check runs.
        self._pool = httpcore.ConnectionPool(
            ssl_context=context,
            max_connections=20,
            max_keepalive_connections=10,
            keepalive_expiry=5.0,
            network_backend=GuardedBackend(policy),
        )

    def _plain_http_allowed(self, host: str) -> bool:
        policy = self._policy or current_policy()
        if policy.host_allowed(host):
            return True
        try:
            address = ipaddress.ip_address(host.strip("[]"))
        except ValueError:
            return False
        return any(address in network for network in policy.networks)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.scheme not in ("http", "https"):
            raise EgressRefused(INVALID)
        if (
            self._require_tls
            and request.url.scheme == "http"
            and not self._plain_http_allowed(request.url.host)
        ):
            raise EgressRefused(TLS_REQUIRED)
        response = super().handle_request(request)
        length = response.headers.get("content-length", "")
        if length.isdigit() and int(length) > self._max_bytes:
            response.close()
            raise ResponseTooLarge(self._max_bytes)
        assert isinstance(response.stream, httpx.SyncByteStream)
        response.stream = _CappedStream(response.stream, self._max_bytes)
        return response


def egress_client(
    *,
    timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
    max_bytes: int = DEFAULT_MAX_BYTES,
    require_tls: bool = False,
    follow_redirects: bool = False,
    headers: dict[str, str] | None = None,
    policy: EgressPolicy | None = None,
    ssl_context: ssl.SSLContext | None = None,
) -> httpx.Client:
    """The HTTP client for any request that leaves the server on a user's behalf.

    Every connection, redirects included, goes to an address the policy allows (``EgressRefused``
    otherwise, before any byte is sent); answers larger than ``max_bytes`` raise
    ``ResponseTooLarge`` while they download; ``require_tls`` refuses plain ``http://`` (a client
    that sends a token or a password) unless the host is allowed by ``VIGIE_EGRESS_ALLOW``.
    ``ssl_context`` replaces the system's trusted certificates (tests, an internal CA).
    """
    return httpx.Client(
        transport=GuardedTransport(
            max_bytes=max_bytes, require_tls=require_tls, policy=policy, ssl_context=ssl_context
        ),
        timeout=timeout,
        follow_redirects=follow_redirects,
        max_redirects=MAX_REDIRECTS,
        headers=headers,
        trust_env=False,
    )
