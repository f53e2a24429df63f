"""The client's address behind a reverse proxy (``VIGIE_TRUSTED_PROXIES``): X-Forwarded-For is
believed from a trusted proxy only, read from the right, so one client's lockout no longer locks
everybody out behind the proxy, and a client cannot pick the address it is throttled under."""

from __future__ import annotations

import ipaddress

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, RequestFactory
from django.urls import reverse

from vigie.conftest import PASSWORD, Tenant
from vigie.core.env import env_networks
from vigie.core.models import LoginThrottle
from vigie.core.proxies import client_address

PROXY = "172.28.0.1"  # the Compose network's gateway: where the host's reverse proxy comes from


def _networks(*entries: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(entry) for entry in entries)


def _address(remote: str, forwarded: str | None, *trusted: str) -> str:
    request = RequestFactory().get("/", REMOTE_ADDR=remote)
    if forwarded is not None:
        request.META["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_address(request, _networks(*trusted))


def test_an_untrusted_senders_header_is_ignored() -> None:
    assert _address("198.51.100.4", "203.0.113.9", "172.28.0.0/16") == "198.51.100.4"
    # Nobody trusted (the default): the header is never read.
    assert _address(PROXY, "203.0.113.9") == PROXY


def test_a_trusted_proxys_header_names_the_client() -> None:
    assert _address(PROXY, "203.0.113.9", "172.28.0.1") == "203.0.113.9"
    # Through two trusted proxies (a load balancer, then Caddy), the client is before them both.
    assert _address(PROXY, "203.0.113.9, 10.1.2.3", "172.28.0.1", "10.0.0.0/8") == "203.0.113.9"
    # IPv6, and a port some proxies add.
    assert _address("::1", "2001:db8::7", "::1") == "2001:db8::7"
    assert _address(PROXY, "203.0.113.9:51200", "172.28.0.1") == "203.0.113.9"
    # A trusted proxy that forwarded nothing is the client as far as anyone can tell.
    assert _address(PROXY, None, "172.28.0.1") == PROXY


def test_spoofed_entries_on_the_left_are_ignored() -> None:
    # The client wrote "X-Forwarded-For: 192.0.2.1" itself; the proxy appended the address it saw.
    assert _address(PROXY, "192.0.2.1, 203.0.113.9", "172.28.0.1") == "203.0.113.9"
    # Posing as a trusted proxy on the left does not help either: the right-most untrusted wins.
    assert _address(PROXY, "172.28.0.1, 203.0.113.9", "172.28.0.1") == "203.0.113.9"
    # Garbage stops the walk at the last trusted hop: nothing left of it is believed.
    assert _address(PROXY, "192.0.2.1, not-an-address", "172.28.0.1") == PROXY


def test_the_setting_takes_addresses_and_ranges_and_refuses_a_typo() -> None:
    assert env_networks("VIGIE_TRUSTED_PROXIES", {}) == ()
    assert env_networks("VIGIE_TRUSTED_PROXIES", {"VIGIE_TRUSTED_PROXIES": "172.28.0.1, 10.0.0.0/8,::1"}) == (
        _networks("172.28.0.1/32", "10.0.0.0/8", "::1/128")
    )
    with pytest.raises(ImproperlyConfigured, match="VIGIE_TRUSTED_PROXIES"):
        env_networks("VIGIE_TRUSTED_PROXIES", {"VIGIE_TRUSTED_PROXIES": "172.28.0.300"})


def _sign_in(client: Client, email: str, password: str) -> int:
    return client.post(reverse("login"), {"email": email, "password": password}).status_code


def test_behind_the_proxy_one_lockout_no_longer_locks_everybody_out(tenant: Tenant, settings) -> None:  # type: ignore[no-untyped-def]
    settings.LOGIN_SLOWDOWN_AFTER = 50
    settings.LOGIN_LOCK_AFTER = 3
    settings.TRUSTED_PROXIES = _networks("172.28.0.0/16")
    attacker = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.66")
    for _ in range(3):
        _sign_in(attacker, "agent@acme.example", "wrong-password")
    assert LoginThrottle.objects.filter(key="ip:203.0.113.66").exists()
    assert not LoginThrottle.objects.filter(key=f"ip:{PROXY}").exists()
    # The attacker's address is locked, whatever it now claims on the left of the header...
    spoofing = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.66")
    assert _sign_in(spoofing, "viewer@acme.example", PASSWORD) == 429
    # ...and a colleague behind the same proxy signs in.
    colleague = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert _sign_in(colleague, "viewer@acme.example", PASSWORD) == 302


def test_a_client_around_the_proxy_cannot_choose_its_address(tenant: Tenant, settings) -> None:  # type: ignore[no-untyped-def]
    settings.LOGIN_SLOWDOWN_AFTER = 50
    settings.LOGIN_LOCK_AFTER = 3
    settings.TRUSTED_PROXIES = _networks("172.28.0.0/16")
    for n in range(3):
        # A new made-up address each time, sent straight to Vigie: the header is not believed.
        direct = Client(REMOTE_ADDR="198.51.100.4", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
        _sign_in(direct, f"nobody{n}@acme.example", "wrong-password")
    assert _sign_in(Client(REMOTE_ADDR="198.51.100.4"), "viewer@acme.example", PASSWORD) == 429
    assert not LoginThrottle.objects.filter(key__startswith="ip:192.0.2.").exists()


def test_forwarded_headers_from_anyone_else_are_dropped_once_proxies_are_named(settings) -> None:  # type: ignore[no-untyped-def]
    """A client reaching Vigie around the proxy cannot pass for HTTPS either."""
    from django.http import HttpRequest, HttpResponse

    from vigie.core.middleware import UntrustedForwardingMiddleware

    seen: list[bool] = []

    def view(request: HttpRequest) -> HttpResponse:
        seen.append(request.is_secure())
        return HttpResponse()

    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.TRUSTED_PROXIES = _networks("172.28.0.1")
    middleware = UntrustedForwardingMiddleware(view)
    factory = RequestFactory()
    middleware(factory.get("/", REMOTE_ADDR="198.51.100.4", HTTP_X_FORWARDED_PROTO="https"))
    middleware(factory.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_PROTO="https"))
    assert seen == [False, True]


def test_the_compose_deployment_trusts_the_gateway_its_host_proxy_comes_from() -> None:
    from pathlib import Path

    import yaml

    compose = yaml.safe_load((Path(__file__).parents[3] / "deploy" / "compose.yaml").read_text())
    trusted = compose["x-vigie"]["environment"]["VIGIE_TRUSTED_PROXIES"]
    gateway = compose["networks"]["default"]["ipam"]["config"][0]["gateway"]
    assert trusted == f"${{VIGIE_TRUSTED_PROXIES:-{gateway}}}"
    # Only the host (its proxy) reaches the published port.
    assert compose["services"]["web"]["ports"] == ["127.0.0.1:8000:8000"]
