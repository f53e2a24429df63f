"""The hash chain behind the audit log.

An event's hash covers its content and the previous event's hash. Verification walks an
organisation's events in order and reports the first break: a changed row (its hash no longer
matches its content), a removed or reordered row (a gap in ``seq`` or a ``prev_hash`` mismatch).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

GENESIS_HASH = "0" * 64


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
) -> str:
    """SHA-256 of the canonical JSON of an event's content and its predecessor's hash."""
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
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ChainReport:
    """Outcome of verifying one organisation's chain."""

    organisation_slug: str
    events: int
    ok: bool
    broken_at_seq: int | None = None
    reason: str = ""
