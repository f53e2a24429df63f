"""A fake Bluesky PDS on 127.0.0.1 for every test of this folder."""

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


@pytest.fixture
def platform() -> Iterator[FakePlatform]:
    with FakePlatform() as fake:
        yield fake


@pytest.fixture(autouse=True)
def forget_sessions() -> Iterator[None]:
    """Sessions are cached per process; a test's fake PDS may reuse an earlier test's port."""
    from vigie.connectors.builtin.bluesky import connector

    connector._SESSIONS.clear()
    yield
    connector._SESSIONS.clear()
