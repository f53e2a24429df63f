"""A fake Google Play Developer API (and token endpoint) on 127.0.0.1, and a service account."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

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
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="session")
def service_account(rsa_key: rsa.RSAPrivateKey) -> str:
    """A service account JSON key shaped as Google Cloud downloads it (a fresh key, not a real one)."""
    pem = rsa_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    account = load("service_account_template.json")
    account["private_key"] = pem
    return json.dumps(account, indent=2)
