"""The hash chain behind the audit log.

An event's hash covers its content and the previous event's hash. Verification walks an
organisation's events in order and reports the first break: a changed row (its hash no longer
matches its content), a removed or reordered row (a gap in ``seq`` or a ``prev_hash`` mismatch).

Keyed chain (``hash_version`` 2): the hash is an HMAC-SHA256 under a key kept outside the
database, so someone who can write to the database but does not hold the key cannot edit a row
and recompute the chain. The key is ``VIGIE_AUDIT_KEY`` when set, otherwise one derived from
``VIGIE_SECRET_KEY`` with HKDF-SHA256 and an audit-specific ``info`` (the secret key itself is
never used directly). Verification also tries keys derived from ``VIGIE_AUDIT_KEY_FALLBACKS``,
``VIGIE_SECRET_KEY_FALLBACKS`` and the secret key, so a key rotation does not break old events.

Rows written before the chain was keyed keep ``hash_version`` 1 (plain SHA-256) and are still
verified as such. They may only form the start of a chain: an unkeyed event after a keyed one,
or a chain that ends unkeyed once keying is in place, is a break (someone rewrote the rows as
unkeyed to recompute them). The migration that keyed the chain appended one keyed event to
every existing chain, which pins the unkeyed prefix under the key.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

GENESIS_HASH = "0" * 64
UNKEYED = 1  # plain SHA-256: events recorded before the chain was keyed
KEYED = 2  # HMAC-SHA256 under the audit key
CURRENT_VERSION = KEYED
HKDF_INFO = b"vigie.core.audit.v2"
HKDF_SALT = b"vigie-audit"


@functools.lru_cache(maxsize=16)
def _derive(secret: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=HKDF_SALT, info=HKDF_INFO).derive(
        secret.encode("utf-8")
    )


def _split(name: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


def audit_keys() -> list[bytes]:
    """The keys an event may have been signed with; the first one signs new events.

    Read at each call (not cached) so that tests and a rotation take effect without a restart.
    """
    secrets = [
        os.environ.get("VIGIE_AUDIT_KEY", "").strip(),
        *_split("VIGIE_AUDIT_KEY_FALLBACKS"),
        settings.SECRET_KEY,
        *getattr(settings, "SECRET_KEY_FALLBACKS", []),
        *_split("VIGIE_SECRET_KEY_FALLBACKS"),
    ]
    return [_derive(secret) for secret in dict.fromkeys(s for s in secrets if s)]


def event_hash(
    *,
    organisation_id: int,
    seq: int,
    created_at: datetime,
    actor_label: str,
    verb: str,
    object_type: str,
    object_id: str,
    data: dict[str, Any],
    prev_hash: str,
    version: int = CURRENT_VERSION,
    key: bytes | None = None,
) -> str:
    """The hash of an event's content and its predecessor's hash.

    Version 2 (the default): HMAC-SHA256 under ``key`` (the current audit key when omitted).
    Version 1: the former unkeyed SHA-256, kept to verify events recorded before keying.
    """
    canonical = _canonical(
        organisation_id=organisation_id,
        seq=seq,
        created_at=created_at,
        actor_label=actor_label,
        verb=verb,
        object_type=object_type,
        object_id=object_id,
        data=data,
        prev_hash=prev_hash,
    )
    if version == UNKEYED:
        return hashlib.sha256(canonical).hexdigest()
    if version != KEYED:
        raise ValueError(f"unknown audit hash version {version}")
    return hmac.new(key if key is not None else audit_keys()[0], canonical, hashlib.sha256).hexdigest()


def hash_matches(event_fields: dict[str, Any], version: int, stored: str) -> bool:
    """Whether ``stored`` is the hash of ``event_fields`` under ``version`` (any known key)."""
    if version == UNKEYED:
        return hmac.compare_digest(event_hash(**event_fields, version=UNKEYED), stored)
    if version != KEYED:
        return False
    return any(
        hmac.compare_digest(event_hash(**event_fields, version=KEYED, key=key), stored)
        for key in audit_keys()
    )


def _canonical(
    *,
    organisation_id: int,
    seq: int,
    created_at: datetime,
    actor_label: str,
    verb: str,
    object_type: str,
    object_id: str,
    data: dict[str, Any],
    prev_hash: str,
) -> bytes:
    canonical = json.dumps(
        {
            "organisation": organisation_id,
            "seq": seq,
            # Microseconds are dropped: not every database keeps them identically.
            "created_at": created_at.replace(microsecond=0).isoformat(),
            "actor": actor_label,
            "verb": verb,
            "object_type": object_type,
            "object_id": object_id,
            "data": data,
            "prev_hash": prev_hash,
        },
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
        default=str,
    )
    return canonical.encode("utf-8")


@dataclass(frozen=True)
class ChainReport:
    """Outcome of verifying one organisation's chain."""

    organisation_slug: str
    events: int
    ok: bool
    broken_at_seq: int | None = None
    reason: str = ""
    # Events recorded before the chain was keyed (plain SHA-256), pinned by the first keyed one.
    unkeyed: int = 0
