"""Who else has a case open, and who is writing its reply: a heartbeat kept in the cache.

The case page posts a heartbeat every 15 seconds (HTMX), saying whether its reply box holds
unsaved text; a colleague's page shows who is there. Nothing is stored in the database: presence
is worth a few seconds, and a missed beat only makes a name disappear 45 seconds later. With
several web processes, point Django's cache at a shared backend (Redis, the database) so that
every process sees every beat.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.core.cache import cache

from vigie.core.models import User
from vigie.inbox.models import Case

HEARTBEAT_SECONDS = 15
# A colleague who missed this many seconds of beats has left the page.
STALE_AFTER_SECONDS = 45


@dataclass(frozen=True)
class Presence:
    """One other person on the case page."""

    user_id: int
    name: str
    writing: bool
    seen: float


def _key(case: Case) -> str:
    return f"vigie:presence:{case.organisation_id}:{case.pk}"


def _display(user: User) -> str:
    return user.get_full_name() or user.get_username()


def beat(case: Case, user: User, *, writing: bool, now: float | None = None) -> list[Presence]:
    """Record that ``user`` is on ``case`` (writing or not); return the others there now."""
    now = time.time() if now is None else now
    key = _key(case)
    entries: dict[str, list[object]] = cache.get(key) or {}
    fresh = {
        uid: entry
        for uid, entry in entries.items()
        if isinstance(entry, list) and len(entry) == 3 and now - float(str(entry[2])) < STALE_AFTER_SECONDS
    }
    fresh[str(user.pk)] = [_display(user), bool(writing), now]
    cache.set(key, fresh, STALE_AFTER_SECONDS * 2)
    return [
        Presence(int(uid), str(name), bool(is_writing), float(str(seen)))
        for uid, (name, is_writing, seen) in sorted(fresh.items())
        if uid != str(user.pk)
    ]


def leave(case: Case, user: User) -> None:
    """Forget ``user`` on ``case`` (the page was closed)."""
    key = _key(case)
    entries = cache.get(key) or {}
    if str(user.pk) in entries:
        del entries[str(user.pk)]
        cache.set(key, entries, STALE_AFTER_SECONDS * 2)
