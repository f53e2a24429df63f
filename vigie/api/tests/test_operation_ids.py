"""The API's operation ids stay put when code moves.

django-ninja derives an operation id from the handler's module path; generated API clients and the
links into /api/docs are built on those ids. Moving a handler to another module must not rename its
operation: such a route names its former id explicitly (``operation_id=``). A deliberate change
updates ``fixtures/operation_ids.txt`` in the same commit.
"""

from __future__ import annotations

from pathlib import Path

from vigie.api.main import api

PINNED = Path(__file__).with_name("fixtures") / "operation_ids.txt"


def test_every_operation_keeps_its_id() -> None:
    schema = api.get_openapi_schema()
    served = sorted(
        f"{method.upper()} {path} {operation['operationId']}"
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
    )
    assert served == PINNED.read_text().splitlines()
