"""Platform-shaped identifiers and timestamps: opaque and hex ids derived from a mention's ref,
sortable Bluesky TIDs, and the ISO forms each API writes its dates in."""

from __future__ import annotations

import base64
import functools
import hashlib
from datetime import UTC, datetime

from vigie.demo.noise import strip_accents

_X_EPOCH_MS = 1288834974657
_B32_SORTABLE = "234567abcdefghijklmnopqrstuvwxyz"


@functools.lru_cache(maxsize=4096)
def _ascii_slug(text: str) -> str:
    return "".join(ch for ch in strip_accents(text).lower() if ch.isalnum())


def _digest(*parts: object) -> bytes:
    return hashlib.blake2b(":".join(map(str, parts)).encode(), digest_size=16).digest()


def _opaque(prefix: str, ref: int, *salt: object, length: int = 22) -> str:
    # The ref is encoded in the first bytes, so two refs can never give the same id.
    token = base64.urlsafe_b64encode(ref.to_bytes(5, "big") + _digest(prefix, ref, *salt)).decode()
    return prefix + token.rstrip("=")[:length]


def _hex_id(ref: int, *salt: object) -> str:
    return f"{ref:010x}{_digest('hex', ref, *salt).hex()[:14]}"


def _tid(micros: int, clock: int) -> str:
    value = (micros << 10) | (clock & 0x3FF)
    chars = []
    for _ in range(13):
        chars.append(_B32_SORTABLE[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def _z(moment: datetime) -> str:
    # isoformat is several times cheaper than strftime; every generated time is UTC already.
    return moment.astimezone(UTC).isoformat()[:19] + "Z"


def _z_ms(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()[:19] + ".000Z"


def _meta(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()[:19] + "+0000"
