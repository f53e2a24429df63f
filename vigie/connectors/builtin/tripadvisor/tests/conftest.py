"""A fake Tripadvisor Content API on 127.0.0.1 for every test of this folder."""

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
