"""Schemathesis over the whole OpenAPI (bounded examples): schema-valid requests are accepted,
schema-violating ones refused, every answer's status, content type and body are the documented
ones, and none is a server error.

The same checks as ``schemathesis run http://HOST/api/openapi.json -H "Authorization: Bearer …"``
with the project's ``schemathesis.toml`` (the rules a JSON Schema cannot state), run in process
through the WSGI application against the test database.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.config import SchemathesisConfig

from vigie.conftest import Tenant
from vigie.core.actions import do_create_api_token

CONFIG = Path(__file__).resolve().parents[3] / "schemathesis.toml"
EXAMPLES = 4


@pytest.fixture
def connections_kept_open() -> Iterator[None]:
    # As Django's test client does: the WSGI handler would otherwise close the test database's
    # connection at the end of each request.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def _run(operation: Any, mode: GenerationMode, failures: list[str]) -> None:
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
        database=None,
        derandomize=True,
    )
    def check(case: Any) -> None:
        try:
            case.call_and_validate()
        except Exception as exc:  # every failure is collected and reported at once
            failures.append(f"{mode.value} {operation.method.upper()} {operation.path}: {str(exc)[:600]}")
        except BaseExceptionGroup as group:  # Schemathesis groups several failures of one answer
            failures.append(f"{mode.value} {operation.method.upper()} {operation.path}: {str(group)[:600]}")

    try:
        check()
    except Unsatisfiable:
        # Nothing of this operation can be made invalid (no parameter, no body): nothing to send.
        assert mode == GenerationMode.NEGATIVE


def test_every_operation_keeps_to_its_schema(tenant: Tenant, connections_kept_open: None) -> None:
    token = do_create_api_token(tenant.admin, "schemathesis")[1]
    # The token as the command line's `-H`: Schemathesis then knows the security scheme is met.
    config = SchemathesisConfig.from_str(
        f'headers = {{ Authorization = "Bearer {token}", Host = "127.0.0.1" }}\n' + CONFIG.read_text()
    )
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application(), config=config)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 40
    failures: list[str] = []
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            _run(operation, mode, failures)
    assert not failures, "\n\n".join(dict.fromkeys(failures))
