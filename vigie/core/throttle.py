"""How long a sign-in key must wait: the rule shared by the check and the locked claim."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings

from vigie.core.models import LoginThrottle


def throttle_wait(throttle: LoginThrottle, now: datetime) -> float:
    """Seconds ``throttle``'s key must still wait before its next attempt (0: go ahead).

    After ``LOGIN_SLOWDOWN_AFTER`` failures each new attempt waits twice as long as the previous
    one (1 s, 2 s, 4 s… capped at a minute); after ``LOGIN_LOCK_AFTER`` the key is locked.
    """
    if throttle.locked_until is not None:
        # A lock that has run out means no wait: the next failure starts counting afresh.
        return max(0.0, (throttle.locked_until - now).total_seconds())
    excess = throttle.failures - settings.LOGIN_SLOWDOWN_AFTER
    if excess >= 0 and throttle.last_failure_at is not None:
        delay = min(2**excess, 60)
        return max(0.0, delay - (now - throttle.last_failure_at).total_seconds())
    return 0.0
