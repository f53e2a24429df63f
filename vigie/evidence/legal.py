"""The three-month limit of the loi du 29 juillet 1881 (art. 65) for public defamation and insult.

The action is time-barred three months after the first publication. Vigie counts from the date the
platform gives for the post (its first publication as far as Vigie knows), in the organisation's
time zone, to the same day three months later; a lawyer confirms the exact computation.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from vigie.core.dates import add_months

LIMITATION_MONTHS = 3
WARNING_DAYS = (30, 7)


def limitation_date(published_at: datetime, timezone_name: str) -> date:
    """The day the three-month limit expires for a post first published at ``published_at``."""
    local = published_at.astimezone(ZoneInfo(timezone_name)).date()
    return add_months(local, LIMITATION_MONTHS)


def days_left(expires: date, today: date) -> int:
    return (expires - today).days
