"""A fake App Store Connect API on 127.0.0.1, and a fresh P-256 API key."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from vigie.connectors.testing import FakePlatform

FIXTURES = Path(__file__).parent / "fixtures"


def load(name: str) -> Any:
    """A recorded payload of ``fixtures/``."""
    return json.loads((FIXTURES / name).read_text())


@pytest.fixture
def platform() -> Iterator[FakePlatform]:
    with FakePlatform() as fake:
        yield fake


@pytest.fixture(scope="session")
def ec_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


@pytest.fixture(scope="session")
def p8(ec_key: ec.EllipticCurvePrivateKey) -> str:
    """The key as App Store Connect's AuthKey_XXXX.p8 file holds it (PKCS#8 PEM)."""
    return ec_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
