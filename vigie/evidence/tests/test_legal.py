"""The three-month limit (loi du 29 juillet 1881, art. 65), counted in the organisation's time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime

from vigie.evidence.legal import limitation_date


def test_three_months_to_the_same_day() -> None:
    assert limitation_date(datetime(2026, 3, 14, 10, 0, tzinfo=UTC), "Europe/Paris") == date(2026, 6, 14)


def test_a_day_the_third_month_lacks_ends_on_its_last_day() -> None:
    assert limitation_date(datetime(2026, 11, 30, 12, 0, tzinfo=UTC), "Europe/Paris") == date(2027, 2, 28)
    assert limitation_date(datetime(2027, 11, 30, 12, 0, tzinfo=UTC), "Europe/Paris") == date(2028, 2, 29)


def test_the_publication_day_is_the_organisations_day() -> None:
    # 23:30 UTC on 31 December is already 1 January in Paris.
    assert limitation_date(datetime(2026, 12, 31, 23, 30, tzinfo=UTC), "Europe/Paris") == date(2027, 4, 1)
    assert limitation_date(datetime(2026, 12, 31, 23, 30, tzinfo=UTC), "America/New_York") == date(
        2027, 3, 31
    )
