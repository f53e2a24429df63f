"""Reads of the evidence app: which mentions are under legal hold.

Placeholder until the evidence branch lands: no hold exists yet, so nothing is held. The privacy
app calls these two functions so that retention and erasure spare held mentions once holds exist.
"""

from __future__ import annotations

from typing import Any

from vigie.core.models import Organisation


def held_mention_ids(tenant: Organisation) -> set[int]:
    """Ids of ``tenant``'s mentions under legal hold (placeholder until the evidence branch lands)."""
    return set()


def is_held(mention: Any) -> bool:
    """Whether ``mention`` is under legal hold (placeholder until the evidence branch lands)."""
    return False
