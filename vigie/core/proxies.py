"""The client's address behind the reverse proxies the deployment trusts.

Behind a proxy every request comes from the proxy's address, so the sign-in throttle's per-address
lock (and the public pages' rate limit) would lock everybody out at once. The proxy names the
client in ``X-Forwarded-For``; a client can write that header too, so it is read only when the
request comes from an address of ``settings.TRUSTED_PROXIES`` (``VIGIE_TRUSTED_PROXIES``:
addresses or CIDR ranges, none by default), and then from the right: each trusted proxy appends
the address it saw, so the right-most address that is not a trusted proxy is the client, and what
a client wrote on the left of it is never believed.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def _address(text: str) -> Address | None:
    """``text`` as an address: "203.0.113.7", "2001:db8::1", also with a port as some proxies
    write it ("203.0.113.7:5120", "[2001:db8::1]:5120"); None for anything else."""
    text = text.strip()
    if text.startswith("[") and "]" in text:
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    # An IPv4 client reached over an IPv6 socket ("::ffff:203.0.113.7") is the IPv4 client.
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _trusted(address: Address | None, networks: Sequence[Network]) -> bool:
    return address is not None and any(address in network for network in networks)


def client_address(request: HttpRequest, networks: Sequence[Network] | None = None) -> str:
    """The address of the client that sent ``request``: ``REMOTE_ADDR``, unless that is a trusted
    proxy; then the right-most address of ``X-Forwarded-For`` that is not a trusted proxy (a
    malformed entry ends the walk at the last trusted hop: nothing left of it can be believed)."""
    if networks is None:
        networks = settings.TRUSTED_PROXIES
    remote = str(request.META.get("REMOTE_ADDR") or "")
    peer = _address(remote)
    if not networks or not _trusted(peer, networks):
        return remote
    forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR") or "")
    # Several X-Forwarded-For headers arrive joined by commas, in order: one list.
    hops = [hop for hop in forwarded.split(",") if hop.strip()]
    client = str(peer)
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            break
        client = str(address)
        if not _trusted(address, networks):
            break
    return client


def from_trusted_proxy(request: HttpRequest) -> bool:
    """Whether ``request`` came straight from a trusted proxy."""
    networks = settings.TRUSTED_PROXIES
    return bool(networks) and _trusted(_address(str(request.META.get("REMOTE_ADDR") or "")), networks)
