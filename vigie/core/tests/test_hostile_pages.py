"""Every page, walked with hostile values (integers past 64 bits, NUL bytes, huge text): no 500."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import quote

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
    # A digit int() cannot read ("²".isdigit() is True): ids taken from a query or a form.
    "request": "²",
    "template": "²",
    "sources": "²",
    "id": "²",
    "naming": "²",
    "member": "²",
    "before": "²",
    "after": "²",
    "cursor": "²",
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
    query = "&".join(f"{name}={quote(value)}" for name, value in HOSTILE.items())
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
    assert errors == [], "\n".join(errors)


def test_ids_in_a_query_or_a_form_that_int_cannot_read_are_no_500(
    tenant: Tenant, login: Callable[[Membership], Client]
) -> None:
    """'²' passes str.isdigit() but not int(): the privacy page's request, the notifications'
    ids and a team's member were server errors."""
    client = login(tenant.admin)
    client.raise_request_exception = False
    assert client.get("/privacy/", {"request": "²"}).status_code == 200
    assert client.post("/alerts/notifications/read/", {"id": ["²", "1"]}).status_code < 500
    assert client.post("/privacy/erase/", {"request": "²", "naming": ["²"], "subject": "x"}).status_code < 500
