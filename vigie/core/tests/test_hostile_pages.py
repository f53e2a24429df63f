"""Every page, walked with hostile values (integers past 64 bits, NUL bytes, huge text): no 500."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from vigie.conftest import Tenant
from vigie.core.models import Membership

BIG = str(2**64)
HOSTILE = {
    "location": BIG,
    "source": BIG,
    "team": BIG,
    "agent": BIG,
    "page": BIG,
    "stars": BIG,
    "ids": BIG,
    "q": "a\x00b" + "x" * 3000,
    "from": "2026-13-45",
    "view": "\x00",
}


def _routes(resolver: Any, prefix: str = "") -> Iterator[str]:
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern)


def _pages() -> list[str]:
    pages = set()
    for route in _routes(get_resolver()):
        if route.startswith(("admin", "api")):
            continue
        path = "/" + re.sub(r"<int:\w+>", BIG, route)
        if "<" not in path and "(" not in path and "^" not in path:
            pages.add(path)
    return sorted(pages)


def test_no_page_answers_500_to_hostile_values(tenant: Tenant, login: Callable[[Membership], Client]) -> None:
    client = login(tenant.admin)
    client.raise_request_exception = False
    query = "&".join(f"{name}={value}" for name, value in HOSTILE.items()).replace("\x00", "%00")
    pages = _pages()
    assert len(pages) > 40
    errors = []
    for path in pages:
        for target in (path, f"{path}?{query}"):
            if client.get(target).status_code >= 500:
                errors.append(f"GET {target[:80]}")
            answer = client.post(
                target, {"ids": [BIG, "-1", "x"], **{k: v for k, v in HOSTILE.items() if k != "ids"}}
            )
            if answer.status_code >= 500:
                errors.append(f"POST {target[:80]}")
    assert errors == []
