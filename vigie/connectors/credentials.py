"""Connector credentials, encrypted at rest.

A source's configuration is split in two: public fields go to ``Source.config`` (shown on the
Sources page), fields declared ``Field(json_schema_extra={"secret": True})`` go, as one JSON
object, into ``Source.credentials_encrypted`` encrypted with Fernet (AES-128-CBC + HMAC-SHA256).

The Fernet key is derived from ``VIGIE_SECRET_KEY`` with HKDF-SHA256 and a fixed, purpose-specific
``info``, so the Django signing key itself is never used directly. Rotation: put the old key in
``SECRET_KEY_FALLBACKS`` (``VIGIE_SECRET_KEY_FALLBACKS``), set the new ``VIGIE_SECRET_KEY``, run
``vigie source rekey``, then drop the fallback. Decryption tries the current key then fallbacks.
"""

from __future__ import annotations

import base64
import json
import os
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from pydantic import BaseModel

HKDF_INFO = b"vigie.connectors.credentials.v1"
HKDF_SALT = b"vigie-credentials"


class CredentialsError(RuntimeError):
    """Stored credentials cannot be decrypted with the current key or its fallbacks."""


def derive_key(secret_key: str) -> bytes:
    """The urlsafe-base64 Fernet key derived from ``secret_key`` (HKDF-SHA256, 32 bytes)."""
    raw = HKDF(algorithm=hashes.SHA256(), length=32, salt=HKDF_SALT, info=HKDF_INFO).derive(
        secret_key.encode("utf-8")
    )
    return base64.urlsafe_b64encode(raw)


def _keys() -> list[str]:
    # The environment variable is read here too, so rotation works even where the settings do
    # not map it to Django's SECRET_KEY_FALLBACKS.
    from_env = [k.strip() for k in os.environ.get("VIGIE_SECRET_KEY_FALLBACKS", "").split(",")]
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", []), *from_env]
    return list(dict.fromkeys(key for key in keys if key))


def _fernet() -> MultiFernet:
    return MultiFernet([Fernet(derive_key(key)) for key in _keys()])


def encrypt_secrets(secrets: dict[str, Any]) -> str:
    """The encrypted token for ``secrets`` (empty string when there is nothing secret)."""
    if not secrets:
        return ""
    return _fernet().encrypt(json.dumps(secrets, sort_keys=True).encode("utf-8")).decode("ascii")


def decrypt_secrets(token: str) -> dict[str, Any]:
    """The secrets stored in ``token``; ``CredentialsError`` if no known key opens it."""
    if not token:
        return {}
    try:
        data: dict[str, Any] = json.loads(_fernet().decrypt(token.encode("ascii")))
    except (InvalidToken, ValueError) as exc:
        # Never include the token or the key in the message: it ends up in logs and pages.
        raise CredentialsError(
            "stored credentials cannot be decrypted: was VIGIE_SECRET_KEY changed without a fallback?"
        ) from exc
    return data


def rotate_token(token: str) -> str:
    """``token`` re-encrypted with the current key (it may have been made with a fallback)."""
    if not token:
        return ""
    try:
        return _fernet().rotate(token.encode("ascii")).decode("ascii")
    except InvalidToken as exc:
        raise CredentialsError("stored credentials cannot be decrypted with any known key") from exc


def secret_fields(config_class: type[BaseModel]) -> set[str]:
    """Names of the fields of ``config_class`` declared secret."""
    names = set()
    for name, info in config_class.model_fields.items():
        extra = info.json_schema_extra
        if isinstance(extra, dict) and extra.get("secret"):
            names.add(name)
    return names


def split_config(config: BaseModel) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(public, secret)`` dictionaries of a validated configuration (JSON-ready)."""
    data = config.model_dump(mode="json")
    hidden = secret_fields(type(config))
    public = {key: value for key, value in data.items() if key not in hidden}
    secret = {key: value for key, value in data.items() if key in hidden and value not in (None, "")}
    return public, secret


def redact(text: str, secrets: dict[str, Any]) -> str:
    """``text`` with every secret value replaced by ``***`` (for error messages we store)."""
    for value in secrets.values():
        if isinstance(value, str) and len(value) >= 4:
            text = text.replace(value, "***")
    return text
