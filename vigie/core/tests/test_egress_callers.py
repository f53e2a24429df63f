"""Every request to an operator-configured service (language model, SMS provider, timestamping
authority) goes through the guarded client: a name that answers a public address when it is
checked and an internal one when the socket opens (DNS rebinding) reaches nothing, and a runaway
answer is cut while it downloads. Real local servers; only the name's resolution is staged."""

from __future__ import annotations

import hashlib
import re
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from vigie.conftest import Tenant
from vigie.core.tests.test_egress import _Server
from vigie.evidence.timestamping import TimestampError, request_timestamp
from vigie.inbox.drafting import draft_reply
from vigie.inbox.tests.test_case_handling import routed
from vigie.outreach.sending import HttpSmsProvider, SendError

REBIND = "rebind.vigie.test"


@pytest.fixture
def internal(monkeypatch: pytest.MonkeyPatch) -> Iterator[_Server]:
    """An internal service on 127.0.0.2 and a name that resolves to the allowed 127.0.0.1 the first
    time (the check), to 127.0.0.2 afterwards (the connection)."""
    monkeypatch.setenv("VIGIE_EGRESS_ALLOW", "127.0.0.1/32")
    real = socket.getaddrinfo
    calls = {"n": 0}

    def staged(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host != REBIND:
            return real(host, port, *args, **kwargs)
        calls["n"] += 1
        address = "127.0.0.1" if calls["n"] == 1 else "127.0.0.2"
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, int(port)))]

    monkeypatch.setattr(socket, "getaddrinfo", staged)
    with _Server(host="127.0.0.2") as server:
        yield server


def test_the_language_model_address_is_checked_where_the_socket_opens(
    internal: _Server, tenant: Tenant, settings: Any
) -> None:
    settings.LLM_BASE_URL = f"http://{REBIND}:{internal.port}/v1"
    settings.LLM_MODEL = "local-model"
    settings.LLM_API_KEY = "sk-secret"
    case = routed(tenant, "facebook", "complaint")
    with pytest.raises(ValidationError):
        draft_reply(case, tenant.agent)
    assert internal.hits == 0, "the key never reached the internal address"


def test_the_sms_provider_address_is_checked_where_the_socket_opens(internal: _Server) -> None:
    provider = HttpSmsProvider(f"http://{REBIND}:{internal.port}/sms", "sms-secret")
    with pytest.raises(SendError):
        provider.send("+33612345678", "Bonjour")
    assert internal.hits == 0


def test_the_timestamping_authority_address_is_checked_where_the_socket_opens(internal: _Server) -> None:
    with pytest.raises(TimestampError):
        request_timestamp(f"http://{REBIND}:{internal.port}/tsa", hashlib.sha256(b"x").digest())
    assert internal.hits == 0


def test_a_runaway_language_model_answer_is_cut_while_it_downloads(
    tenant: Tenant, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VIGIE_EGRESS_ALLOW", "127.0.0.1")
    with _Server(stream_bytes=200 * 1024 * 1024) as llm:
        settings.LLM_BASE_URL = llm.url("/v1").rstrip("/")
        settings.LLM_MODEL = "local-model"
        case = routed(tenant, "facebook", "complaint")
        started = time.monotonic()
        with pytest.raises(ValidationError) as refused:
            draft_reply(case, tenant.agent)
        assert refused.value.code == "llm_failed"
        assert time.monotonic() - started < 5, "the download stopped at 1 MB, not after 200 MB"


# Opening a connection without the guarded client: httpx's own clients and shortcuts, urllib,
# requests. (vigie.evidence.exchange dials the address check_url returned itself, on purpose.)
_UNGUARDED = re.compile(
    r"httpx\.(Client|AsyncClient|get|post|put|patch|delete|head|request|stream)\(|"
    r"urllib\.request|urlopen\(|^\s*import requests|^\s*from requests\b",
    re.MULTILINE,
)


def test_no_code_outside_the_egress_module_opens_its_own_http_client() -> None:
    root = Path(__file__).resolve().parents[2]
    found = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if "tests" not in path.parts
        and path.name != "egress.py"
        and _UNGUARDED.search(path.read_text(encoding="utf-8"))
    ]
    assert found == [], "use vigie.core.egress.egress_client"
