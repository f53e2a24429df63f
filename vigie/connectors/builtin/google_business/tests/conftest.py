"""A fake Google API on 127.0.0.1 for every test of this folder."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from vigie.connectors.testing import FakePlatform

FIXTURES = Path(__file__).parent / "fixtures"


def load(name: str) -> Any:
    """A recorded payload of ``fixtures/``."""
    return json.loads((FIXTURES / name).read_text())


# The Business Information API's list of the account's locations.
LOCATIONS = "/v1/accounts/1122334455/locations"


@pytest.fixture(autouse=True)
def loopback_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fake Google listens on 127.0.0.1, which the egress policy refuses unless allowed."""
    monkeypatch.setenv("VIGIE_EGRESS_ALLOW", "127.0.0.1")


@pytest.fixture
def platform() -> Iterator[FakePlatform]:
    """A fake Google that lists the account's two locations (Paris, Lyon) whenever asked."""
    with FakePlatform() as fake:
        fake.add("GET", LOCATIONS, json=load("locations.json"))
        yield fake
