"""Every operation of the OpenAPI, walked with hostile values: no answer is a server error.

Hand-picked hostile values beside Schemathesis's generated ones (test_schemathesis.py): for each path and method of
``/api/openapi.json`` it sends, one parameter at a time, integers past 64 bits, negative and
huge numbers, NUL bytes and control characters, very long strings, wrong types, deeply nested
JSON and bodies that are not JSON at all, with an admin token of a real organisation. Each
answer must be below 500 (a 4xx saying what is wrong is the expected outcome).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client

from vigie.conftest import Tenant
from vigie.core.models import Membership
from vigie.inbox.tests.factories import make_case
from vigie.mentions.tests.factories import make_mention

HOSTILE_SCALARS: list[Any] = [
    2**64,
    -(2**63) - 1,
    10**30,
    -1,
    0,
    "1e309",
    "abc",
    "",
    "\x00",
    "a\x00b\x1f\x7f",
    "x" * 5000,
    # Past SQLite's 50,000-byte LIKE pattern limit (a search or an e-mail filter was a 500).
    "x" * 60_000,
    "../../etc/passwd",
    "<script>alert(1)</script>",
    '=HYPERLINK("http://evil")',
    True,
    None,
    [],
    {},
]


def _deep(depth: int) -> bytes:
    """JSON nested ``depth`` levels deep (written out: json.dumps itself would hit the recursion limit)."""
    return b'{"a":[' * depth + b"1" + b"]}" * depth


def _example(schema: dict[str, Any], components: dict[str, Any], depth: int = 0) -> Any:
    """A plausible value for ``schema`` (the first choice of every union, short strings)."""
    if depth > 6:
        return None
    if "$ref" in schema:
        return _example(components[schema["$ref"].rsplit("/", 1)[1]], components, depth + 1)
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            return _example(schema[key][0], components, depth + 1)
    if "enum" in schema:
        return schema["enum"][0]
    if "default" in schema:
        return schema["default"]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        return {
            name: _example(sub, components, depth + 1) for name, sub in schema.get("properties", {}).items()
        }
    if kind == "array":
        return [_example(schema.get("items", {}), components, depth + 1)]
    if kind == "integer":
        return 1
    if kind == "number":
        return 1.5
    if kind == "boolean":
        return True
    if schema.get("format") == "date-time":
        return "2026-11-02T10:00:00+01:00"
    if schema.get("format") == "date":
        return "2026-11-02"
    return "texte"


def _operations(spec: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                yield path, method, operation


def _path(template: str, params: dict[str, Any]) -> str:
    for name, value in params.items():
        template = template.replace("{" + name + "}", str(value))
    return template


class Walker:
    def __init__(self, client: Client, spec: dict[str, Any]) -> None:
        self.client = client
        self.components = spec.get("components", {}).get("schemas", {})
        self.failures: list[str] = []
        self.requests = 0

    def send(self, method: str, url: str, query: dict[str, Any], body: Any, raw: bytes | None = None) -> None:
        self.requests += 1
        data = raw if raw is not None else (json.dumps(body) if body is not None else None)
        kwargs: dict[str, Any] = {"content_type": "application/json"} if data is not None else {}
        call: Callable[..., Any] = getattr(self.client, method)
        query_string = "&".join(f"{name}={value}" for name, value in query.items())
        target = f"{url}?{query_string}" if query_string else url
        try:
            response = call(target, data=data, **kwargs) if data is not None else call(target)
        except Exception as exc:  # the test client re-raises what the server did not catch
            self.failures.append(f"{method.upper()} {target[:160]} raised {type(exc).__name__}: {exc}"[:400])
            return
        if response.status_code >= 500:
            self.failures.append(f"{method.upper()} {target[:160]} answered {response.status_code}")

    def walk(self, path: str, method: str, operation: dict[str, Any]) -> None:
        path_params = {p["name"]: 1 for p in operation.get("parameters", []) if p["in"] == "path"}
        query_params = {
            p["name"]: p.get("schema", {}) for p in operation.get("parameters", []) if p["in"] == "query"
        }
        body_schema = (
            operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
        )
        body = _example(body_schema, self.components) if body_schema else None
        url = "/api" + path if not path.startswith("/api") else path
        self.send(method, _path(url, path_params), {}, body)
        for name in path_params:
            for value in (2**64, -1, 0, "abc", "9" * 40):
                self.send(method, _path(url, {**path_params, name: value}), {}, body)
        for name in query_params:
            for value in HOSTILE_SCALARS:
                if isinstance(value, list | dict) or value is None:
                    continue
                self.send(method, _path(url, path_params), {name: _query_text(value)}, body)
        if body_schema is None:
            return
        if isinstance(body, dict):
            for field in body:
                for value in HOSTILE_SCALARS:
                    self.send(method, _path(url, path_params), {}, {**body, field: value})
        for raw in (b"{", b"\xff\xfe", b"[]", b"null", _deep(100_000), b"\x00"):
            self.send(method, _path(url, path_params), {}, None, raw=raw)


def _query_text(value: Any) -> str:
    from urllib.parse import quote

    return quote(str(value), safe="")


@pytest.fixture
def walker(tenant: Tenant, api_client: Callable[[Membership], Client]) -> Walker:
    # One case on a mention: a filter is only evaluated on rows (SQLite compiles a LIKE pattern
    # when it meets one), so an empty organisation would hide its errors.
    make_case(tenant.organisation, make_mention(tenant.organisation, text="Livraison en retard"))
    client = api_client(tenant.admin)
    client.raise_request_exception = True
    spec = client.get("/api/openapi.json").json()
    return Walker(client, spec)


def test_every_operation_survives_hostile_values(walker: Walker) -> None:
    spec = walker.client.get("/api/openapi.json").json()
    operations = list(_operations(spec))
    assert len(operations) > 20
    # Reads first, then writes, then deletions, so most operations meet existing objects.
    order = {"get": 0, "post": 1, "put": 1, "patch": 1, "delete": 2}
    for path, method, operation in sorted(operations, key=lambda item: order[item[1]]):
        walker.walk(path, method, operation)
    assert walker.requests > 1000
    assert walker.failures == [], "\n".join(walker.failures)
